"""Writing a line's glyphs for the text layer: TJ operations at WeasyPrint's pen positions,
and the text-less glyphs after the whole line box, inside an empty ``/ActualText``.

Used by the ``draw_first_line`` and ``draw_inline_level`` patches; the decisions it carries
out (which glyph carries which text, in which order) are ``sahifa.render.textlayer``'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pydyf

from sahifa.render import context
from sahifa.render.textlayer.codes import number


@dataclass
class Deferred:
    font: Any
    size: float
    x: float  # from the line's origin, in points of text space
    rise: float
    code: int
    matrix: tuple[float, ...] = ()  # the text box's line origin
    color: Any = None  # the text box's colour, as WeasyPrint's stream takes it


@dataclass
class Planned:
    """A glyph that carries text, placed: written once the line's order is known."""

    font: Any
    size: float
    glyph: int
    pen: float  # from the line's origin, in points of text space
    width: float  # its width in the PDF, thousandths of the font size
    rise: float
    text: str  # the logical text it carries
    rtl: bool  # in a right-to-left run
    # PDF/A: written invisibly, moved up to its word's next carrier over inserted tatweels,
    # its visible copy drawn text-less (``draw_first_line``).
    invisible: bool = False


class LineDeferral:
    """The text-less glyphs of one line box, drawn after all of its text boxes.

    PDFium orders the text objects of a line by x only while they follow each other at the
    same height; a group of marks drawn between two text boxes (a run-in head and the
    paragraph it opens) is at another height, so the boxes came back in drawing order, the
    head after its line. Drawn after the whole line, the marks no longer come between them."""

    def __init__(self) -> None:
        self.items: list[Deferred] = []

    def draw(self, stream: Any) -> None:
        if not self.items:
            return
        stream.begin_text()
        draw_deferred(stream, self.items, silent_properties(stream))
        stream.end_text()


class LineWriter:
    """Writes one line's glyphs as TJ operations, and its text-less glyphs afterwards.

    ``pen`` is where WeasyPrint would have the pen (the glyphs' true positions); ``emitted``
    is where the PDF's pen stands after what was written, which differs while a carrier's
    width covers text-less glyphs. Each glyph is written at ``pen``."""

    def __init__(
        self, stream: Any, matrix: Sequence[float], silent: Any = None, color: Any = None
    ) -> None:
        self.stream = stream
        self.matrix = tuple(matrix)
        self.silent = silent  # the property list that hides text-less glyphs from extractors
        self.color = color
        self.parts: list[str] = []
        self.pen = 0.0  # points from the line's origin
        self.emitted = 0.0
        self.font: Any = None
        self.size = 1.0
        self.deferred: list[Deferred] = []

    def set_font(self, font: Any, size: float) -> None:
        self.flush()
        self.font, self.size = font, size
        self.stream.set_font_size(font.hash, size)

    def advance(self, units: float) -> None:
        """Move the pen right by ``units`` thousandths of the font size."""
        self.pen += units * self.size / 1000

    def glyph(self, code: int, width: float, invisible: bool = False) -> None:
        """Write ``code`` at the pen; the PDF's pen then moves by its ``width``. An
        ``invisible`` glyph is written in text rendering mode 3 (text only, no ink)."""
        gap = self.pen - self.emitted
        if abs(gap) > 1e-9:
            # Measured in points, written in this TJ's font size.
            self.parts.append(number(-gap * 1000 / self.size))
        if invisible:
            self.flush()
            self.stream.set_text_rendering(3)
        self.parts.append(f"<{code:04x}>")
        if invisible:
            self.flush()
            self.stream.set_text_rendering(0)
        self.emitted = self.pen + width * self.size / 1000

    def open_actual_text(self, text: str) -> None:
        """Start a text object whose text PDFium reads as ``text`` (``textlayer.lineorder``):
        ``/SahifaText``, not ``/Span``, so that poppler keeps reading the glyphs."""
        self.flush()
        self.stream.begin_marked_content(
            "SahifaText", pydyf.Dictionary({"ActualText": pydyf.String(text)})
        )

    def close_actual_text(self) -> None:
        self.flush()
        self.stream.end_marked_content()

    def raised(self, code: int, width: float, rise: float, invisible: bool = False) -> None:
        """A glyph drawn with a text rise, in a TJ of its own (as WeasyPrint does)."""
        self.flush()
        self.stream.set_text_rise(-rise)
        self.glyph(code, width, invisible)
        self.flush()
        self.stream.set_text_rise(0)

    def flush(self) -> None:
        if self.parts:
            self.stream.show_text(" ".join(self.parts))
            self.parts = []

    def finish(self) -> None:
        """Write the rest of the line; its text-less glyphs go to the line box being drawn,
        or are written now when there is none (a marker, SVG text)."""
        self.flush()
        if self.silent is not None:
            self.stream.end_marked_content()
            self.stream.end_marked_content()
        if not self.deferred:
            return
        deferrals = context.current().line_deferrals
        if deferrals:
            deferrals[-1].items += self.deferred
        else:
            draw_deferred(self.stream, self.deferred, self.silent)
        self.deferred = []


def draw_deferred(stream: Any, items: Sequence[Deferred], silent: Any) -> None:
    """Write text-less glyphs inside a text object: each group of the same colour, line,
    font, size and rise from a text matrix set at its first glyph.

    In a tagged PDF they are an artifact (inserted kashidas too): they stand for no text, and
    drawn after their line they lie outside its tagged content. One level more around the
    line's own text (its MCID) keeps the nesting PDFium compares (``silent_marks``)."""
    tagged = getattr(stream, "_tags", None) is not None
    if tagged:
        stream.begin_marked_content("Artifact")
    if silent is not None:
        stream.begin_marked_content("Span", silent)
        stream.begin_marked_content("Span", LINE_PROPERTIES)
    writer = LineWriter(stream, (1, 0, 0, 1, 0, 0))
    group: tuple[Any, ...] | None = None
    for item in items:
        key = (id(item.color), item.matrix, item.font, item.size, item.rise)
        if group != key:
            writer.flush()
            if group is not None and group[-1] and not item.rise:
                stream.set_text_rise(0)
            group = key
            if item.color is not None:
                stream.set_color(item.color)
            a, b, c, d, e, f = item.matrix
            stream.set_text_matrix(a, b, c, d, e + a * item.x, f + b * item.x)
            writer.font, writer.size = item.font, item.size
            stream.set_font_size(item.font.hash, item.size)
            if item.rise:
                stream.set_text_rise(-item.rise)
            writer.emitted = item.x
        writer.pen = item.x
        writer.glyph(item.code, context.current().codes_of(item.font).widths[item.code])
    writer.flush()
    if group is not None and group[-1]:
        stream.set_text_rise(0)
    if silent is not None:
        stream.end_marked_content()
        stream.end_marked_content()
    if tagged:
        stream.end_marked_content()


LINE_PROPERTIES = "/SahifaLine"


def silent_marks(stream: Any) -> Any:
    """Open the line's marked content; return the property list for its text-less glyphs.

    Those glyphs carry no text, but every code needs a Unicode value, and PDFium starts a new
    line of output (" \r\n") for each group of them at another height. Wrapped in an empty
    ``/ActualText`` they stand for nothing (PDF 14.9.4; poppler honours it). PDFium skips such
    an object only when its marked-content nesting matches the text object before it, with
    the same innermost property dictionary: so the line itself sits in two levels whose inner
    one is the named ``/SahifaLine`` (one dictionary in the page's resources), and the glyphs
    in two levels whose inner one is the same name."""
    silent = silent_properties(stream)
    stream.begin_marked_content("Sahifa")
    stream.begin_marked_content("Span", LINE_PROPERTIES)
    return silent


def silent_properties(stream: Any) -> Any:
    """The empty ``/ActualText`` for text-less glyphs; names ``/SahifaLine`` in the page's
    resources (see ``silent_marks``)."""
    properties = stream._resources.setdefault("Properties", pydyf.Dictionary())
    properties.setdefault(LINE_PROPERTIES[1:], pydyf.Dictionary())
    return pydyf.Dictionary({"ActualText": pydyf.String("")})
