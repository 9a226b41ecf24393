"""Glyph lookups the PDF text layer needs from a font's own tables (fontTools).

``sahifa.glyphtext`` writes bidi marks (LRM) as zero-width glyphs of their own (see
``sahifa.lineorder``): the font's space glyph, found here from the bytes WeasyPrint embeds.
"""

from __future__ import annotations

import hashlib
import io

_SPACES: dict[tuple[str, int], tuple[int, int] | None] = {}


def space_glyph(content: bytes, index: int = 0) -> tuple[int, int] | None:
    """The glyph ``content`` (a font file, face ``index``) maps U+0020 to and its advance in
    thousandths of an em, if it draws nothing; ``None`` otherwise."""
    key = (hashlib.sha256(content).hexdigest(), index)
    if key not in _SPACES:
        from fontTools.ttLib import TTFont

        font = TTFont(io.BytesIO(content), fontNumber=index, lazy=True)
        name = (font.getBestCmap() or {}).get(0x20)
        glyph: tuple[int, int] | None = None
        if name is not None and "glyf" in font and font["glyf"][name].numberOfContours == 0:
            advance = font["hmtx"][name][0] * 1000 / font["head"].unitsPerEm
            glyph = (font.getGlyphID(name), round(advance))
        _SPACES[key] = glyph
    return _SPACES[key]
