"""Character codes and their maps: a code per (glyph, text, width), the ToUnicode CMap and
the CIDToGIDMap that let one glyph carry different texts in different places. Pure.

A PDF maps character codes, not glyphs, to Unicode. WeasyPrint uses the glyph id as the code,
mapped to the text of the glyph's *first* use, so a glyph shared by several letters (the
dotless skeletons of Kufi and Sans faces) comes back wrong. Here codes are handed out per font
in order of first use and mapped to glyphs by a ``CIDToGIDMap``.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import ceil

# The text a text-less glyph maps to. Every code needs a Unicode value (PDF/A-u); a space is
# the one value both extractors treat as a word break, and these glyphs are drawn after the
# line's words, so the break falls after the last word.
TEXTLESS = " "


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


def number(value: float) -> str:
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


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


TO_UNICODE_HEADER = (
    b"/CIDInit /ProcSet findresource begin", b"12 dict begin", b"begincmap",
    b"/CIDSystemInfo", b"<< /Registry (Adobe)", b"/Ordering (UCS)", b"/Supplement 0",
    b">> def", b"/CMapName /Adobe-Identity-UCS def", b"/CMapType 2 def",
    b"1 begincodespacerange", b"<0000> <ffff>", b"endcodespacerange",
)  # fmt: skip
