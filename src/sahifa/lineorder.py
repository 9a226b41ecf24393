"""The order extractors read a right-to-left line in, and how to write a line so they read it
back in logical order.

Neither poppler nor PDFium runs the Unicode bidi algorithm on a PDF's text. PDFium (Chrome's
viewer, ``cpdf_textpage.cpp``) takes a line's characters left to right, cuts them into
segments by direction class, and for a right-to-left line emits the segments last to first:

- **R** (Arabic letters, RLM) segments reversed, each character mirrored (``«`` → ``»``);
- **W**, weak (digits, marks, ``. , : / %``) and **L** (Latin, LRM) segments as they are;
  an L segment switches the line to left-to-right until the next R segment;
- **N** (spaces, quotes, brackets) as R while the line runs right to left, else as L.

poppler reverses the right-to-left stretches and keeps the rest; it mirrors nothing. Three
rules below make both give back the source's characters in order; bidi marks (LRM, RLM) are
invisible and dropped by searches:

- a Latin stretch of several segments ("John Whitfield", "EGX30", a URL) is written segment
  by segment from its last to its first (``emission_order``): PDFium's reversal puts the
  segments back in order, and poppler orders characters by position anyway;
- a mirrored character in a right-to-left run (a quote, a bracket) is written between LRM and
  RLM (``guarded_text``): PDFium then reads it as left-to-right and does not mirror it;
- a right-to-left cluster that starts, as written, with a mark (a word-final haraka) after
  weak punctuation gets an RLM between them: PDFium would otherwise join the two into one
  weak segment and move the haraka after the comma.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from itertools import pairwise

LRM = "\u200e"
RLM = "\u200f"

_WEAK = {"AN", "EN", "NSM", "CS", "ES", "ET", "BN"}


def direction(char: str) -> str:
    """PDFium's direction class of ``char``: ``L``, ``R``, ``W`` (weak) or ``N``."""
    bidi = unicodedata.bidirectional(char)
    if bidi == "L":
        return "L"
    if bidi in ("R", "AL"):
        return "R"
    return "W" if bidi in _WEAK else "N"


def guarded_text(text: str) -> str:
    """The logical text of a glyph in a right-to-left run: a lone mirrored neutral (``«``,
    ``(``) between LRM and RLM, so PDFium neither mirrors nor moves it; other text as is."""
    if len(text) == 1 and unicodedata.mirrored(text) and direction(text) == "N":
        return LRM + text + RLM
    return text


def written_text(text: str, rtl: bool) -> str:
    """The text as written into the ToUnicode map: extractors reverse a multi-character
    mapping when they order a right-to-left line, so it is stored reversed there (measured:
    PDFium's in-order recall of a vocalized article 0.34 unreversed, 0.98 reversed)."""
    return text[::-1] if rtl and len(text) > 1 else text


def emission_order(texts: Sequence[str]) -> list[int]:
    """The order to write a left-to-right stretch of a right-to-left line in, as indexes into
    ``texts`` (its glyphs' texts, left to right).

    The stretch is cut into PDFium's segments; they are written last to first, each as it is
    (those before the first L segment are read as right-to-left: written reversed). A stretch
    with no Latin letter or of one segment stays as it is.
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


@dataclass(frozen=True)
class Piece:
    """A glyph that carries text, in a line's visual (left-to-right) order."""

    text: str  # its logical text
    rtl: bool  # in a right-to-left run
    font: Hashable  # the glyphs of one font in a row are written in one text object


def arrange(pieces: Sequence[Piece], reads_rtl: bool) -> tuple[list[int], list[str]]:
    """The order to write a line's pieces in (indexes) and the text each is written with.

    ``reads_rtl``: the document declares that it reads right to left, so PDFium reads every
    line, whatever its own direction, right to left. Otherwise a line is written as it is
    drawn. For a right-to-left reading: mirrored
    punctuation guarded, multi-character texts reversed (``written_text``), each Latin
    stretch of one font in ``emission_order``, and an RLM wherever two weak characters of
    different runs would meet in PDFium's reading (see the module's docstring).
    """
    written = [
        written_text(guarded_text(p.text) if reads_rtl and p.rtl else p.text, p.rtl) for p in pieces
    ]
    if not reads_rtl:
        return list(range(len(pieces))), written
    order: list[int] = []
    stretch_of: dict[int, int] = {}  # piece -> the Latin stretch it belongs to
    index = 0
    while index < len(pieces):
        if pieces[index].rtl:
            order.append(index)
            index += 1
            continue
        end = index
        while (end < len(pieces) and not pieces[end].rtl
               and pieces[end].font == pieces[index].font):  # fmt: skip
            stretch_of[end] = index
            end += 1
        order += [index + k for k in emission_order([p.text for p in pieces[index:end]])]
        index = end
    for before, after in pairwise(order):
        if not (written[before] and written[after]):
            continue
        if stretch_of.get(before, -1) == stretch_of.get(after, -2):
            continue  # one Latin stretch: its weak characters belong together
        if direction(written[before][-1]) == "W" and direction(written[after][0]) == "W":
            if pieces[before].rtl:
                written[before] += RLM
            else:
                written[after] = RLM + written[after]
    return order, written
