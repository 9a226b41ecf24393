"""strut_memo: a style's strut is worked out once per style object, with the answers and
bytes WeasyPrint gives without it; a freed style's entry goes with it."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from sahifa import render
from sahifa.fetch import Fetcher
from sahifa.render.patches import strut_memo
from test_engine_patches import without
from test_line_split_cache import _composed_page, _write


def test_each_style_is_measured_once_with_weasyprints_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    render.warm_up()
    from weasyprint.layout import inline
    from weasyprint.text import line_break

    calls = []
    own = line_break.strut

    def counting(style: object) -> tuple[float, float]:
        calls.append(style)
        return own(style)

    memo = strut_memo.make(counting)
    html, roots = _composed_page()
    laid = render.lay_out(html, base_url=Path("/nonexistent"), fetcher=Fetcher(roots),
                          source=Path("probe.html"))  # fmt: skip
    styles = {id(b.style): b.style for p in laid.document.pages
              for b in p._page_box.descendants()}  # fmt: skip
    monkeypatch.setattr(strut_memo, "_struts", {})  # what the installed patch kept: not here
    for style in styles.values():
        for _ in range(3):
            assert memo(style) == own(style)
    assert len(calls) == len(styles)  # once per style, however often asked
    assert inline.strut is not line_break.strut  # the patch is in place


def test_the_memo_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past its bound the memo starts again: the entries of freed styles do not pile up
    over an archive run."""
    render.warm_up()
    monkeypatch.setattr(strut_memo, "_MAX_STRUTS", 5)
    html, roots = _composed_page()
    _write(html, roots)
    gc.collect()
    assert 0 < len(strut_memo._struts) <= 5


@pytest.mark.parametrize("variant", [None, "pdf/a-3b"])
def test_pages_are_byte_identical_without_it(variant: str | None) -> None:
    render.warm_up()
    html, roots = _composed_page()
    with_it = _write(html, roots, variant)
    with without("strut_memo"):
        assert _write(html, roots, variant) == with_it
