"""line_box_cache: balanced columns reuse the lines they laid out, moved, with byte-identical
PDFs; lines whose place depends on more than x (floats, footnotes, first letters and first
lines, inline blocks, absolute boxes) are laid out by WeasyPrint as before."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO
from sahifa import render
from sahifa.fonts import load_registry
from test_engine_patches import without
from test_line_split_cache import PARAGRAPH, _composed_page, _write


@contextmanager
def _counting_line_splits() -> Iterator[list[int]]:
    """Counts WeasyPrint's ``split_inline_box`` calls on paragraphs' line boxes (the box
    work each laid-out line costs)."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout import inline

    original = inline.split_inline_box
    count = [0]

    def split_inline_box(context: Any, box: Any, *args: Any) -> Any:
        count[0] += isinstance(box, boxes.LineBox)
        return original(context, box, *args)

    inline.split_inline_box = split_inline_box
    try:
        yield count
    finally:
        inline.split_inline_box = original


@pytest.mark.parametrize("variant", [None, "pdf/a-3b"])
def test_balanced_columns_reuse_their_lines_with_identical_bytes(variant: str | None) -> None:
    """Three balanced RTL columns of kashida-justified text: the balancing tries lay every
    line out again at another y; with the cache each is laid out once per place across."""
    render.warm_up()
    html, roots = _composed_page()
    with _counting_line_splits() as cached:
        with_cache = _write(html, roots, variant)
    with without("line_box_cache"), _counting_line_splits() as uncached:
        without_cache = _write(html, roots, variant)
    assert with_cache == without_cache  # byte for byte
    # 728 -> 139 when written: the tries' repeats and upstream's second split of RTL lines.
    assert uncached[0] > 3 * cached[0] > 0


def _hostile_page() -> tuple[str, dict[Path, frozenset[str]]]:
    """Balanced columns whose paragraphs hold what a line's place depends on beyond its x:
    floats, a footnote, first-letter and first-line styles, an inline block, an absolutely
    positioned box, raised text, centred and LTR lines, a preserved line break, and a jump
    line whose target's page is known only after a first layout."""
    from sahifa.fetch import FONT

    registry = load_registry(REPO / "fonts")
    roots = {REPO / "fonts": frozenset({FONT})}
    roots.update({f.path.parent.resolve(): frozenset({FONT}) for f in registry.fonts})
    words = PARAGRAPH.split()
    half = " ".join(words[: len(words) // 2])
    rest = " ".join(words[len(words) // 2 :])
    body = "".join([
        f'<p class="drop">{PARAGRAPH * 2}</p>',
        f'<p>{half} <span class="fl">عائم</span> {rest} {PARAGRAPH}</p>',
        f'<p>{half}<span class="fn">حاشية تشرح الخبر</span> {rest} {PARAGRAPH}</p>',
        f'<p>{half} <span class="ib">كتلة</span> {rest} {PARAGRAPH}</p>',
        f'<p>{half} <span class="abs">مطلق</span> <sup>٢</sup> {rest} {PARAGRAPH}</p>',
        f'<p class="centre">{PARAGRAPH * 2}</p>',
        f'<p dir="ltr" class="ltr">{"The third metro line reaches the airport. " * 8}</p>',
        f'<p class="pre">{half}\n{rest}</p>',
        f"<p>{PARAGRAPH * 3}</p>",
        f'<p>{PARAGRAPH} <a class="jump" href="#far">تابع</a></p>',
    ])  # fmt: skip
    html = (f'<html dir="rtl" lang="ar"><style>{registry.font_face_css()} @page {{ size: 600px '
            "900px; margin: 10px } body { margin: 0; font: 14px 'Noto Naskh Arabic' }"
            ".c { columns: 3; column-gap: 12px; text-align: justify;"
            " --sahifa-justify: kashida; --sahifa-line-breaking: paragraph }"
            ".drop::first-letter { font-size: 3em; color: #c00 }"
            ".drop::first-line { font-weight: bold }"
            ".fl { float: left; width: 40px; height: 30px; background: #ccc }"
            ".fn { float: footnote }"
            ".ib { display: inline-block; width: 50px; height: 24px; background: #eee }"
            ".abs { position: absolute; top: 5px }"
            ".centre { text-align: center } .ltr { text-align: left }"
            ".pre { white-space: pre-line }"
            # A jump line: the page number is known once the target is laid out, and
            # WeasyPrint then replaces the ::after box's children in the laid-out tree.
            ".jump::after { content: ' ص ' target-counter(attr(href url), page) }"
            ".far { break-before: page }"
            f'</style><body><div class="c">{body}</div>'
            f'<p class="far" id="far">{PARAGRAPH}</p></body></html>')  # fmt: skip
    return html, roots


@pytest.mark.parametrize("variant", [None, "pdf/a-3b"])
def test_lines_placed_by_more_than_x_render_as_without_the_cache(variant: str | None) -> None:
    render.warm_up()
    html, roots = _hostile_page()
    with_cache = _write(html, roots, variant)
    with without("line_box_cache"):
        without_cache = _write(html, roots, variant)
    assert with_cache == without_cache  # byte for byte


def test_only_plain_paragraphs_keep_lines() -> None:
    """A paragraph holding a float, a footnote, an inline block or an absolute box, or
    styled by ::first-letter or ::first-line, never keeps a line; the others do."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout import inline

    from sahifa.render.patches import line_box_cache

    render.warm_up()
    html, roots = _hostile_page()
    seen: dict[int, Any] = {}
    original = inline.get_next_linebox  # the patch, as iter_line_boxes looks it up

    def recording(context: Any, linebox: Any, *args: Any) -> Any:
        seen[id(linebox)] = linebox
        return original(context, linebox, *args)

    inline.get_next_linebox = recording
    try:
        _write(html, roots)
    finally:
        inline.get_next_linebox = original
    plain_types = (boxes.LineBox, boxes.InlineBox, boxes.TextBox)
    kept, never = [], []
    for linebox in seen.values():
        if linebox.element is None or linebox.element.tag != "p":
            continue
        plain = "drop" not in (linebox.element.get("class") or "") and all(
            type(box) in plain_types and box.is_in_normal_flow()
            and box.style["position"] != "absolute" and box.footnote is None
            for box in linebox.descendants())  # fmt: skip
        (kept if plain else never).append(line_box_cache.kept_lines(linebox))
    assert len(never) >= 5 and not any(never), never  # drop, float, footnote, block, abs
    assert len(kept) >= 4 and all(kept), kept  # centred, LTR, pre-line, plain
