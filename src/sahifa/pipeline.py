"""The one render pipeline: source file → validated model → HTML → WeasyPrint → PDF.

A source is an article or an edition (a YAML file with a top-level ``pages`` key). The CLI,
batch workers, the preview server and ``check`` all call ``render`` or ``check``; nothing else
renders. A job is plain data so it can cross a process boundary; a result carries everything
a caller reports (pages, hash, time, warnings, overset).

Editions are laid out, measured and composed again: a story box whose text does not fit is
reported (``overflow: error``), cut at the last word that fits (``cut``), or continued in a
``continued:`` slot on a later page (``continue``), until every box holds what it prints.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sahifa import builtin
from sahifa.archive.attachments import archive_attachments
from sahifa.compose import compose, compose_edition
from sahifa.content.article import Article
from sahifa.content.edition import Edition, is_edition, read_edition
from sahifa.content.placeholders import refuse_placeholders
from sahifa.content.reader import read_article
from sahifa.copyfit.rules import StoryStatus
from sahifa.copyfit.search import Suggestion
from sahifa.errors import Problem, SahifaError
from sahifa.fetch import CSS, FONT, IMAGE, Fetcher
from sahifa.fitting import Overset, fit_edition, provisional_fit
from sahifa.fonts import FontRegistry, load_registry
from sahifa.layouts import Layout, NamedIn, load_layout
from sahifa.limits import Budget
from sahifa.output import write_atomic
from sahifa.press.config import PressOptions, PressRequest
from sahifa.settings import SETTINGS_FILE, Settings, find_root, load_settings

if TYPE_CHECKING:
    from sahifa.render import LaidOut

@dataclass(frozen=True)
class RenderJob:
    """What to render: an article or edition file, where to, with which layout."""

    source: Path
    output: Path | None = None
    layout: str | None = None
    root: Path | None = None  # the project (--project); found above ``source`` when not given
    # The folder the user named (batch: SRC_DIR; default: the source's folder). An edition's
    # story files must lie in it or in the project (README, "Trust model").
    content_root: Path | None = None
    allow_overset: bool = False
    strict: bool = False  # a refused resource fails the render (archives)
    allow_remote: bool = False  # fetch http(s) resources (timeout and size cap)
    identifier: str | None = None  # the PDF's /ID (the batch writes its input hash there)
    pdf_variant: str | None = None  # e.g. "pdf/a-3b": archival PDF with its sources attached
    allow_missing_glyphs: bool = False  # a character no font covers warns instead of failing
    press: PressRequest | None = None  # press output: PDF/X, bleed, marks (sahifa.press)
    suggest: bool = False  # editions: search the verified fixes of stories over or under
    # Editions, the preview: first lay out the last fitting's words and tweaks as the files now
    # are (``fitting.provisional_fit``), when no story changed; the result says if it did.
    provisional: bool = False

    def output_path(self) -> Path:
        return self.output or Path("build") / f"{self.source.stem}.pdf"


@dataclass(frozen=True)
class Resolved:
    """Stage 1: every input read and validated, nothing composed (what a batch hashes)."""

    settings: Settings
    fonts: FontRegistry
    layout: Layout
    source: Path
    article: Article | None
    edition: Edition | None
    warnings: tuple[Problem, ...]
    budget: Budget  # the job's time, spent from reading the source on

    @property
    def asset_roots(self) -> dict[Path, frozenset[str]]:
        """The only folders a render may read, and what each may serve: the sources' folders
        images, the layouts' stylesheets, images and fonts, the fonts' folder fonts."""
        folders = {self.source.parent.resolve()}
        if self.edition is not None:
            for page in self.edition.pages:
                for slot in page.slots:
                    folders.update(a.path.parent.resolve() for a in slot.articles)
        roots: dict[Path, frozenset[str]] = dict.fromkeys(sorted(folders), frozenset({IMAGE}))
        roots[self.settings.layouts_dir] = frozenset({IMAGE, FONT, CSS})
        roots[self.settings.fonts_dir] = frozenset({FONT})
        # The layouts and fonts that ship with sahifa, for projects that use them.
        roots.setdefault(builtin.layouts_dir(), frozenset({IMAGE, FONT, CSS}))
        roots.setdefault(builtin.fonts_dir(), frozenset({FONT}))
        for font in self.fonts.fonts:
            if font.origin:  # a variable font's static instance, in the user's cache
                roots[font.path.parent.resolve()] = frozenset({FONT})
        return roots


@dataclass(frozen=True)
class Prepared(Resolved):
    """Stage 2: the composed HTML, the glyphs checked, the press options resolved. Stage 3 is
    ``sahifa.render.LaidOut`` (the pages), stage 4 the written ``RenderResult``."""

    html: str = ""
    press: PressOptions | None = None  # the resolved press options, ICC profile read


@dataclass
class RenderResult:
    source: Path
    output: Path | None
    pages: int
    sha256: str
    seconds: float
    warnings: list[Problem]
    overset: list[Overset] = field(default_factory=list)
    stories: dict[int, list[str]] = field(default_factory=dict)  # page → story ids
    copyfit: list[StoryStatus] = field(default_factory=list)  # editions: every story box
    suggestions: list[Suggestion] = field(default_factory=list)  # job.suggest: the fixes
    layouts: int = 0  # editions: how many times the pages were laid out
    provisional: bool = False  # the last fitting's words laid out again, not a fitting

    @property
    def fitting_problems(self) -> list[Problem]:
        """Stories short of min-body-lines, and underset ones (``check`` reports both)."""
        return [p for s in self.copyfit if (p := s.problem(self.source)) is not None]
    plates: list[Path] = field(default_factory=list)  # --split-pages: one file per page


def resolve(job: RenderJob) -> Resolved:
    """Read and validate every input, without composing the HTML: what a batch needs to
    know whether an item changed. Raises ``SahifaError``."""
    source = Path(job.source)
    # The project first (trusted: it holds the limits); absolute, because stylesheets and
    # fonts become file:// URLs.
    root = find_root(source, job.root).resolve()
    settings, warnings = load_settings(root)
    budget = Budget(settings.limits.render_seconds, source)
    with budget.running():  # reading untrusted YAML is part of the job's time
        if is_edition(source):
            content = Path(job.content_root) if job.content_root else source.parent
            edition = read_edition(source, (root, content), project=root)
            article, extra = None, list(edition.warnings)
            if len(edition.pages) > settings.limits.pages:  # before any work is spent on them
                raise SahifaError(
                    "limit", f"{len(edition.pages)} pages, over the limit of "
                    f"{settings.limits.pages} (limits.pages)", file=source, key="pages",
                )  # fmt: skip
        else:
            edition = None
            article, extra = read_article(source)
        fonts = load_registry(settings.fonts_dir)
        name = job.layout or (edition.layout if edition else None) or settings.layout
        named_in = NamedIn()
        if edition is not None and not job.layout and edition.layout:
            named_in = NamedIn(source, "layout", edition.layout_line)
        elif not job.layout:
            named_in = NamedIn(root / SETTINGS_FILE, "layout")
        layout = load_layout(settings.layouts_dir, name, fonts, named_in)
    return Resolved(settings, fonts, layout, source, article, edition, (*warnings, *extra),
                    budget)  # fmt: skip


def prepare(job: RenderJob) -> Prepared:
    """Read, validate and compose. Raises ``SahifaError`` on bad input; writes nothing."""
    resolved = resolve(job)
    refuse_placeholders(resolved.edition)  # an unfilled plan never reaches the templates
    settings, fonts, layout = resolved.settings, resolved.fonts, resolved.layout
    press = None
    if job.press is not None:  # before any work: a missing or changed ICC profile stops here
        from sahifa.press.config import resolve as resolve_press

        press = resolve_press(settings.press, job.press, settings.root / SETTINGS_FILE)
    with resolved.budget.running():  # templates and the glyph check are the job's time too
        if resolved.edition is not None:
            composed = compose_edition(resolved.edition, settings, layout, fonts, {})
        else:
            assert resolved.article is not None
            composed = compose(resolved.article, settings, layout, fonts)
        glyphs = _glyph_problems(resolved)
    if glyphs and not job.allow_missing_glyphs:
        more = f" (and {len(glyphs) - 1} more)" if len(glyphs) > 1 else ""
        first = glyphs[0]
        raise SahifaError(first.category, first.message + more, file=first.file,
                          key=first.key, line=first.line)  # fmt: skip
    stage = {f.name: getattr(resolved, f.name) for f in fields(Resolved)}
    stage["warnings"] = (*resolved.warnings, *composed.warnings, *glyphs)
    return Prepared(**stage, html=composed.html, press=press)


def _glyph_problems(prepared: Resolved) -> list[Problem]:
    """The coverage preflight: every printed character in its role's fonts."""
    from sahifa.arabic import number
    from sahifa.compose import date_parts
    from sahifa.preflight import check_glyphs

    settings = prepared.settings
    if prepared.edition is not None:
        edition = prepared.edition
        articles = [a for page in edition.pages for s in page.slots for a in s.articles]
        dates = date_parts(edition.date, edition.hijri_date, settings)
        paper = edition.paper or settings.paper
    else:
        assert prepared.article is not None
        articles = [prepared.article]
        dates = date_parts(prepared.article.date, prepared.article.hijri_date, settings)
        paper = settings.paper
    furniture = [("masthead", paper), ("masthead", " ".join(dates))]
    furniture += [("masthead", f"{m.role} {m.name}") for m in settings.masthead]
    furniture.append(("folio", "صفحة " + number(1234567890, settings.digits)))
    return check_glyphs(articles, settings, prepared.layout, prepared.fonts, furniture,
                        prepared.source)  # fmt: skip


def lay_out(
    job: RenderJob, prepared: Prepared | None = None
) -> tuple[Prepared, LaidOut, RenderResult]:
    """Prepare and lay out ``job`` (fitting an edition's stories); write nothing."""
    from sahifa import render  # WeasyPrint is heavy: imported when a render actually happens

    started = time.perf_counter()
    prepared = prepared or prepare(job)
    limits = prepared.settings.limits
    warnings = list(prepared.warnings)
    overset: list[Overset] = []
    fitted = None
    provisional = False
    with prepared.budget.running():
        if prepared.edition is None:
            laid_out = _lay_out_html(prepared, prepared.html, job)
        else:
            def lay_out_edition(html: str) -> LaidOut:
                return _lay_out_html(prepared, html, job)

            if job.provisional:
                fitted = provisional_fit(prepared, lay_out_edition)
                provisional = fitted is not None
            if fitted is None:
                fitted = fit_edition(prepared, lay_out_edition, job.suggest)
            laid_out, overset = fitted.laid_out, fitted.overset
            warnings += fitted.warnings
    if laid_out.pages > limits.pages:
        raise SahifaError(
            "limit", f"{laid_out.pages} pages, over the limit of {limits.pages} (limits.pages)",
            file=prepared.source,
        )  # fmt: skip
    warnings += laid_out.warnings
    result = RenderResult(
        source=prepared.source,
        output=None,
        pages=laid_out.pages,
        sha256="",
        seconds=time.perf_counter() - started,
        warnings=warnings,
        overset=overset,
        stories=render.stories_by_page(laid_out),
    )
    if fitted is not None:
        result.copyfit, result.suggestions = fitted.statuses, fitted.suggestions
        result.layouts, result.provisional = fitted.layouts, provisional
    return prepared, laid_out, result


def watched_files(job: RenderJob) -> list[Path]:
    """The files a render of ``job`` reads (what the preview watches): the source, its
    articles and images, settings, the layout chain and the fonts. While the inputs cannot be
    read (a file being fixed), the project's settings, layouts and fonts and the source's
    folder, so that the fix is seen."""
    from sahifa.archive.inputs import input_files

    try:
        return input_files(resolve(job))
    except SahifaError:
        pass
    source = Path(job.source)
    files = [source]
    try:
        root = find_root(source, job.root)
    except SahifaError:
        return files
    files.append(root / SETTINGS_FILE)
    for folder in (root / "layouts", root / "fonts", source.parent):
        if folder.is_dir():
            files += [p for p in folder.rglob("*") if p.is_file()]
    return files


def require_reproducible_subsetting() -> None:
    """Refuse to start an archive run that could not re-render byte for byte (a batch)."""
    from sahifa.render.engine import harfbuzz_subsetting

    if not harfbuzz_subsetting():
        raise SahifaError(
            "batch", "HarfBuzz subsetting (libharfbuzz-subset0) is required for reproducible "
            "archives: apt-get install libharfbuzz-subset0",
        )  # fmt: skip


def warm_up() -> None:
    """Import and prepare the engine now (a worker process, before its first item's clock)."""
    from sahifa import render

    render.warm_up()


def check(job: RenderJob) -> RenderResult:
    """Everything ``render`` does but writing: the problems a render would meet."""
    return lay_out(job)[2]


def build(job: RenderJob, prepared: Prepared | None = None) -> tuple[RenderResult, bytes]:
    """Lay out and write the PDF in memory: for ``render`` and for callers that want the
    bytes (proofs, the preview). Overset stories refuse unless the job allows them."""
    started = time.perf_counter()
    prepared, laid_out, result = lay_out(job, prepared)
    if result.overset and not job.allow_overset:
        first = result.overset[0].problem(prepared.source)
        more = len(result.overset) - 1
        raise SahifaError(
            "overset",
            f"{first.message}{f' (and {more} more; see sahifa check)' if more else ''}; shorten "
            "it, enlarge its box, set overflow: cut or continue, or use --allow-overset",
            file=prepared.source,
            line=first.line,
        )
    short = [s.problem(prepared.source) for s in result.copyfit if s.status == "short"]
    if short and not job.allow_overset and short[0] is not None:
        raise SahifaError("fitting", f"{short[0].message} (see sahifa check for the fixes; "
                          "--allow-overset writes it anyway)", file=prepared.source,
                          line=short[0].line)  # fmt: skip
    for status in result.copyfit:
        if status.status == "under" and (problem := status.problem(prepared.source)):
            result.warnings.append(problem)
    before = len(laid_out.warnings)
    identifier = job.identifier.encode("ascii") if job.identifier else None
    loaded = laid_out.capture.fetcher.loaded
    archive = (job.pdf_variant or "").startswith("pdf/a")
    attachments = archive_attachments(prepared, loaded) if archive else []
    with prepared.budget.running():
        data = laid_out.write(identifier, job.pdf_variant, attachments)
        if prepared.press is not None:
            from sahifa.press.pdfx import make_press_pdf

            data = make_press_pdf(data, prepared.press, press_meta(prepared))
    result.warnings += laid_out.warnings[before:]  # e.g. resources an SVG image links to
    limit_mb = prepared.settings.limits.output_mb
    if len(data) > limit_mb * 1024 * 1024:
        raise SahifaError(
            "limit", f"the PDF is {len(data) // 1024 // 1024} MB, over the limit of {limit_mb} MB "
            "(limits.output_mb)", file=prepared.source,
        )  # fmt: skip
    result.sha256 = hashlib.sha256(data).hexdigest()
    result.seconds = time.perf_counter() - started
    return result, data


def render(job: RenderJob, prepared: Prepared | None = None) -> RenderResult:
    """Render one job to its PDF file, atomically. Raises ``SahifaError``; returns the result.

    ``prepared`` is the job's ``prepare`` result when the caller already has it."""
    prepared = prepared or prepare(job)
    result, data = build(job, prepared)
    if prepared.press is not None and prepared.press.split_pages:
        from sahifa.press.split import write_plates

        folder = job.output or Path("build")
        result.plates = write_plates(data, folder, prepared.press, press_meta(prepared),
                                     plate_fields(prepared))  # fmt: skip
        result.output = folder
        return result
    output = job.output_path()
    write_atomic(output, data)
    result.output = output
    return result


def press_meta(prepared: Prepared) -> Any:
    """The date the press file's metadata carries: the issue's or the article's."""
    from sahifa.press.pdfx import PressMeta

    source = prepared.edition or prepared.article
    return PressMeta(date=getattr(source, "date", None))


def plate_fields(prepared: Prepared) -> dict[str, str]:
    """The values a plate file name pattern may use (``press.split_pattern``)."""
    edition, press = prepared.edition, prepared.press
    paper = (press.paper_code if press else None) or (edition.paper if edition else None)
    source = edition or prepared.article
    date = getattr(source, "date", None)
    return {
        "paper": paper or prepared.settings.paper,
        "date": date.isoformat() if date else "undated",
        "edition": (edition.issue if edition and edition.issue else prepared.source.stem),
    }


def _lay_out_html(prepared: Prepared, html: str, job: RenderJob) -> LaidOut:
    from sahifa import render

    if prepared.press is not None:
        from sahifa.press.pdfx import with_bleed

        html = with_bleed(html, prepared.press.bleed_pt)
    fetcher = Fetcher(
        prepared.asset_roots,
        allow_remote=job.allow_remote,
        max_image_pixels=prepared.settings.limits.image_megapixels * 1_000_000,
        rgb_images=bool(job.pdf_variant and job.pdf_variant.startswith("pdf/a")),
        allow_networks=prepared.settings.remote_networks,
    )
    return render.lay_out(
        html,
        base_url=prepared.source.parent.resolve(),
        fetcher=fetcher,
        source=prepared.source,
        strict=job.strict,
        fonts_key=prepared.fonts.identity,
    )


