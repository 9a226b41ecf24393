"""Glyph-coverage preflight: every character that will print must be in its role's fonts.

A character no pinned font covers prints as a box (and sends WeasyPrint through its slow
fallback path). Characters that draw nothing (bidi marks, joiners: category Cf) are not
required; presentation forms are checked as their base letters. Each font's character map is
read once with fontTools and cached by the font's sha256 in the user's cache.
"""

from __future__ import annotations

import contextlib
import json
import os
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from sahifa.fonts.registry import FontRegistry

_CMAPS: dict[str, frozenset[int]] = {}


def _cache_file() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "sahifa" / "font-cmaps.json"


def _ranges(codepoints: Iterable[int]) -> list[list[int]]:
    ranges: list[list[int]] = []
    for cp in sorted(codepoints):
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    return ranges


def cmap(path: Path, sha256: str) -> frozenset[int]:
    """The code points a font file maps to glyphs."""
    if sha256 in _CMAPS:
        return _CMAPS[sha256]
    stored: dict[str, list[list[int]]] = {}
    with contextlib.suppress(OSError, ValueError):  # no cache yet: read the font
        stored = json.loads(_cache_file().read_text(encoding="utf-8"))
    if sha256 in stored:
        points = frozenset(cp for a, b in stored[sha256] for cp in range(a, b + 1))
    else:
        from fontTools.ttLib import TTFont

        with TTFont(path, lazy=True) as font:
            points = frozenset(font.getBestCmap() or {})
        stored[sha256] = _ranges(points)
        try:
            target = _cache_file()
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(stored), encoding="utf-8")
            tmp.replace(target)
        except OSError:
            pass  # a read-only home only costs speed
    _CMAPS[sha256] = points
    return points


def covered(registry: FontRegistry, families: list[str]) -> frozenset[int]:
    """Everything a stack of families can print (any weight or style of each family)."""
    points: set[int] = set()
    for font in registry.fonts:
        if font.family in families:
            points |= cmap(font.path, font.sha256)
    return frozenset(points)


def missing(text: str, available: frozenset[int]) -> list[str]:
    """The characters of ``text`` that would print as boxes, in order of appearance."""
    found: dict[str, None] = {}
    for char in text:
        if char in found or char.isspace() or unicodedata.category(char) == "Cf":
            continue  # Cf: bidi marks, joiners — they draw nothing
        if ord(char) in available:
            continue
        base = unicodedata.normalize("NFKC", char)  # presentation forms → base letters
        if base != char and all(ord(c) in available or c.isspace() for c in base):
            continue
        found[char] = None
    return list(found)


# Script blocks reported by `sahifa fonts` (the main ones for an Arabic paper).
SCRIPTS = {
    "Arabic": [(0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF),
               (0xFE70, 0xFEFF)],
    "Latin": [(0x0041, 0x005A), (0x0061, 0x007A), (0x00C0, 0x024F)],
    "Greek": [(0x0370, 0x03FF)],
    "Cyrillic": [(0x0400, 0x04FF)],
    "Hebrew": [(0x0590, 0x05FF)],
    "Digits": [(0x0030, 0x0039)],
    "Arabic-Indic digits": [(0x0660, 0x0669)],
    "Symbols": [(0x2190, 0x23FF), (0x25A0, 0x27BF)],
}  # fmt: skip


def scripts(points: frozenset[int], minimum: float = 0.5) -> list[str]:
    """The scripts of which a font covers at least ``minimum`` of the block's characters
    (letters only, for the big blocks: unassigned code points are not counted)."""
    import unicodedata

    found = []
    for name, blocks in SCRIPTS.items():
        assigned = [cp for a, b in blocks for cp in range(a, b + 1)
                    if unicodedata.category(chr(cp)) != "Cn"]  # fmt: skip
        if assigned and sum(cp in points for cp in assigned) / len(assigned) >= minimum:
            found.append(name)
    return found
