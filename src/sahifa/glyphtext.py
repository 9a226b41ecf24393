"""The PDF text layer: which text each drawn glyph gives back to a search or a copy.

A PDF maps character codes, not glyphs, to Unicode. WeasyPrint 70 uses the glyph id as the code
and maps it to the text of the glyph's *first* use, so a glyph shared by several letters (the
dotless skeletons of Kufi and Sans faces), a letter with its marks (tashkeel) or a base letter
raised by GPOS comes back wrong or split: word recall 0.10-0.98 for most Arabic fonts (see
README, "Text layer"). Here each line is written so that extractors (poppler, PDFium) read
back the source's words, in logical order, without changing how the page looks:

- **a code per (glyph, text)**: codes are handed out per font in order of first use and mapped
  to glyphs by a ``CIDToGIDMap``, so one glyph can carry different texts in different places;
- **a cluster's text on its base glyph**: Pango gives each mark its own cluster; mark-only
  clusters join the letter before them, and the whole text (letter, marks; or the letters of a
  ligature) goes on the cluster's widest glyph. The other glyphs (dots, marks) carry no text;
- **text-less glyphs are drawn after the line box**, at their own positions, with codes that
  map to a space: drawn inside a word they split it (poppler) or leak a stray character
  (PDFium), and drawn between two text boxes they break PDFium's ordering of the line;
- **raised base glyphs** (GPOS moves some letters up) would start a new "line" in PDFium, so
  their text joins the neighbouring cluster of the same word and they are drawn text-less;
- **multi-character texts in right-to-left runs are written reversed**: both extractors reverse
  them back when they order an RTL line;
- **the line's reading order** (Latin stretches, mirrored punctuation, weak characters) is
  arranged by ``sahifa.lineorder``; the glyphs stay in drawing order.

This module does not import WeasyPrint: ``sahifa.pdf`` (the only module that does) hands it
WeasyPrint's pieces and installs the two functions below in place of WeasyPrint's own
``draw_first_line`` and ``build_fonts_dictionary``. The decisions per cluster are plain
functions (``assign_texts``), tested without WeasyPrint.
"""

from __future__ import annotations

import contextlib
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import pairwise
from math import ceil
from typing import Any

from sahifa.fonts.glyphs import space_glyph
from sahifa.lineorder import Piece, arrange

# The text a text-less glyph maps to. Every code needs a Unicode value (PDF/A-u); a space is
# the one value both extractors treat as a word break, and these glyphs are drawn after the
# line's words, so the break falls after the last word.
TEXTLESS = " "

_JOINERS = {"\u200c", "\u200d"}

# Set while a PDF/A file is written: PDF/A requires every width in a font dictionary to be the
# embedded glyph's own advance, so carriers keep their own widths there (the gaps they would
# have covered stay TJ adjustments, and PDFium may read one as a space).
_own_widths = False


# Set while a document that reads right to left is written: it declares so (/Direction
# /R2L), and PDFium then reads every line right to left, so each is written for that reading.
_right_to_left = False


@contextmanager
def _setting(name: str, value: bool) -> Iterator[None]:
    """Set the module flag ``name`` for the duration of one PDF's writing."""
    saved = globals()[name]
    globals()[name] = value
    try:
        yield
    finally:
        globals()[name] = saved


def right_to_left(enabled: bool = True) -> contextlib.AbstractContextManager[None]:
    return _setting("_right_to_left", enabled)


def own_widths(enabled: bool = True) -> contextlib.AbstractContextManager[None]:
    return _setting("_own_widths", enabled)


def _is_mark_only(text: str) -> bool:
    """A cluster of combining marks (tashkeel) or joiners only: it belongs to the letter
    before it."""
    return bool(text) and all(
        unicodedata.category(c) in ("Mn", "Me") or c in _JOINERS for c in text
    )


@dataclass
class _Cluster:
    start: int
    text: str
    glyphs: list[int] = field(default_factory=list)  # indices into the run, visual order


@dataclass(frozen=True)
class GlyphText:
    """What one glyph of a run carries into the text layer."""

    text: str | None  # the (merged) cluster's text on its carrier glyph; None on the others
    absorbed_by: int | None = None  # a text-less glyph: the carrier whose width covers it


def assign_texts(
    starts: Sequence[int],
    advances: Sequence[int],
    rises: Sequence[float],
    utf8: bytes,
    rtl: bool,
    empty: Sequence[bool] | None = None,
) -> list[GlyphText]:
    """The text each glyph of one run carries.

    ``starts[i]`` is glyph i's cluster start (a byte offset in the run, Pango's
    ``log_clusters``), ``advances[i]`` its advance, ``rises[i]`` its vertical offset;
    ``utf8`` is the run's text in UTF-8 (what the offsets index); ``empty[i]`` marks glyphs
    that draw nothing (Pango's empty glyph). Glyphs are in visual (drawing) order.

    A cluster's glyphs are drawn side by side. Its text goes on the first of them that
    advances the pen, and that glyph's width in the PDF covers the advances of the cluster's
    later glyphs: an extractor sees one character box from the cluster's start to its end,
    with no gap where a text-less glyph (a dot, a connecting stroke) is drawn.
    """
    empty = empty or [False] * len(starts)
    bounds = sorted(set(starts))
    ends = dict(zip(bounds, [*bounds[1:], len(utf8)], strict=True))
    clusters: dict[int, _Cluster] = {}
    for index, start in enumerate(starts):
        cluster = clusters.get(start)
        if cluster is None:
            text = utf8[start : ends[start]].decode(errors="replace")
            cluster = clusters[start] = _Cluster(start, text)
        cluster.glyphs.append(index)
    # Logical order; marks join the letter before them (they are drawn next to it).
    merged: list[_Cluster] = []
    for start in bounds:
        cluster = clusters[start]
        if merged and _is_mark_only(cluster.text):
            merged[-1].text += cluster.text
            merged[-1].glyphs += cluster.glyphs
        else:
            merged.append(cluster)
    # A raised base glyph (GPOS lifts some letters) must not carry text: PDFium splits the word
    # where the text rise changes. Its cluster joins a neighbour in the same word, preferably
    # the one drawn before it (the next in RTL), whose carrier's width can then cover it.
    raised = [not any(advances[i] > 0 and not rises[i] and not empty[i] for i in c.glyphs)
              and any(rises[i] for i in c.glyphs) for c in merged]  # fmt: skip
    k = 0
    while k < len(merged):
        cluster = merged[k]
        if not raised[k] or cluster.text.isspace():
            k += 1
            continue
        before, after = k - 1, k + 1
        order = (after, before) if rtl else (before, after)
        target = next((t for t in order if 0 <= t < len(merged)
                       and not merged[t].text.isspace()), None)  # fmt: skip
        if target is None:
            k += 1
            continue
        host = merged[target]
        host.glyphs += cluster.glyphs
        host.text = host.text + cluster.text if target < k else cluster.text + host.text
        raised[target] = raised[target] and raised[k]
        del merged[k], raised[k]
        k = min(k, target)
    roles = [GlyphText(None)] * len(starts)
    orphan = ""  # text of a cluster with no drawn glyph, for the next carrier
    last: int | None = None  # the last carrier
    for cluster in merged:
        glyphs = sorted(i for i in cluster.glyphs if not empty[i])
        advancing = [i for i in glyphs if advances[i] > 0] or glyphs
        if not advancing:
            orphan += cluster.text
            continue
        carrier = next((i for i in advancing if not rises[i]), advancing[0])
        roles[carrier] = GlyphText(orphan + cluster.text)
        orphan = ""
        for i in glyphs:
            if i > carrier:
                roles[i] = GlyphText(None, carrier)
            elif i < carrier:
                roles[i] = GlyphText(None)
        last = carrier
    if orphan.strip() and last is not None:
        roles[last] = GlyphText((roles[last].text or "") + orphan)
    return roles


class Codes:
    """One font's character codes: a code per (glyph id, text, width in the PDF).

    Code 0 is .notdef. Codes are handed out from 1 in order of first use, so they stay low
    (the CIDToGIDMap costs two bytes per code up to the highest).
    """

    def __init__(self) -> None:
        self.by_key: dict[tuple[int, str | None, float], int] = {}
        self.glyphs: list[int] = [0]
        self.texts: list[str | None] = [None]
        self.widths: list[float] = [0]

    def code(self, glyph: int, text: str | None, width: float) -> int:
        key = (glyph, text, width)
        code = self.by_key.get(key)
        if code is None:
            if len(self.glyphs) > 0xFFFF:  # two-byte codes (Identity-H)
                raise ValueError("more than 65,535 distinct glyph codes in one font")
            code = self.by_key[key] = len(self.glyphs)
            self.glyphs.append(glyph)
            self.texts.append(text)
            self.widths.append(width)
        return code


def codes_of(font: Any) -> Codes:
    codes = getattr(font, "sahifa_codes", None)
    if codes is None:
        codes = font.sahifa_codes = Codes()
    return codes


def _number(value: float) -> str:
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


@dataclass
class _Deferred:
    font: Any
    size: float
    x: float  # from the line's origin, in points of text space
    rise: float
    code: int
    matrix: tuple[float, ...] = ()  # the text box's line origin
    color: Any = None  # the text box's colour, as WeasyPrint's stream takes it


@dataclass
class _Planned:
    """A glyph that carries text, placed: written once the line's order is known."""

    font: Any
    size: float
    glyph: int
    pen: float  # from the line's origin, in points of text space
    width: float  # its width in the PDF, thousandths of the font size
    rise: float
    text: str  # the logical text it carries
    rtl: bool  # in a right-to-left run


class LineDeferral:
    """The text-less glyphs of one line box, drawn after all of its text boxes.

    PDFium orders the text objects of a line by x only while they follow each other at the
    same height; a group of marks drawn between two text boxes (a run-in head and the
    paragraph it opens) is at another height, so the boxes came back in drawing order, the
    head after its line. Drawn after the whole line, the marks no longer come between them."""

    def __init__(self) -> None:
        self.items: list[_Deferred] = []

    def draw(self, stream: Any, pydyf: Any) -> None:
        if not self.items:
            return
        stream.begin_text()
        _draw_deferred(stream, self.items, _silent_properties(stream, pydyf))
        stream.end_text()


_line_deferrals: list[LineDeferral] = []  # the line boxes being drawn, innermost last


def make_draw_inline_level(original: Callable[..., Any], line_box: type, pydyf: Any) -> Any:
    """WeasyPrint's ``draw_inline_level`` that draws a line box's text-less glyphs after all
    of its text boxes (see ``LineDeferral``)."""

    def draw_inline_level(stream: Any, page: Any, box: Any, *args: Any, **kwargs: Any) -> Any:
        if not isinstance(box, line_box):
            return original(stream, page, box, *args, **kwargs)
        deferral = LineDeferral()
        _line_deferrals.append(deferral)
        try:
            result = original(stream, page, box, *args, **kwargs)
        finally:
            _line_deferrals.pop()
        deferral.draw(stream, pydyf)
        return result

    draw_inline_level.sahifa_line_deferral = True  # type: ignore[attr-defined]
    return draw_inline_level


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
        self.deferred: list[_Deferred] = []

    def set_font(self, font: Any, size: float) -> None:
        self.flush()
        self.font, self.size = font, size
        self.stream.set_font_size(font.hash, size)

    def advance(self, units: float) -> None:
        """Move the pen right by ``units`` thousandths of the font size."""
        self.pen += units * self.size / 1000

    def glyph(self, code: int, width: float) -> None:
        """Write ``code`` at the pen; the PDF's pen then moves by its ``width``."""
        gap = self.pen - self.emitted
        if abs(gap) > 1e-9:
            # Measured in points, written in this TJ's font size.
            self.parts.append(_number(-gap * 1000 / self.size))
        self.parts.append(f"<{code:04x}>")
        self.emitted = self.pen + width * self.size / 1000

    def open_actual_text(self, text: str, pydyf: Any) -> None:
        """Start a text object whose text PDFium reads as ``text`` (``sahifa.lineorder``):
        ``/SahifaText``, not ``/Span``, so that poppler keeps reading the glyphs."""
        self.flush()
        self.stream.begin_marked_content(
            "SahifaText", pydyf.Dictionary({"ActualText": pydyf.String(text)})
        )

    def close_actual_text(self) -> None:
        self.flush()
        self.stream.end_marked_content()

    def raised(self, code: int, width: float, rise: float) -> None:
        """A glyph drawn with a text rise, in a TJ of its own (as WeasyPrint does)."""
        self.flush()
        self.stream.set_text_rise(-rise)
        self.glyph(code, width)
        self.flush()
        self.stream.set_text_rise(0)

    def defer(self, code: int, rise: float) -> None:
        self.deferred.append(
            _Deferred(self.font, self.size, self.pen, rise, code, self.matrix, self.color)
        )

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
        if _line_deferrals:
            _line_deferrals[-1].items += self.deferred
        else:
            _draw_deferred(self.stream, self.deferred, self.silent)
        self.deferred = []


def _draw_deferred(stream: Any, items: Sequence[_Deferred], silent: Any) -> None:
    """Write text-less glyphs inside a text object: each group of the same colour, line,
    font, size and rise from a text matrix set at its first glyph."""
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
        writer.glyph(item.code, codes_of(item.font).widths[item.code])
    writer.flush()
    if group is not None and group[-1]:
        stream.set_text_rise(0)
    if silent is not None:
        stream.end_marked_content()
        stream.end_marked_content()


def to_unicode_cmap(codes: Codes, header: Sequence[bytes]) -> list[bytes]:
    """The ToUnicode CMap lines for ``codes`` (every code maps to text; text-less glyphs map
    to ``TEXTLESS``)."""
    lines = list(header)
    items = [(code, codes.texts[code]) for code in range(1, len(codes.glyphs))]
    for i in range(ceil(len(items) / 100)):
        batch = items[i * 100 : (i + 1) * 100]
        lines.append(f"{len(batch)} beginbfchar".encode())
        for code, text in batch:
            value = (text if text else TEXTLESS).encode("utf-16-be").hex()
            lines.append(f"<{code:04x}> <{value}>".encode())
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return lines


def cid_to_gid_map(codes: Codes) -> bytes:
    return b"".join(glyph.to_bytes(2, "big") for glyph in codes.glyphs)


LINE_PROPERTIES = "/SahifaLine"


def _silent_marks(stream: Any, pydyf: Any) -> Any:
    """Open the line's marked content; return the property list for its text-less glyphs.

    Those glyphs carry no text, but every code needs a Unicode value, and PDFium starts a new
    line of output (" \r\n") for each group of them at another height. Wrapped in an empty
    ``/ActualText`` they stand for nothing (PDF 14.9.4; poppler honours it). PDFium skips such
    an object only when its marked-content nesting matches the text object before it, with
    the same innermost property dictionary: so the line itself sits in two levels whose inner
    one is the named ``/SahifaLine`` (one dictionary in the page's resources), and the glyphs
    in two levels whose inner one is the same name."""
    silent = _silent_properties(stream, pydyf)
    stream.begin_marked_content("Sahifa")
    stream.begin_marked_content("Span", LINE_PROPERTIES)
    return silent


def _silent_properties(stream: Any, pydyf: Any) -> Any:
    """The empty ``/ActualText`` for text-less glyphs; names ``/SahifaLine`` in the page's
    resources (see ``_silent_marks``)."""
    properties = stream._resources.setdefault("Properties", pydyf.Dictionary())
    properties.setdefault(LINE_PROPERTIES[1:], pydyf.Dictionary())
    return pydyf.Dictionary({"ActualText": pydyf.String("")})


def _logical_width(
    stream: Any, wp: Any, font: Any, pango_font: Any, info: Any, font_size: float
) -> int:
    """A glyph's width in the PDF (thousandths of the font size), as WeasyPrint computes it."""
    glyph_id = info.glyph
    if glyph_id == wp.pango.PANGO_GLYPH_EMPTY:
        return 0
    if glyph_id & wp.pango.PANGO_GLYPH_UNKNOWN_FLAG:
        codepoint = glyph_id - wp.pango.PANGO_GLYPH_UNKNOWN_FLAG
        wp.LOGGER.warning(
            '.notdef glyph rendered for Unicode string unsupported by fonts: "%s" (U+%04X)',
            chr(codepoint), codepoint,
        )  # fmt: skip
        return round(info.geometry.width * 1000 * wp.FROM_UNITS / font_size)
    if glyph_id not in font.widths:
        wp.pango.pango_font_get_glyph_extents(
            pango_font, glyph_id, stream.ink_rect, stream.logical_rect
        )
        font.widths[glyph_id] = round(stream.logical_rect.width * 1000 * wp.FROM_UNITS / font_size)
    return font.widths[glyph_id]


def _carrier_widths(
    infos: Sequence[Any], roles: Sequence[GlyphText], widths: Sequence[int],
    empty: Sequence[bool], font_size: float, from_units: float,
) -> list[float]:  # fmt: skip
    """The width each carrier glyph gets in the PDF: the distance to the next carrier of the
    same word, so the characters' boxes abut as the letters do; extractors put a space in any
    gap (a text-less glyph, a kerning pair, a cursive join). Whole units: the rest stays a TJ
    adjustment. Elsewhere (before a space, at the run's end) the glyph's own width plus the
    text-less glyphs it covers."""
    if _own_widths:
        return [float(w) for w in widths]
    origins: list[float] = []
    pen = 0.0
    for info, width, is_empty in zip(infos, widths, empty, strict=True):
        if is_empty:
            origins.append(pen)
            pen += info.geometry.width / font_size
            continue
        x_offset = info.geometry.x_offset / font_size
        origins.append(pen + x_offset)
        kerning = width + x_offset - info.geometry.width * 1000 * from_units / font_size
        pen += x_offset + width - int(kerning)
    spans = [float(w) for w in widths]
    for i, role in enumerate(roles):
        if role.absorbed_by is not None:
            spans[role.absorbed_by] += widths[i]
    carriers = [i for i, role in enumerate(roles) if role.text is not None]
    for here, after in pairwise(carriers):
        if roles[here].text.isspace() or roles[after].text.isspace():  # type: ignore[union-attr]
            continue
        span = round(origins[after] - origins[here])
        if span > 0:
            spans[here] = span
    return spans


def make_draw_first_line(wp: Any) -> Callable[..., list[Any]]:
    """WeasyPrint's ``draw_first_line`` (draw/text.py, pinned 70.0) with this module's text
    layer. ``wp`` carries WeasyPrint's pieces: ``pango``, ``ffi``, ``FROM_UNITS``,
    ``TO_UNITS``, ``LOGGER``, ``get_last_word_end``. Layout is not touched: only how the
    glyphs Pango placed are written. Colour (emoji) fonts are refused by the font registry,
    so no emoji images are returned."""
    pango, ffi = wp.pango, wp.ffi

    def draw_first_line(
        stream: Any, textbox: Any, text_overflow: str, block_ellipsis: Any, matrix: Any
    ) -> list[Any]:
        if not textbox.text.strip() or textbox.style["font_size"] < 1e-6:
            return []
        layout = textbox.pango_layout
        pango.pango_layout_set_single_paragraph_mode(layout.layout, True)
        ellipsis = ""
        if text_overflow == "ellipsis" or block_ellipsis != "none":
            # As WeasyPrint: shorten the line and end it with an ellipsis.
            pango.pango_layout_set_width(layout.layout, int(layout.max_width * wp.TO_UNITS))
            if text_overflow == "ellipsis":
                pango.pango_layout_set_ellipsize(layout.layout, pango.PANGO_ELLIPSIZE_END)
            else:
                ellipsis = "…" if block_ellipsis == "auto" else block_ellipsis[1]
                new_text = layout.text
                hyphen = textbox.style["hyphenate_character"]
                if new_text.endswith(hyphen):
                    end = wp.get_last_word_end(new_text[: -len(hyphen)], textbox.style["lang"])
                    if end:
                        new_text = new_text[:end]
                layout.set_text(new_text + ellipsis)
        first_line, index = layout.get_first_line()
        if block_ellipsis != "none":
            while index:
                end = wp.get_last_word_end(layout.text[: -len(ellipsis)], textbox.style["lang"])
                if end is None:
                    break
                layout.set_text(layout.text[:end] + ellipsis)
                first_line, index = layout.get_first_line()

        stream.set_text_matrix(*matrix.values)
        writer = LineWriter(
            stream, matrix.values, _silent_marks(stream, wp.pydyf), textbox.style["color"]
        )
        utf8 = layout.text.encode()
        # First where each glyph goes and what it carries, then the writing, in the order
        # that makes extractors read the line back in logical order (``sahifa.lineorder``).
        planned: list[_Planned] = []
        pen = 0.0  # points from the line's origin, as WeasyPrint advances it
        previous_font = None
        run = first_line.runs[0]
        while run != ffi.NULL:
            glyph_item = run.data
            run = run.next
            glyph_string = glyph_item.glyphs
            count = glyph_string.num_glyphs
            infos = glyph_string.glyphs[0:count]
            pango_font = glyph_item.item.analysis.font
            if pango_font != previous_font:
                previous_font = pango_font
                font, font_size = stream.add_font(pango_font)
                if pango.pango_version() < 14802:  # pango#530, as WeasyPrint
                    font_size = textbox.style["font_size"]
            codes = codes_of(font)
            offset = glyph_item.item.offset
            rtl = bool(glyph_item.item.analysis.level % 2)
            empty = [info.glyph == pango.PANGO_GLYPH_EMPTY for info in infos]
            texts = assign_texts(
                [glyph_string.log_clusters[i] for i in range(count)],
                [info.geometry.width for info in infos],
                [info.geometry.y_offset for info in infos],
                utf8[offset : offset + glyph_item.item.length],
                rtl,
                empty,
            )
            widths = [_logical_width(stream, wp, font, pango_font, info, font_size)
                      for info in infos]  # fmt: skip
            spans = _carrier_widths(infos, texts, widths, empty, font_size, wp.FROM_UNITS)
            for i, (info, role) in enumerate(zip(infos, texts, strict=True)):
                width = info.geometry.width
                if empty[i]:
                    pen += width / 1000  # as WeasyPrint: a zero-ink advance
                    continue
                glyph_id = info.glyph
                if glyph_id & pango.PANGO_GLYPH_UNKNOWN_FLAG:
                    font.missing.setdefault(glyph_id - pango.PANGO_GLYPH_UNKNOWN_FLAG, 0)
                    glyph_id = 0  # .notdef, with its box kept in the subset
                # The subsetter keeps the glyphs that are keys of ``to_unicode``.
                font.to_unicode.setdefault(glyph_id, role.text or TEXTLESS)
                x_offset = info.geometry.x_offset / font_size
                rise = info.geometry.y_offset / 1000
                pen += x_offset * font_size / 1000
                if role.text is None:
                    code = codes.code(glyph_id, None, widths[i])
                    writer.deferred.append(
                        _Deferred(font, font_size, pen, rise, code, writer.matrix, writer.color)
                    )
                else:
                    planned.append(_Planned(font, font_size, glyph_id, pen, spans[i], rise,
                                            role.text, rtl))  # fmt: skip
                # As WeasyPrint: the glyph's width, then what Pango's advance differs by.
                kerning = widths[i] + x_offset - width * 1000 * wp.FROM_UNITS / font_size
                pen += (widths[i] - int(kerning)) * font_size / 1000
        arrangement = arrange([Piece(item.text, item.rtl) for item in planned], _right_to_left)
        stretch_ends = {s.start: s for s in arrangement.stretches}
        open_stretch = None
        for index, item in enumerate(planned):
            if index in stretch_ends:
                open_stretch = stretch_ends[index]
                writer.open_actual_text(open_stretch.actual_text, wp.pydyf)
            if item.font is not writer.font or item.size != writer.size:
                writer.set_font(item.font, item.size)
            text = arrangement.written[index]
            mark = arrangement.marks_after.get(index)
            space = _space_glyph(item.font) if mark else None
            if mark and space is None:
                text += mark  # no inkless glyph to carry it: on the glyph's own text
            code = codes_of(item.font).code(item.glyph, text, item.width)
            writer.pen = item.pen
            if item.rise:
                writer.raised(code, item.width, item.rise)
            else:
                writer.glyph(code, item.width)
            if mark and space is not None:
                _write_mark(writer, item, space, mark)
            if open_stretch is not None and index == open_stretch.end - 1:
                writer.close_actual_text()
                open_stretch = None
        writer.finish()
        return []

    return draw_first_line


def _space_glyph(font: Any) -> tuple[int, int] | None:
    if not hasattr(font, "sahifa_space"):
        font.sahifa_space = space_glyph(font.file_content, font.index)
    return font.sahifa_space


def _write_mark(writer: LineWriter, item: _Planned, space: tuple[int, int], mark: str) -> None:
    """A bidi mark as a glyph of its own: an inkless glyph (fonts.glyphs), at ``item``'s right edge;
    zero wide, except in PDF/A, where widths must be the glyphs' own."""
    glyph, advance = space
    width = advance if _own_widths else 0
    item.font.to_unicode.setdefault(glyph, TEXTLESS)  # kept in the subset
    writer.pen = item.pen + item.width * item.size / 1000
    writer.glyph(codes_of(item.font).code(glyph, mark, width), width)


_TO_UNICODE_HEADER = (
    b"/CIDInit /ProcSet findresource begin", b"12 dict begin", b"begincmap",
    b"/CIDSystemInfo", b"<< /Registry (Adobe)", b"/Ordering (UCS)", b"/Supplement 0",
    b">> def", b"/CMapName /Adobe-Identity-UCS def", b"/CMapType 2 def",
    b"1 begincodespacerange", b"<0000> <ffff>", b"endcodespacerange",
)  # fmt: skip


def make_build_fonts_dictionary(pydyf: Any) -> Callable[..., Any]:
    """WeasyPrint's ``build_fonts_dictionary`` (pdf/fonts.py, pinned 70.0) for the codes
    written by ``draw_first_line`` above: the subset keeps the glyphs used, and each font gets
    a ToUnicode map, widths and a CIDToGIDMap keyed by code. Fonts are TrueType-outline,
    static and colourless (the registry refuses others), so the one route suffices."""

    def build_fonts_dictionary(
        pdf: Any, fonts: dict[str, Any], compress: bool, subset: bool, options: dict[str, Any]
    ) -> Any:
        pdf_fonts = pydyf.Dictionary()
        by_file: dict[str, list[Any]] = {}
        for font in fonts.values():
            by_file.setdefault(font.hash, []).append(font)
        references = {}
        for file_hash, file_fonts in by_file.items():
            font = file_fonts[0]
            # The glyphs every font of this file used (``to_unicode``'s keys are glyph ids).
            used: dict[int, str] = {0: ""}
            for file_font in file_fonts:
                used.update(file_font.to_unicode)
            font.clean(used, options["hinting"])
            extra = pydyf.Dictionary({"Length1": len(font.file_content)})
            font_stream = pydyf.Stream([font.file_content], extra, compress=compress)
            pdf.add_object(font_stream)
            references[file_hash] = font_stream.reference
        for font in fonts.values():
            codes = codes_of(font)
            to_unicode = pydyf.Stream(to_unicode_cmap(codes, _TO_UNICODE_HEADER),
                                      compress=compress)  # fmt: skip
            pdf.add_object(to_unicode)
            font_dictionary = pydyf.Dictionary({
                "Type": "/Font", "Subtype": "/Type0", "BaseFont": font.name,
                "Encoding": "/Identity-H", "ToUnicode": to_unicode.reference,
            })  # fmt: skip
            descendant = _descendant_font(pdf, pydyf, font, codes, references[font.hash],
                                          compress, options["pdf_version"])  # fmt: skip
            font_dictionary["DescendantFonts"] = pydyf.Array([descendant.reference])
            pdf.add_object(font_dictionary)
            pdf_fonts[font.hash] = font_dictionary.reference
        return pdf_fonts

    return build_fonts_dictionary


def _descendant_font(
    pdf: Any, pydyf: Any, font: Any, codes: Codes, reference: Any, compress: bool,
    pdf_version: Any,
) -> Any:  # fmt: skip
    widths = codes.widths
    flags = font.flags
    if len(widths) > 2 and len(set(widths[1:])) == 1:
        flags += 1  # FixedPitch
    descriptor = pydyf.Dictionary({
        "Type": "/FontDescriptor", "FontName": font.name,
        "FontFamily": pydyf.String(font.family), "Flags": flags,
        "FontBBox": pydyf.Array((0, font.descent, max(widths), font.ascent)),
        "ItalicAngle": font.italic_angle, "Ascent": font.ascent, "Descent": font.descent,
        "CapHeight": font.ascent, "StemV": font.stemv, "StemH": font.stemh,
        "FontFile2": reference,
    })  # fmt: skip
    if str(pdf_version) <= "1.4":  # PDF/A-1 lists the codes used (CIDSet)
        size = ceil(len(widths) / 8)
        bits = int("1" * len(widths) + "0" * (size * 8 - len(widths)), 2)
        cid_set = pydyf.Stream((bits.to_bytes(size, "big"),), compress=compress)
        pdf.add_object(cid_set)
        descriptor["CIDSet"] = cid_set.reference
    pdf.add_object(descriptor)
    gid_map = pydyf.Stream((cid_to_gid_map(codes),), compress=compress)
    pdf.add_object(gid_map)
    descendant = pydyf.Dictionary({
        "Type": "/Font", "Subtype": "/CIDFontType2", "BaseFont": font.name,
        "CIDSystemInfo": pydyf.Dictionary({
            "Registry": pydyf.String("Adobe"), "Ordering": pydyf.String("Identity"),
            "Supplement": 0,
        }),
        "CIDToGIDMap": gid_map.reference,
        "W": pydyf.Array([1, pydyf.Array(widths[1:])]) if len(widths) > 1 else pydyf.Array(),
        "FontDescriptor": descriptor.reference,
    })  # fmt: skip
    pdf.add_object(descendant)
    return descendant
