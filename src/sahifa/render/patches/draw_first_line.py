"""Patch: write each line's glyphs so the text layer gives back the source's words.

Upstream: ``weasyprint.draw.text.draw_first_line`` (WeasyPrint 70.0, draw/text.py), replaced.
WeasyPrint uses the glyph id as the character code and maps it to the text of the glyph's
first use, so a glyph shared by several letters (the dotless skeletons of Kufi and Sans
faces), a letter with its marks (tashkeel) or a base letter raised by GPOS comes back wrong or
split: word recall 0.10-0.98 for most Arabic fonts (README, "Text layer"). Layout is not
touched: only how the glyphs Pango placed are written —

- a code per (glyph, text), mapped to glyphs by a CIDToGIDMap (``textlayer.codes``, written
  by the ``fonts_dictionary`` patch);
- a cluster's text on its base glyph, marks merged into it (``textlayer.clusters``), the
  carrier's width reaching the next carrier of the word (``textlayer.widths``);
- text-less glyphs drawn after the line box (``line_deferral``), in an empty ActualText,
  tatweels inserted by kashida justification among them (``patches.kashida``);
- the line written in the order extractors read it back (``textlayer.lineorder``).

Colour (emoji) fonts are refused by the font registry, so no emoji images are returned.
Upstreamable as a whole: a text layer per (glyph, text) is what the PDF format provides for.
"""

from __future__ import annotations

import array
import struct
from bisect import bisect_left
from collections.abc import Callable
from typing import Any, NamedTuple

from sahifa.fonts.glyphs import space_glyph
from sahifa.render import context
from sahifa.render.glyph_writer import (
    LINE_PROPERTIES,
    Deferred,
    LineWriter,
    Planned,
    silent_marks,
)
from sahifa.render.patches import Patch
from sahifa.render.patches.kashida import inserted
from sahifa.render.textlayer.clusters import assign_texts
from sahifa.render.textlayer.codes import TEXTLESS
from sahifa.render.textlayer.lineorder import RLM, arrange, direction
from sahifa.render.textlayer.widths import carrier_widths


class _Geometry(NamedTuple):
    width: int
    x_offset: int
    y_offset: int


class _GlyphInfo(NamedTuple):
    """A PangoGlyphInfo's fields, read in one go (``carrier_widths`` reads these names)."""

    glyph: int
    geometry: _Geometry


def make(original: Callable[..., Any]) -> Callable[..., Any]:
    from weasyprint.text.ffi import FROM_UNITS, TO_UNITS, ffi, pango
    from weasyprint.text.line_break import get_last_word_end

    # A run's PangoGlyphInfo array read as bytes, one struct unpack per glyph, rather than
    # through cffi field by field (a call each): glyph (guint), then geometry's width,
    # x_offset and y_offset (gint), then the bit field.
    info_size = ffi.sizeof("PangoGlyphInfo")
    info_struct = struct.Struct(f"=Iiii{info_size - 16}x")
    cluster_size = ffi.sizeof("gint")
    cluster_code = {4: "i", 8: "q"}[cluster_size]  # array.array's code for a gint

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
            pango.pango_layout_set_width(layout.layout, int(layout.max_width * TO_UNITS))
            if text_overflow == "ellipsis":
                pango.pango_layout_set_ellipsize(layout.layout, pango.PANGO_ELLIPSIZE_END)
            else:
                ellipsis = "…" if block_ellipsis == "auto" else block_ellipsis[1]
                new_text = layout.text
                hyphen = textbox.style["hyphenate_character"]
                if new_text.endswith(hyphen):
                    end = get_last_word_end(new_text[: -len(hyphen)], textbox.style["lang"])
                    if end:
                        new_text = new_text[:end]
                layout.set_text(new_text + ellipsis)
        first_line, index = layout.get_first_line()
        if block_ellipsis != "none":
            while index:
                end = get_last_word_end(layout.text[: -len(ellipsis)], textbox.style["lang"])
                if end is None:
                    break
                layout.set_text(layout.text[:end] + ellipsis)
                first_line, index = layout.get_first_line()

        write = context.current()
        stream.set_text_matrix(*matrix.values)
        writer = LineWriter(stream, matrix.values, silent_marks(stream), textbox.style["color"])
        utf8 = layout.text.encode()
        silent = _inserted_offsets(textbox, layout.text)
        # First where each glyph goes and what it carries, then the writing, in the order
        # that makes extractors read the line back in logical order (``textlayer.lineorder``).
        planned: list[Planned] = []
        pen = 0.0  # points from the line's origin, as WeasyPrint advances it
        previous_font = None
        run = first_line.runs[0]
        while run != ffi.NULL:
            glyph_item = run.data
            run = run.next
            glyph_string = glyph_item.glyphs
            count = glyph_string.num_glyphs
            raw = bytearray(ffi.buffer(glyph_string.glyphs, count * info_size))
            for byte in range(16, info_size):  # the bit field: bits Pango leaves unset vary
                raw[byte::info_size] = bytes(count)
            raw = bytes(raw)
            fields = list(info_struct.iter_unpack(raw))
            pango_font = glyph_item.item.analysis.font
            if pango_font != previous_font:
                previous_font = pango_font
                font, font_size = stream.add_font(pango_font)
                if pango.pango_version() < 14802:  # pango#530, as WeasyPrint
                    font_size = textbox.style["font_size"]
            codes = write.codes_of(font)
            offset = glyph_item.item.offset
            rtl = bool(glyph_item.item.analysis.level % 2)
            end = offset + glyph_item.item.length
            run_silent = frozenset(o - offset for o in silent if offset <= o < end)
            glyphs = [f[0] for f in fields]
            geometry = [f[1:] for f in fields]
            raw_clusters = ffi.buffer(glyph_string.log_clusters, count * cluster_size)[:]
            clusters = list(array.array(cluster_code, raw_clusters))
            # Glyph → width in the PDF, as WeasyPrint fills it (an empty or unknown glyph
            # is never a key: those are worked out, and warned of, each time).
            known = font.widths
            widths = [known[f[0]] if f[0] in known
                      else _logical_width(stream, font, pango_font, f[0], f[1], font_size)
                      for f in fields]  # fmt: skip
            # The run's own bytes (glyphs, positions, clusters) key its memo: hashed in one
            # go, where tuples of them took longer than working most runs out.
            key = (utf8[offset:end], raw, raw_clusters, rtl, run_silent, font_size,
                   tuple(widths), write.archive)  # fmt: skip
            texts, spans, empty, inserted_glyphs = _run_roles(key, glyphs, geometry, clusters,
                                                              FROM_UNITS)  # fmt: skip
            carriers: dict[int, int] = {}  # glyph index in the run → index in ``planned``
            for i, role in enumerate(texts):
                width, x_units, y_units = geometry[i]
                if empty[i]:
                    pen += width / 1000  # as WeasyPrint: a zero-ink advance
                    continue
                glyph_id = glyphs[i]
                if glyph_id & pango.PANGO_GLYPH_UNKNOWN_FLAG:
                    font.missing.setdefault(glyph_id - pango.PANGO_GLYPH_UNKNOWN_FLAG, 0)
                    glyph_id = 0  # .notdef, with its box kept in the subset
                # The subsetter keeps the glyphs that are keys of ``to_unicode``.
                font.to_unicode.setdefault(glyph_id, role.text or TEXTLESS)
                x_offset = x_units / font_size
                rise = y_units / 1000
                cell = pen  # where the glyph's advance starts
                pen += x_offset * font_size / 1000
                if role.text is None:
                    # An inserted tatweel is zero wide in the font dictionary (not in PDF/A,
                    # where widths are the glyphs' own): drawn at its place all the same, it
                    # spans no gap in which a reader that ignores ActualText (PDFBox) would
                    # see a space inside the word.
                    width_in_pdf = 0 if i in inserted_glyphs and not write.archive else widths[i]
                    code = codes.code(glyph_id, None, width_in_pdf)
                    writer.deferred.append(
                        Deferred(font, font_size, pen, rise, code, writer.matrix, writer.color)
                    )
                else:
                    # A space widened by justification sits in the middle of its advance
                    # (Pango puts half the extra in its offset). It draws nothing, so it is
                    # written at the advance's start: no gap between a word and the space
                    # after it, where PDFBox would cut the line into words and read them in
                    # drawing order, which is left to right (textlayer.lineorder).
                    at = cell if role.text == " " else pen
                    carriers[i] = len(planned)
                    planned.append(Planned(font, font_size, glyph_id, at, spans[i], rise,
                                            role.text, rtl))  # fmt: skip
                # As WeasyPrint: the glyph's width, then what Pango's advance differs by.
                kerning = widths[i] + x_offset - width * 1000 * FROM_UNITS / font_size
                pen += (widths[i] - int(kerning)) * font_size / 1000
            if inserted_glyphs:
                _close_kashida_gaps(planned, carriers, inserted_glyphs, widths, codes, writer,
                                    write.archive)  # fmt: skip
        arrangement = arrange(planned, write.right_to_left)
        if write.right_to_left and planned and _has_latin(planned):
            _write_line_direction(write, writer, planned[0])
        stretch_ends = {s.start: s for s in arrangement.stretches}
        open_stretch = None
        for index, item in enumerate(planned):
            if index in stretch_ends:
                open_stretch = stretch_ends[index]
                writer.open_actual_text(open_stretch.actual_text)
            if item.font is not writer.font or item.size != writer.size:
                writer.set_font(item.font, item.size)
            before = arrangement.marks_before.get(index)
            if before:
                space = _space_glyph(write, item.font)
                if space is not None:  # (PDFBox alone needs it: no text to put it on)
                    _write_mark(write, writer, item, space, before, at_start=True)
            text = arrangement.written[index]
            mark = arrangement.marks_after.get(index)
            space = _space_glyph(write, item.font) if mark else None
            if mark and space is None:
                text += mark  # no inkless glyph to carry it: on the glyph's own text
            code = write.codes_of(item.font).code(item.glyph, text, item.width)
            writer.pen = item.pen
            if item.rise:
                writer.raised(code, item.width, item.rise, item.invisible)
            else:
                writer.glyph(code, item.width, item.invisible)
            if mark and space is not None:
                _write_mark(write, writer, item, space, mark)
            if open_stretch is not None and index == open_stretch.end - 1:
                writer.close_actual_text()
                open_stretch = None
        writer.finish()
        return []

    return draw_first_line


# A run's text roles and carrier widths, by everything they are computed from (the run's
# text, glyphs, positions, clusters, inserted tatweels, size, glyph widths, PDF/A): a word
# drawn again (in this document or the next) is not worked out again. Pure functions of the
# key, so any document may share an entry; cleared when it grows past the bound.
_RunKey = tuple[Any, ...]
_runs: dict[_RunKey, tuple[list[Any], list[float], list[bool], frozenset[int]]] = {}
_MAX_RUNS = 50_000
REMEMBER_RUNS = True  # False: every run worked out afresh (the benchmark's sha256 on/off)


def _run_roles(
    key: _RunKey, glyphs: list[int], geometry: list[tuple[int, int, int]],
    clusters: list[int], from_units: float,
) -> tuple[list[Any], list[float], list[bool], frozenset[int]]:  # fmt: skip
    """Which text each glyph of the run carries, each carrier's width in the PDF, which
    glyphs are empty and which are inserted tatweels (indices in the run); the lists are
    shared and must not be changed. ``key``: the run's text, its glyph infos and clusters
    as bytes (``glyphs``, ``geometry``, ``clusters`` read from them), direction, inserted
    offsets, size, widths in the PDF and whether it is PDF/A."""
    found = _runs.get(key) if REMEMBER_RUNS else None
    if found is not None:
        return found
    from weasyprint.text.ffi import pango

    text, _, _, rtl, silent, font_size, widths, archive = key
    empty = [glyph == pango.PANGO_GLYPH_EMPTY for glyph in glyphs]
    inserted_glyphs = frozenset(i for i, c in enumerate(clusters) if c in silent)
    texts = assign_texts(list(clusters), [g[0] for g in geometry], [g[2] for g in geometry],
                         text, rtl, empty, silent)  # fmt: skip
    infos = [_GlyphInfo(glyph, _Geometry(*where))
             for glyph, where in zip(glyphs, geometry, strict=True)]  # fmt: skip
    spans = carrier_widths(infos, texts, list(widths), empty, font_size, from_units, archive)
    found = (texts, spans, empty, inserted_glyphs)
    if REMEMBER_RUNS:
        if len(_runs) >= _MAX_RUNS:
            _runs.clear()
        _runs[key] = found
    return found


def _close_kashida_gaps(
    planned: list[Planned], carriers: dict[int, int], inserted: set[int], own: list[int],
    codes: Any, writer: LineWriter, archive: bool,
) -> None:  # fmt: skip
    """An inserted tatweel leaves a gap between two carriers of its word. Outside PDF/A the
    carrier before it is as wide as that gap (``carrier_widths``), which keeps the text
    layer on the ink; but in PDF/A each glyph keeps its own width and extractors split the
    word at the gap, and where the widened carrier has the same letter of its word close by
    PDFBox drops one as a duplicate. There the carriers left of the gap (to the word's start)
    are written invisibly, moved right to close it with the carrier at its own width (or, at
    the line's left end, those before it moved left), and drawn where they are as text-less
    glyphs: the page looks the same, the word reads whole, and the line's text still reaches
    both of its edges."""
    order = sorted(carriers)
    # The gaps (between carriers k and k + 1) an inserted tatweel falls in, left to right.
    gaps = sorted({at - 1 for g in inserted
                   if 0 < (at := bisect_left(order, g)) < len(order) and order[at] > g})
    for k in gaps:
        here, after = order[k], order[k + 1]
        left, right = planned[carriers[here]], planned[carriers[after]]
        if not archive and not _duplicate_risk(planned, carriers[here]):
            continue  # the carrier's width already reaches over the tatweel (carrier_widths)
        left.width = float(own[here])
        gap = right.pen - (left.pen + left.width * left.size / 1000)
        if gap <= 0:
            continue
        # The part that moves is the one inside the line: the letters after the tatweel move
        # right, unless they end the line (its left edge: ``planned`` holds the line so far,
        # left to right), then those before it move left. The line's ends stay on the ink.
        start = carriers[here]
        while start > 0 and not planned[start - 1].text.isspace():
            start -= 1
        if start > 0:
            moved = planned[start : carriers[here] + 1]
        else:
            moved = [planned[carriers[i]] for i in order[k + 1 :]]
            gap = -gap
        for item in moved:
            if item.text.isspace():
                break
            if not item.invisible:
                # Zero wide outside PDF/A, as the tatweels: no gap for PDFBox to read.
                code = codes.code(item.glyph, None, item.width if archive else 0.0)
                writer.deferred.append(Deferred(item.font, item.size, item.pen, item.rise,
                                                code, writer.matrix, writer.color))  # fmt: skip
                item.invisible = True
            item.pen += gap


def _duplicate_risk(planned: list[Planned], index: int) -> bool:
    """PDFBox drops a character as a duplicate when the same text was shown within a third
    of its width (``suppressDuplicateOverlappingText``): a carrier widened over a tatweel
    next to the same letter of its word ("وسـلالم") would lose one of them."""
    item = planned[index]
    reach = item.width * item.size / 1000 / max(1, len(item.text)) / 3 + 0.5
    for step in (-1, 1):
        other = index + step
        while 0 <= other < len(planned) and not planned[other].text.isspace():
            near = planned[other]
            if abs(near.pen - item.pen) > 2 * reach + near.width * near.size / 1000:
                break
            if near.text == item.text and abs(near.pen - item.pen) < reach:
                return True
            other += step
    return False


def _inserted_offsets(textbox: Any, text: str) -> list[int]:
    """Byte offsets in ``text`` of the tatweels kashida justification inserted."""
    indices = inserted(textbox)
    if not indices:
        return []
    starts = [0]
    for char in text:
        starts.append(starts[-1] + len(char.encode()))
    return [starts[i] for i in indices if i < len(text)]


def _logical_width(stream: Any, font: Any, pango_font: Any, glyph_id: int, advance: int,
                   font_size: float) -> int:  # fmt: skip
    """A glyph's width in the PDF (thousandths of the font size), as WeasyPrint computes it
    (``advance``: its width in the line, Pango units)."""
    from weasyprint.logger import LOGGER
    from weasyprint.text.ffi import FROM_UNITS, pango

    if glyph_id == pango.PANGO_GLYPH_EMPTY:
        return 0
    if glyph_id & pango.PANGO_GLYPH_UNKNOWN_FLAG:
        codepoint = glyph_id - pango.PANGO_GLYPH_UNKNOWN_FLAG
        LOGGER.warning(
            '.notdef glyph rendered for Unicode string unsupported by fonts: "%s" (U+%04X)',
            chr(codepoint), codepoint,
        )  # fmt: skip
        return round(advance * 1000 * FROM_UNITS / font_size)
    if glyph_id not in font.widths:
        pango.pango_font_get_glyph_extents(
            pango_font, glyph_id, stream.ink_rect, stream.logical_rect
        )
        font.widths[glyph_id] = round(stream.logical_rect.width * 1000 * FROM_UNITS / font_size)
    return font.widths[glyph_id]


def _space_glyph(write: context.WriteContext, font: Any) -> tuple[int, int] | None:
    if id(font) not in write.spaces:
        write.spaces[id(font)] = space_glyph(font.file_content, font.index)
    return write.spaces[id(font)]


def _has_latin(planned: list[Planned]) -> bool:
    return any(direction(char) == "L" for item in planned for char in item.text)


def _write_line_direction(write: context.WriteContext, writer: LineWriter, first: Planned) -> None:
    """An RLM at the line's left end, before its first glyph: PDFBox reads a line as a visual
    string and takes its direction from the first strong letter, so a line whose left end is
    Latin ("... Marcel Koller،") was read left to right, its Arabic words after the Latin. A
    zero-width inkless glyph in an empty ``/ActualText`` nested as the text-less glyphs are
    (``glyph_writer.silent_marks``): PDFium and poppler skip it, pdf.js drops bidi marks."""
    space = _space_glyph(write, first.font)
    if space is None:
        return
    glyph, advance = space
    width = advance if write.archive else 0
    first.font.to_unicode.setdefault(glyph, TEXTLESS)  # kept in the subset
    writer.set_font(first.font, first.size)
    stream = writer.stream
    if writer.silent is not None:  # leave the line's two levels for the silent ones
        stream.end_marked_content()
        stream.end_marked_content()
        stream.begin_marked_content("Span", writer.silent)
        stream.begin_marked_content("Span", LINE_PROPERTIES)
    writer.pen = first.pen
    writer.glyph(write.codes_of(first.font).code(glyph, RLM, width), width)
    writer.flush()
    if writer.silent is not None:
        stream.end_marked_content()
        stream.end_marked_content()
        stream.begin_marked_content("Sahifa")
        stream.begin_marked_content("Span", LINE_PROPERTIES)


def _write_mark(
    write: context.WriteContext, writer: LineWriter, item: Planned, space: tuple[int, int],
    mark: str, at_start: bool = False,
) -> None:  # fmt: skip
    """A bidi mark as a glyph of its own: an inkless glyph (``sahifa.fonts.glyphs``), at
    ``item``'s right edge (its left edge ``at_start``); zero wide, except in PDF/A, where
    widths must be the glyphs' own."""
    glyph, advance = space
    width = advance if write.archive else 0
    item.font.to_unicode.setdefault(glyph, TEXTLESS)  # kept in the subset
    if item.font is not writer.font or item.size != writer.size:
        writer.set_font(item.font, item.size)
    writer.pen = item.pen + (0 if at_start else item.width * item.size / 1000)
    writer.glyph(write.codes_of(item.font).code(glyph, mark, width), width)


PATCH = Patch(
    # draw_text and SVG text look draw_first_line up in its module.
    target="weasyprint.draw.text:draw_first_line",
    upstream="weasyprint.draw.text:draw_first_line",
    calls=(
        "weasyprint.text.line_break:get_last_word_end",
        "weasyprint.pdf.stream:Stream.add_font",
        "weasyprint.pdf.stream:Stream.set_text_matrix",
        "weasyprint.pdf.stream:Stream.set_font_size",
        "weasyprint.pdf.stream:Stream.show_text",
        "weasyprint.pdf.stream:Stream.set_text_rise",
        "weasyprint.pdf.stream:Stream.begin_marked_content",
        "weasyprint.pdf.stream:Stream.end_marked_content",
        "weasyprint.pdf.fonts:Font.__init__",
    ),
    make=make,
)
