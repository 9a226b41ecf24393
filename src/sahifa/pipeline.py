"""The one render pipeline: article file → validated model → HTML → WeasyPrint → PDF.

The CLI, batch workers, the preview server and ``check`` all call ``render`` (or its first
half, ``prepare``); nothing else renders. A job is plain data so it can cross a process
boundary; a result carries everything a caller reports (pages, hash, time, warnings).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path

from sahifa.compose import compose
from sahifa.content.article import Article
from sahifa.content.reader import read_article
from sahifa.errors import Problem
from sahifa.fonts import FontRegistry, load_registry
from sahifa.layouts import Layout, load_layout
from sahifa.output import write_atomic
from sahifa.settings import Settings, find_root, load_settings


@dataclass(frozen=True)
class RenderJob:
    """What to render: an article file, where to, with which layout (default: the paper's)."""

    source: Path
    output: Path | None = None
    layout: str | None = None
    root: Path | None = None  # the project; found above ``source`` when not given

    def output_path(self) -> Path:
        return self.output or Path("build") / f"{self.source.stem}.pdf"


@dataclass
class Prepared:
    """Everything before WeasyPrint: the validated inputs and the composed HTML."""

    settings: Settings
    fonts: FontRegistry
    layout: Layout
    article: Article
    html: str
    warnings: list[Problem] = field(default_factory=list)

    @property
    def asset_roots(self) -> list[Path]:
        """The only folders a render may read: the article's, the layouts', the fonts'."""
        return [self.article.path.parent, self.settings.layouts_dir, self.settings.fonts_dir]


@dataclass
class RenderResult:
    source: Path
    output: Path
    pages: int
    sha256: str
    seconds: float
    warnings: list[Problem]


def prepare(job: RenderJob) -> Prepared:
    """Read, validate and compose. Raises ``SahifaError`` on bad input; writes nothing."""
    source = Path(job.source)
    root = job.root or find_root(source)
    settings, warnings = load_settings(root)
    fonts = load_registry(settings.fonts_dir)
    layout = load_layout(settings.layouts_dir, job.layout or settings.layout, fonts)
    article, article_warnings = read_article(source)
    composed = compose(article, settings, layout, fonts)
    return Prepared(
        settings=settings,
        fonts=fonts,
        layout=layout,
        article=article,
        html=composed.html,
        warnings=[*warnings, *article_warnings, *composed.warnings],
    )


def render(job: RenderJob, prepared: Prepared | None = None) -> RenderResult:
    """Render one job to its PDF, atomically. Raises ``SahifaError``; returns the result.

    ``prepared`` is the job's ``prepare`` result when the caller already has it."""
    from sahifa import pdf  # WeasyPrint is heavy: imported when a render actually happens

    started = time.perf_counter()
    prepared = prepared or prepare(job)
    laid_out = pdf.lay_out(
        prepared.html,
        base_url=prepared.article.path.parent.resolve(),
        roots=prepared.asset_roots,
        source=prepared.article.path,
    )
    data = laid_out.write()
    output = job.output_path()
    write_atomic(output, data)
    return RenderResult(
        source=prepared.article.path,
        output=output,
        pages=laid_out.pages,
        sha256=hashlib.sha256(data).hexdigest(),
        seconds=time.perf_counter() - started,
        warnings=[*prepared.warnings, *laid_out.warnings],
    )
