"""How a right-to-left line's text is written so that extractors read it back in logical order.

Neither poppler nor PDFium runs the Unicode bidi algorithm on a PDF's text. PDFium (Chrome's
viewer, ``cpdf_textpage.cpp``) takes a line's characters left to right, cuts them into
segments by direction class, and, for a right-to-left line (every line of a document that
declares ``/Direction /R2L``), emits the segments last to first:

- **R** (Arabic letters, RLM) segments reversed, each character mirrored (``«`` → ``»``);
- **W**, weak (digits, marks, ``. , : / %``) and **L** (Latin, LRM) segments as they are;
  an L segment switches the line to left-to-right until the next R segment;
- **N** (spaces, quotes, brackets) as R while the line runs right to left, else as L.

poppler reverses the right-to-left stretches and keeps the rest; it mirrors nothing; pdf.js
(Firefox) runs the bidi algorithm itself. Glyphs stay in drawing order (what pdf.js, pypdf and
pdfminer read), and three rules make PDFium and poppler give back the source's characters:

- a Latin stretch of several segments ("John Whitfield", "EGX30", a URL; its letters, digits
  and spaces often from different fonts) gets, for PDFium alone, an ``/ActualText`` with its
  segments last to first, which PDFium's reversal puts back in order. It sits in a
  marked-content sequence tagged ``/SahifaText``: poppler honours ActualText only under
  ``/Span``, so it keeps reading the glyphs, in place (pdf.js ignores ActualText);
- a mirrored character in a right-to-left run (a quote, a bracket) is written after an RLM and
  followed by an LRM of its own (a zero-width glyph): PDFium then neither mirrors nor moves it;
- where two weak characters would meet in PDFium's reading and one of them is in a
  right-to-left run (a word-final haraka and the comma after it; a number and the ٪ after it;
  "٪،"), an RLM goes between them: PDFium keeps a weak segment in drawing order.

No text ends with a bidi mark: pdf.js 5 drops a glyph whose text does. The marks draw nothing
and searches drop them.

Apache PDFBox 2 (``PDFTextStripper``: Tika, Solr) ignores ActualText and reads a line in
content order as one visual string; it runs Java's bidi algorithm on that string as if it were
logical, reverses the odd-level runs and mirrors their mirrored characters
(``handleDirection``). That gives the line back only where Java finds the levels the line was
laid out with. Two rules make it find them:

- the mirrored character is written ``RLM LRM «`` and its zero-width glyph ``LRM RLM``
  (it was ``RLM «`` and ``LRM``): between two LRMs it resolves to level 2, which PDFBox neither
  reverses nor mirrors (it mirrored every one: ``«`` read ``»``), and the RLMs keep it a run
  of its own next to a Latin word (``(COMI)``). PDFium reads the same directions as before,
  right to left: R, L, the character, L, R;
- a Latin stretch whose end is neutral or weak (``https://``, ``news/``, ``2023/05/02.aspx``)
  gets a zero-width LRM glyph at that end, inside the stretch's ``/SahifaText`` (so PDFium,
  which reads the ActualText, does not see it; pdf.js drops a text of bidi marks): Java
  resolved those ends to the right-to-left side and moved them (``//:https``).
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import NamedTuple, Protocol

LRM = "\u200e"
RLM = "\u200f"

_WEAK = {"AN", "EN", "NSM", "CS", "ES", "ET", "BN"}


@functools.cache  # per character: asked for every glyph of every line
def direction(char: str) -> str:
    """PDFium's direction class of ``char``: ``L``, ``R``, ``W`` (weak) or ``N``."""
    bidi = unicodedata.bidirectional(char)
    if bidi == "L":
        return "L"
    if bidi in ("R", "AL"):
        return "R"
    return "W" if bidi in _WEAK else "N"


@functools.cache
def is_mirrored(text: str) -> bool:
    """A lone character that PDFium would mirror in a right-to-left run (``«``, ``(``)."""
    return len(text) == 1 and bool(unicodedata.mirrored(text)) and direction(text) == "N"


def written_text(text: str, rtl: bool) -> str:
    """The text as written into the ToUnicode map: extractors reverse a multi-character
    mapping when they order a right-to-left line, so it is stored reversed there (measured:
    PDFium's in-order recall of a vocalized article 0.34 unreversed, 0.98 reversed)."""
    return text[::-1] if rtl and len(text) > 1 else text


def emission_order(texts: Sequence[str]) -> list[int]:
    """The order PDFium must read a left-to-right stretch of a right-to-left line in, as
    indexes into ``texts`` (its glyphs' texts, left to right), to give it back in order.

    The stretch is cut into PDFium's segments, taken last to first, each as it is (those
    before the first L segment are read as right-to-left: reversed). A stretch with no Latin
    letter or of one segment stays as it is.
    """
    classes = [direction(text[0]) if text else "N" for text in texts]
    segments: list[list[int]] = []
    for index, cls in enumerate(classes):
        if segments and classes[segments[-1][0]] == cls:
            segments[-1].append(index)
        else:
            segments.append([index])
    if len(segments) < 2 or "L" not in classes:
        return list(range(len(texts)))
    first_latin = next(k for k, seg in enumerate(segments) if classes[seg[0]] == "L")
    order: list[int] = []
    for k in range(len(segments) - 1, -1, -1):
        segment = segments[k]
        neutral_before_latin = k < first_latin and classes[segment[0]] == "N"
        order += segment[::-1] if neutral_before_latin else segment
    return order


def _closes_latin(char: str) -> bool:
    """Java's bidi pass keeps a Latin stretch's end on its side when the end is a strong
    left-to-right character (or a mark on one)."""
    return unicodedata.bidirectional(char) in ("L", "NSM") if char else True


class Piece(Protocol):
    """A glyph that carries text, in a line's visual (left-to-right) order (the text
    layer's planned glyphs are pieces as they are: no copy per glyph)."""

    @property
    def text(self) -> str: ...  # its logical text

    @property
    def rtl(self) -> bool: ...  # in a right-to-left run


class Glyph(NamedTuple):
    """A plain piece."""

    text: str
    rtl: bool


@dataclass
class Stretch:
    """Pieces ``start`` to ``end`` (exclusive), in one marked-content sequence that PDFium
    reads as ``actual_text`` (an ``/ActualText`` under the ``/SahifaText`` tag), whatever
    fonts, and so text objects, they are drawn in."""

    start: int
    end: int
    actual_text: str


@dataclass
class Arrangement:
    """How a line's pieces are written, in drawing order."""

    written: list[str]  # the text of each piece, as it goes into the ToUnicode map
    marks_after: dict[int, str] = field(default_factory=dict)  # a zero-width glyph's text
    marks_before: dict[int, str] = field(default_factory=dict)  # one at the piece's left edge
    stretches: list[Stretch] = field(default_factory=list)


def arrange(pieces: Sequence[Piece], reads_rtl: bool) -> Arrangement:
    """The texts a line's pieces are written with, the zero-width marks and the Latin
    stretches that get an ActualText (see the module's docstring).

    ``reads_rtl``: the document declares that it reads right to left, so PDFium reads every
    line, whatever its own direction, right to left. Otherwise every piece is written with its
    text (multi-character texts in right-to-left runs reversed) and nothing else.
    """
    written = [written_text(p.text, p.rtl) for p in pieces]
    arrangement = Arrangement(written)
    if not reads_rtl:
        return arrangement
    for index, piece in enumerate(pieces):
        if piece.rtl and is_mirrored(piece.text):
            written[index] = RLM + LRM + piece.text
            arrangement.marks_after[index] = LRM + RLM
    # PDFium's reading, left to right: each piece's text, or a stretch's ActualText.
    units: list[tuple[list[int], bool]] = []  # (pieces, is a replaced stretch)
    index = 0
    while index < len(pieces):
        if pieces[index].rtl:
            units.append(([index], False))
            index += 1
            continue
        end = index
        while end < len(pieces) and not pieces[end].rtl:
            end += 1
        order = emission_order([p.text for p in pieces[index:end]])
        if order != sorted(order):
            text = "".join(written[index + k] for k in order)
            # Its neighbours may be in other text boxes (unknown here): RLMs keep a weak
            # character at either end from joining theirs. Only PDFium reads this text.
            if direction(text[0]) == "W":
                text = RLM + text
            if direction(text[-1]) == "W":
                text += RLM
            arrangement.stretches.append(Stretch(index, end, text))
            units.append((list(range(index, end)), True))
            # For PDFBox, inside the ActualText that PDFium reads instead (module docstring).
            if not _closes_latin(pieces[index].text[:1]):
                arrangement.marks_before[index] = LRM
            if not _closes_latin(pieces[end - 1].text[-1:]):
                arrangement.marks_after[end - 1] = LRM
        else:
            units += [([k], False) for k in range(index, end)]
        index = end
    stretch_at = {s.start: s for s in arrangement.stretches}

    def text_of(unit: tuple[list[int], bool]) -> str:
        members, replaced = unit
        if replaced:
            return stretch_at[members[0]].actual_text
        return written[members[0]] + arrangement.marks_after.get(members[0], "")

    for before, after in pairwise(units):
        first, last = text_of(after), text_of(before)
        if not (first and last) or direction(last[-1]) != "W" or direction(first[0]) != "W":
            continue
        if not pieces[before[0][-1]].rtl and not pieces[after[0][0]].rtl:
            continue  # left to right: PDFium keeps weak characters in order, as drawn
        if after[1]:
            stretch_at[after[0][0]].actual_text = RLM + first
        else:
            written[after[0][0]] = RLM + written[after[0][0]]
    return arrangement
