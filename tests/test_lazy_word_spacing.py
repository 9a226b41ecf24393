"""lazy_word_spacing: a justified text box's layout made without Pango is the one WeasyPrint
makes and deactivates (same state, same text), and pages are byte-identical without it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sahifa import render
from test_engine_patches import without
from test_line_split_cache import _composed_page, _page, _write


def _styles() -> list[Any]:
    """Computed styles of real text boxes: body text, and one with word spacing."""
    from weasyprint.formatting_structure import boxes

    html, roots = _page()
    html = html.replace("</style>", " p:last-child { word-spacing: 3px }</style>")
    from sahifa.fetch import Fetcher

    laid = render.lay_out(html, base_url=Path("/nonexistent"), fetcher=Fetcher(roots),
                          source=Path("probe.html"))  # fmt: skip
    found: dict[int, Any] = {}
    for page in laid.document.pages:
        for box in page._page_box.descendants():
            if isinstance(box, boxes.TextBox):
                found.setdefault(id(box.style), box.style)
    return list(found.values())


def test_the_layout_is_the_one_weasyprint_deactivates() -> None:
    render.warm_up()
    from weasyprint.layout import inline
    from weasyprint.text import line_break

    styles = _styles()
    assert any(s["word_spacing"] for s in styles) and any(not s["word_spacing"] for s in styles)
    for style in styles:
        for text in ("قالت وزارة النقل", " ", "سطر\nوآخر بعده", "", "a\tb"):
            for spacing in (0, 1.75):
                own = line_break.create_layout(text, style, None, None, spacing)
                own.deactivate()
                lazy = inline.create_layout(text, style, None, None, spacing)
                lazy.deactivate()
                assert type(lazy) is type(own) and vars(lazy) == vars(own), (text, spacing)
    assert inline.create_layout is not line_break.create_layout  # the patch is in place


@pytest.mark.parametrize("variant", [None, "pdf/a-3b"])
def test_pages_are_byte_identical_without_it(variant: str | None) -> None:
    render.warm_up()
    html, roots = _composed_page()
    with_it = _write(html, roots, variant)
    with without("lazy_word_spacing"):
        assert _write(html, roots, variant) == with_it
