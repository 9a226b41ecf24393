"""The order a right-to-left line is written in, so that PDFium reads it back logically.

``pdfium_reads`` is a model of PDFium's reading of one line (``CPDF_TextPage::CloseTempLine``
with the document's /Direction /R2L): the line's characters left to right, cut into direction
segments, emitted last segment first; R segments (and neutral ones while the reading runs
right to left) reversed and mirrored. The end-to-end checks with PDFium itself are in
test_text_layer.py.
"""

from __future__ import annotations

import unicodedata

import pytest

from sahifa.render.textlayer.lineorder import (
    LRM,
    RLM,
    Glyph,
    Piece,
    arrange,
    direction,
    emission_order,
)

pytestmark = pytest.mark.unit  # no engine: runs with WeasyPrint blocked

_MIRROR = {"(": ")", ")": "(", "«": "»", "»": "«", "[": "]", "]": "["}


def pdfium_reads(line: str) -> str:
    segments: list[list[str]] = []
    for char in line:
        cls = direction(char)
        if segments and direction(segments[-1][0]) == cls:
            segments[-1].append(char)
        else:
            segments.append([char])
    out, current = [], "R"
    for segment in reversed(segments):
        cls = direction(segment[0])
        if cls == "R" or (cls == "N" and current == "R"):
            current = "R"
            out += [_MIRROR.get(c, c) for c in reversed(segment)]
        else:
            if cls == "L":
                current = "L"
            out += segment
    return "".join(out)


def _written_line(pieces: list[Piece]) -> str:
    """What PDFium reads of the line, left to right: each piece's text and the zero-width
    mark after it, or, for a Latin stretch, its ActualText (once, where the stretch starts)."""
    arrangement = arrange(pieces, reads_rtl=True)
    starts = {s.start: s for s in arrangement.stretches}
    out, index = [], 0
    while index < len(pieces):
        if index in starts:
            out.append(starts[index].actual_text)
            index = starts[index].end
            continue
        out.append(arrangement.written[index] + arrangement.marks_after.get(index, ""))
        index += 1
    return "".join(out)


def _plain(text: str) -> str:
    """Without the invisible marks; canonically ordered (PDFium reads a cluster's marks
    last to first: "نَّ" as ن, fatha, shadda; the same text to a search)."""
    return unicodedata.normalize("NFC", "".join(c for c in text if c not in (LRM, RLM)))


def _visual(logical: list[tuple[str, bool]]) -> list[Piece]:
    """Pieces in visual order from (text, rtl) runs in logical order: right-to-left runs are
    drawn reversed (one piece per character cluster), the line right to left."""
    runs = []
    for text, rtl in logical:
        chars = [c for c in text]
        clusters: list[str] = []
        for c in chars:  # marks join the letter before them
            if clusters and unicodedata.category(c) == "Mn":
                clusters[-1] += c
            else:
                clusters.append(c)
        pieces = [Glyph(c, rtl) for c in clusters]
        runs.append(pieces[::-1] if rtl else pieces)
    return [p for run in reversed(runs) for p in run]


@pytest.mark.parametrize(
    "logical",
    [
        [("مؤشر ", True), ("EGX30", False), ("، المؤشر", True)],
        [("قال ", True), ("John Whitfield", False), ("، مدير", True)],
        [("و", True), ("Hachette Livre", False), ("، إلى", True)],
        [("موقع ", True), ("https://www.egx.com.eg/ar/2023/05/02.aspx", False),
         (" ونشرة", True)],
        [("قال «نرى شهية» ثم (كذا)", True)],
        [("فِكْرِ، وَإِنَّمَا «الْمَعْرِضِ».", True)],
        [("بنسبة ", True), ("٢٫٥", False), ("٪ ليغلق", True)],
        [("بلغت ", True), ("٦١", False), ("٪، وسدد", True)],
        [("بنسبة ", True), ("٣٫١", False), ("٪.", True)],
    ],
)  # fmt: skip
def test_pdfium_reads_the_written_line_in_logical_order(logical: list) -> None:
    text = "".join(t for t, _ in logical)
    assert _plain(pdfium_reads(_written_line(_visual(logical)))) == _plain(text)


def test_without_the_rules_pdfium_reads_these_lines_wrongly() -> None:
    """The model is not trivially satisfied: drawn order and plain texts read back wrong."""
    for logical in (
        [("مؤشر ", True), ("EGX30", False)],
        [("قال ", True), ("John Whitfield", False)],
        [("قال «نرى»", True)],
        [("فِكْرِ، وَ", True)],
    ):
        pieces = _visual(logical)
        drawn = "".join(p.text[::-1] if p.rtl else p.text for p in pieces)
        assert pdfium_reads(drawn) != "".join(t for t, _ in logical), logical


def test_latin_stretches_are_written_last_segment_first() -> None:
    assert emission_order(list("EGX30")) == [3, 4, 0, 1, 2]
    assert emission_order(list("John Whitfield")) == [*range(5, 14), 4, *range(4)]
    assert emission_order(list("٢٠٢٣")) == [0, 1, 2, 3]  # no Latin letter: as drawn
    assert emission_order(list("Hachette")) == list(range(8))  # one segment: as drawn


def test_no_written_text_ends_with_a_bidi_mark() -> None:
    """pdf.js (Firefox) drops a glyph whose text ends with a format character: the LRM after
    a quote is a glyph of its own, the RLM of a separator starts the text after it."""
    for logical in (
        [("قال «نرى» ثم (كذا)", True)],
        [("فِكْرِ، وَ", True)],
        [("بنسبة ", True), ("٢٫٥", False), ("٪ ليغلق", True)],
    ):
        arrangement = arrange(_visual(logical), reads_rtl=True)
        assert any(RLM in w for w in arrangement.written), logical
        assert all(w[-1] not in (LRM, RLM) for w in arrangement.written), logical
        # A zero-width glyph of its own carries marks only (pdf.js drops it).
        assert all(set(mark) <= {LRM, RLM} for mark in arrangement.marks_after.values())


def test_weak_characters_of_a_left_to_right_run_get_no_separator() -> None:
    arrangement = arrange([Glyph(c, False) for c in "٢٠٢٣٫٥"], True)
    assert arrangement.written == list("٢٠٢٣٫٥")


def test_latin_stretches_get_an_actual_text_for_pdfium_only() -> None:
    pieces = _visual([("قال ", True), ("John Whitfield", False), ("، مدير", True)])
    arrangement = arrange(pieces, reads_rtl=True)
    [stretch] = arrangement.stretches
    assert stretch.actual_text == "Whitfield John"
    assert "".join(p.text for p in pieces[stretch.start : stretch.end]) == "John Whitfield"
    # The glyphs themselves keep their texts, in drawing order, for every other reader.
    assert arrangement.written[stretch.start : stretch.end] == list("John Whitfield")
    number = arrange(_visual([("عام ", True), ("٢٠٢٣", False)]), reads_rtl=True)
    assert number.stretches == []  # weak only: PDFium reads it right already


def test_a_left_to_right_reading_writes_the_glyphs_texts_only() -> None:
    pieces = _visual([("قال «نرى» ", True), ("John Whitfield", False)])
    arrangement = arrange(pieces, reads_rtl=False)
    assert arrangement.stretches == [] and arrangement.marks_after == {}
    assert all(RLM not in w and LRM not in w for w in arrangement.written)


def test_a_mirrored_character_sits_between_two_lrms_for_pdfbox() -> None:
    """PDFBox's bidi pass (Java's, on the visual string) mirrors what resolves to an odd
    level: between two LRMs the quote resolves to level 2, and an RLM on either side keeps it
    from joining a Latin neighbour's run. PDFium still reads R, L, the quote, L, R."""
    pieces = _visual([("قال ", True), ("(", True), ("COMI", False), (") «نرى»", True)])
    arrangement = arrange(pieces, reads_rtl=True)
    quoted = [i for i, p in enumerate(pieces) if p.text in "()«»"]
    assert len(quoted) == 4
    for index in quoted:
        assert arrangement.written[index] == RLM + LRM + pieces[index].text
        assert arrangement.marks_after[index] == LRM + RLM


@pytest.mark.parametrize(
    ("latin", "before", "after"),
    [
        ("https://", False, True),  # "://" took the Arabic side: "//:https"
        ("www.egx.com.eg/ar/news/", False, True),  # the trailing "/" moved to the front
        ("2023/05/02.aspx", True, False),  # digits first: "aspx.2023/05/02"
        ("John Whitfield", False, False),  # Latin at both ends: read right already
        ("Hachette", False, False),  # one segment, no ActualText, and no mark inside "وHachette"
    ],
)  # fmt: skip
def test_a_latin_stretch_with_a_weak_end_gets_an_lrm_there_inside_its_actual_text(
    latin: str, before: bool, after: bool
) -> None:
    pieces = _visual([("موقع ", True), (latin, False), (" ونشرة", True)])
    arrangement = arrange(pieces, reads_rtl=True)
    start = next(i for i, p in enumerate(pieces) if not p.rtl)
    end = start + len(latin)
    assert (arrangement.marks_before.get(start) == LRM) is before
    assert (arrangement.marks_after.get(end - 1) == LRM) is after
    assert set(arrangement.marks_before) <= {start}
    if before or after:  # PDFium reads the stretch's ActualText, not these marks
        [stretch] = arrangement.stretches
        assert (stretch.start, stretch.end) == (start, end)
