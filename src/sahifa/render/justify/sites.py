"""Where one word takes its kashida: the established placement priority. Pure: no engine.

HarfBuzz says where a tatweel does not break shaping (``harfbuzz.safe_positions``: a
permission, not a placement rule). Among those positions the one used is chosen as Microsoft
Word and LibreOffice do, from their published descriptions (ARABIC-PRINT.md): one site per
word, the first class that applies, nearest the word's end within a class —

    1 after a tatweel the author typed
    2 after seen, sheen, sad or dad
    3 before a final teh marbuta, heh or dal
    4 before a final alef, tah, zah, lam, kaf or gaf
    5 before a medial beh-form (beh, teh, theh, noon, yeh) followed by reh, zain, yeh or
      alef maksura
    6 before a final waw, ain, ghain, qaf or feh
    7 any other join

A position is where the tatweel goes in the word's text: before character ``i``. It must lie
between two letters that join (the one before connects forward, the one after backward), so
the stroke continues a join instead of standing alone. Words of two letters or fewer, and
words with anything but Arabic letters and marks (digits, Latin, URLs), take none.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection

from sahifa.render.justify import TATWEEL

# Letters that join only to the letter before them (Unicode joining type R) and hamza (U).
_RIGHT_JOINING = set("آأؤإاةدذرزوٱژڈڑۀۃۄۅۆۇۈۉۊۋۍۏےۓ")
_NON_JOINING = set("ءٴ")
_SEEN_SAD = set("سشصض")
_FINAL_3 = set("ةهد")
_FINAL_4 = set("اأإآٱطظلكگ")
_BEH_FORMS = set("بتثنيئپ")
_AFTER_BEH = set("رزيى")
_FINAL_6 = set("وؤعغقف")


def _is_letter(char: str) -> bool:
    return "\u0621" <= char <= "\u064a" or "\u0671" <= char <= "\u06d3" or char == TATWEEL


def _is_mark(char: str) -> bool:
    return unicodedata.category(char) in ("Mn", "Me")


def _joins_forward(char: str) -> bool:
    """The letter connects to the letter after it (dual joining, or a tatweel)."""
    return _is_letter(char) and char not in _RIGHT_JOINING and char not in _NON_JOINING


def _joins_backward(char: str) -> bool:
    return _is_letter(char) and char != TATWEEL and char not in _NON_JOINING


def eligible(word: str) -> bool:
    """Only whole Arabic words of three letters or more are elongated."""
    letters = [c for c in word if not _is_mark(c)]
    return (
        sum(c != TATWEEL for c in letters) >= 3
        and all(_is_letter(c) or _is_mark(c) for c in word)
    )


def site_class(word: str, position: int) -> int | None:
    """The priority class (1 best … 7) of a tatweel before ``word[position]``, or None where
    no stroke may go."""
    bases = [i for i, c in enumerate(word) if not _is_mark(c)]
    if position not in bases or position == bases[0]:
        return None
    k = bases.index(position)
    before, after = word[bases[k - 1]], word[position]
    if not (_joins_forward(before) and _joins_backward(after)):
        return None
    final = k == len(bases) - 1
    following = word[bases[k + 1]] if not final else ""
    if before == TATWEEL:
        return 1
    if before in _SEEN_SAD:
        return 2
    if final and after in _FINAL_3:
        return 3
    if final and after in _FINAL_4:
        return 4
    if not final and after in _BEH_FORMS and following in _AFTER_BEH:
        return 5
    if final and after in _FINAL_6:
        return 6
    return 7


def choose_site(word: str, safe: Collection[int]) -> tuple[int, int] | None:
    """``(position, class)`` of the word's one kashida site among HarfBuzz's safe positions,
    or None when the word takes no kashida."""
    if not eligible(word):
        return None
    best: tuple[int, int] | None = None
    for position in sorted(safe):
        cls = site_class(word, position)
        if cls is not None and (best is None or cls <= best[1]):
            best = (position, cls)  # later positions win ties: nearest the word's end
    return best
