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

from sahifa.lineorder import (
    LRM,
    RLM,
    Piece,
    arrange,
    direction,
    emission_order,
    guarded_text,
)

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
    order, written = arrange(pieces, reads_rtl=True)
    return "".join(written[i] for i in order)


def _plain(text: str) -> str:
    """Without the invisible marks; canonically ordered (PDFium reads a cluster's marks
    last to first: "نَّ" as ن, fatha, shadda; the same text to a search)."""
    return unicodedata.normalize("NFC", "".join(c for c in text if c not in (LRM, RLM)))


def _visual(logical: list[tuple[str, bool, str]]) -> list[Piece]:
    """Pieces in visual order from (text, rtl, font) runs in logical order: right-to-left
    runs are drawn reversed (one piece per character cluster), the line right to left."""
    runs = []
    for text, rtl, font in logical:
        chars = [c for c in text]
        clusters: list[str] = []
        for c in chars:  # marks join the letter before them
            if clusters and unicodedata.category(c) == "Mn":
                clusters[-1] += c
            else:
                clusters.append(c)
        pieces = [Piece(c, rtl, font) for c in clusters]
        runs.append(pieces[::-1] if rtl else pieces)
    return [p for run in reversed(runs) for p in run]


@pytest.mark.parametrize(
    "logical",
    [
        [("مؤشر ", True, "naskh"), ("EGX30", False, "serif"), ("، المؤشر", True, "naskh")],
        [("قال ", True, "naskh"), ("John Whitfield", False, "serif"), ("، مدير", True, "naskh")],
        [("و", True, "naskh"), ("Hachette Livre", False, "serif"), ("، إلى", True, "naskh")],
        [("موقع ", True, "naskh"), ("https://www.egx.com.eg/ar/2023/05/02.aspx", False, "serif"),
         (" ونشرة", True, "naskh")],
        [("قال «نرى شهية» ثم (كذا)", True, "naskh")],
        [("فِكْرِ، وَإِنَّمَا «الْمَعْرِضِ».", True, "naskh")],
        [("بنسبة ", True, "naskh"), ("٢٫٥", False, "naskh"), ("٪ ليغلق", True, "naskh")],
    ],
)  # fmt: skip
def test_pdfium_reads_the_written_line_in_logical_order(logical: list) -> None:
    text = "".join(t for t, _, _ in logical)
    assert _plain(pdfium_reads(_written_line(_visual(logical)))) == _plain(text)


def test_without_the_rules_pdfium_reads_these_lines_wrongly() -> None:
    """The model is not trivially satisfied: drawn order and plain texts read back wrong."""
    for logical in (
        [("مؤشر ", True, "naskh"), ("EGX30", False, "serif")],
        [("قال ", True, "naskh"), ("John Whitfield", False, "serif")],
        [("قال «نرى»", True, "naskh")],
        [("فِكْرِ، وَ", True, "naskh")],
    ):
        pieces = _visual(logical)
        drawn = "".join(p.text[::-1] if p.rtl else p.text for p in pieces)
        assert pdfium_reads(drawn) != "".join(t for t, _, _ in logical), logical


def test_latin_stretches_are_written_last_segment_first() -> None:
    assert emission_order(list("EGX30")) == [3, 4, 0, 1, 2]
    assert emission_order(list("John Whitfield")) == [*range(5, 14), 4, *range(4)]
    assert emission_order(list("٢٠٢٣")) == [0, 1, 2, 3]  # no Latin letter: as drawn
    assert emission_order(list("Hachette")) == list(range(8))  # one segment: as drawn


def test_mirrored_punctuation_is_guarded_only_in_rtl_runs() -> None:
    assert guarded_text("«") == LRM + "«" + RLM
    assert guarded_text("(") == LRM + "(" + RLM
    assert guarded_text("،") == "،"  # not mirrored
    _, written = arrange([Piece("(", False, "serif")], reads_rtl=True)
    assert written == ["("]


def test_a_left_to_right_reading_writes_the_line_as_drawn() -> None:
    pieces = _visual([("قال ", True, "naskh"), ("John Whitfield", False, "serif")])
    order, written = arrange(pieces, reads_rtl=False)
    assert order == list(range(len(pieces)))
    assert all(RLM not in w and LRM not in w for w in written)
