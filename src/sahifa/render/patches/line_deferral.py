"""Patch: draw a line box's text-less glyphs after all of its text boxes.

Upstream: ``weasyprint.draw.draw_inline_level`` (WeasyPrint 70.0, draw/__init__.py), wrapped
for line boxes only. PDFium orders the text objects of a line by x only while they follow
each other at the same height; a group of marks drawn between two text boxes (a run-in head
and the paragraph it opens) is at another height, so the boxes came back in drawing order,
the head after its line. Drawn after the whole line, the marks no longer come between them
(``sahifa.render.glyph_writer.LineDeferral``). A text box drawn on its own (a list marker)
is an artifact in a tagged PDF: WeasyPrint leaves it outside any marked content. Part of
sahifa's text layer; not upstreamable without it. A right-to-left line's boxes are drawn left
to right (``_left_to_right``), so content-order readers (PDFBox) read one visual line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sahifa.render import context
from sahifa.render.glyph_writer import LineDeferral
from sahifa.render.patches import Patch


def make(original: Callable[..., Any]) -> Callable[..., Any]:
    from weasyprint.formatting_structure.boxes import InlineBox, LineBox, TextBox

    def draw_inline_level(stream: Any, page: Any, box: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(box, TextBox):
            # A list marker, drawn outside any marked content: made by CSS, an artifact.
            with stream.artifact():
                return original(stream, page, box, *args, **kwargs)
        if not isinstance(box, (LineBox, InlineBox)):
            return original(stream, page, box, *args, **kwargs)
        with _left_to_right(box):
            if not isinstance(box, LineBox):
                return original(stream, page, box, *args, **kwargs)
            deferral = LineDeferral()
            deferrals = context.current().line_deferrals
            deferrals.append(deferral)
            try:
                result = original(stream, page, box, *args, **kwargs)
            finally:
                deferrals.pop()
        deferral.draw(stream)
        return result

    return draw_inline_level


@contextmanager
def _left_to_right(box: Any) -> Iterator[None]:
    """Draw a right-to-left line's boxes from left to right while the block is run.

    Each text box's glyphs are written left to right (Pango's visual order); WeasyPrint
    draws a line's boxes in logical order, right to left, so a line of two boxes (a run-in
    head and its paragraph) was written right box, left box. PDFBox (Tika, Solr) reads a line
    in drawing order as a visual string and reverses it: the head came out inside its
    paragraph. Drawn left to right the whole line is one visual string. The boxes do not
    overlap, so the page looks the same; PDFium orders a line's text by x."""
    children = box.children
    positions = [getattr(child, "position_x", None) for child in children]
    if len(children) < 2 or box.style["direction"] != "rtl" or None in positions:
        yield
        return
    box.children = [child for _, _, child in sorted(zip(positions, range(len(children)),
                                                         children, strict=True))]  # fmt: skip
    try:
        yield
    finally:
        box.children = children


PATCH = Patch(
    # draw_block_level and draw_stacking_context look draw_inline_level up in this module.
    target="weasyprint.draw:draw_inline_level",
    upstream="weasyprint.draw:draw_inline_level",
    calls=(
        "weasyprint.formatting_structure.boxes:LineBox",
        "weasyprint.formatting_structure.boxes:TextBox",
        "weasyprint.formatting_structure.boxes:InlineBox",
        "weasyprint.pdf.stream:Stream.artifact",
    ),
    make=make,
)
