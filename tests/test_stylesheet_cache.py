"""stylesheet_cache: a stylesheet parsed once per process gives the same bytes as parsing it
for every document; its source is still fetched (and refused) through each document's
fetcher; a stylesheet that logged a message is parsed, and reported, every time."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import REPO
from sahifa import render
from sahifa.fetch import CSS, FONT, Fetcher
from sahifa.fonts import load_registry
from sahifa.pipeline import RenderJob, build
from sahifa.press.config import PressRequest

SAMPLES = REPO / "articles/2023/05/02"


@contextmanager
def _remembering(on: bool) -> Iterator[None]:
    from sahifa.render.patches import stylesheet_cache

    saved = stylesheet_cache.REMEMBER
    stylesheet_cache.REMEMBER = on
    stylesheet_cache._parsed.clear()
    try:
        yield
    finally:
        stylesheet_cache.REMEMBER = saved


@pytest.mark.parametrize("option", ["plain", "press", "pdf/a-3b"])
def test_parsed_once_same_bytes(option: str) -> None:
    from sahifa.render.patches import stylesheet_cache

    extra = {"press": {"press": PressRequest()}, "pdf/a-3b": {"pdf_variant": "pdf/a-3b"}}
    jobs = [RenderJob(source=SAMPLES / name, root=REPO, **extra.get(option, {}))
            for name in ("sudan-hudna.yaml", "brief-qamh.yaml")]  # fmt: skip

    def digests() -> list[str]:
        return [hashlib.sha256(build(job)[1]).hexdigest() for job in jobs]

    with _remembering(False):
        afresh = digests()
    with _remembering(True):
        remembered = digests()
        kept = len(stylesheet_cache._parsed)
    assert remembered == afresh
    assert kept >= 2  # the layout's stylesheets (and the fonts' <style>) were kept


def _page(
    roots: dict[Path, frozenset[str]], css_url: str, extra_css: str = ""
) -> tuple[bytes, list[str]]:
    registry = load_registry(REPO / "fonts")
    html = (f'<html dir="rtl" lang="ar"><style>{registry.font_face_css()} @page {{ size: 300px '
            f"200px; margin: 10px }} body {{ font: 14px 'Noto Naskh Arabic' }} {extra_css}"
            f'</style><link rel="stylesheet" href="{css_url}"><body><p>نص قصير</p></body>'
            "</html>")  # fmt: skip
    laid = render.lay_out(html, base_url=Path("/nonexistent"), fetcher=Fetcher(roots),
                          source=Path("probe.html"))  # fmt: skip
    return laid.write(identifier=b"fixed"), [str(w) for w in laid.warnings]


def test_a_kept_stylesheet_is_still_fetched_through_each_documents_fetcher(
    tmp_path: Path,
) -> None:
    """The trust boundary holds: a stylesheet parsed for a document that may read it is
    refused to a document that may not (it is fetched, not taken from the cache)."""
    registry = load_registry(REPO / "fonts")
    fonts = {REPO / "fonts": frozenset({FONT})}
    fonts.update({f.path.parent.resolve(): frozenset({FONT}) for f in registry.fonts})
    folder = tmp_path / "styles"
    folder.mkdir()
    sheet = folder / "red.css"
    sheet.write_text("p { color: red; font-size: 30px }", encoding="utf-8")
    with _remembering(True):
        allowed, allowed_warnings = _page({**fonts, folder: frozenset({CSS})}, sheet.as_uri())
        again, _ = _page({**fonts, folder: frozenset({CSS})}, sheet.as_uri())
        refused, refused_warnings = _page(fonts, sheet.as_uri())
    assert allowed == again and not allowed_warnings
    assert refused != allowed
    assert any("refused" in w and "outside the project's asset folders" in w
               for w in refused_warnings), refused_warnings  # fmt: skip


def test_a_stylesheet_that_logged_is_parsed_and_reported_every_time(tmp_path: Path) -> None:
    from sahifa.render.patches import stylesheet_cache

    registry = load_registry(REPO / "fonts")
    fonts = {REPO / "fonts": frozenset({FONT})}
    fonts.update({f.path.parent.resolve(): frozenset({FONT}) for f in registry.fonts})
    sheet = tmp_path / "odd.css"
    sheet.write_text("p { colour: red } p { color: blue }", encoding="utf-8")
    roots = {**fonts, tmp_path: frozenset({CSS})}
    with _remembering(True):
        first, first_warnings = _page(roots, sheet.as_uri())
        second, second_warnings = _page(roots, sheet.as_uri())
        cached_sources = [key[0] for key in stylesheet_cache._parsed]
    assert first == second
    assert any("colour" in w for w in first_warnings), first_warnings
    assert any("colour" in w for w in second_warnings), second_warnings
    assert sheet.read_bytes() not in cached_sources


def test_a_stylesheet_that_imports_is_parsed_every_time(tmp_path: Path) -> None:
    """An ``@import`` is fetched by WeasyPrint through the document's fetcher: such a sheet
    is not kept, and its imported rules apply every time."""
    from sahifa.render.patches import stylesheet_cache

    registry = load_registry(REPO / "fonts")
    fonts = {REPO / "fonts": frozenset({FONT})}
    fonts.update({f.path.parent.resolve(): frozenset({FONT}) for f in registry.fonts})
    (tmp_path / "big.css").write_text("p { font-size: 40px }", encoding="utf-8")
    sheet = tmp_path / "main.css"
    sheet.write_text('@import url("big.css");\np { color: blue }', encoding="utf-8")
    plain = tmp_path / "plain.css"
    plain.write_text("p { color: blue }", encoding="utf-8")
    roots = {**fonts, tmp_path: frozenset({CSS})}
    with _remembering(True):
        first, warnings = _page(roots, sheet.as_uri())
        second, _ = _page(roots, sheet.as_uri())
        without_import, _ = _page(roots, plain.as_uri())
        cached_sources = [key[0] for key in stylesheet_cache._parsed]
    assert first == second and not warnings
    assert first != without_import  # the imported rule applied both times
    assert sheet.read_bytes() not in cached_sources and plain.read_bytes() in cached_sources
