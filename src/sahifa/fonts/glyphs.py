"""Glyph lookups the PDF text layer needs from a font's own tables (fontTools).

The text layer (``sahifa.render``) writes bidi marks (LRM) as zero-width glyphs of their own
(see ``sahifa.render.textlayer.lineorder``): the font's zero-width space or space glyph, found
here from the bytes WeasyPrint embeds.
"""

from __future__ import annotations

import hashlib
import io

_SPACES: dict[tuple[str, int], tuple[int, int] | None] = {}


def space_glyph(content: bytes, index: int = 0) -> tuple[int, int] | None:
    """An inkless glyph of ``content`` (a font file, face ``index``) and its advance in
    thousandths of an em: the zero-width space's if it has one, else the space's; ``None``
    if neither draws nothing."""
    key = (hashlib.sha256(content).hexdigest(), index)
    if key not in _SPACES:
        from fontTools.ttLib import TTFont

        font = TTFont(io.BytesIO(content), fontNumber=index, lazy=True)
        cmap = font.getBestCmap() or {}
        glyph: tuple[int, int] | None = None
        # A zero-width space first: in PDF/A the mark keeps its glyph's own width, and a
        # space's width would fill the gap between two words (poppler then joins them).
        for codepoint in (0x200B, 0x20):
            name = cmap.get(codepoint)
            if name is None or "glyf" not in font or font["glyf"][name].numberOfContours:
                continue
            advance = round(font["hmtx"][name][0] * 1000 / font["head"].unitsPerEm)
            if codepoint == 0x20 or advance == 0:
                glyph = (font.getGlyphID(name), advance)
                break
        _SPACES[key] = glyph
    return _SPACES[key]
