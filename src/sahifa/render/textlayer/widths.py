"""The width each text-carrying glyph gets in the PDF. Pure.

Extractors put a space in any gap between two character boxes (a text-less glyph, a kerning
pair, a cursive join), so a carrier's width reaches the next carrier of the same word.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Any

from sahifa.render.textlayer.clusters import GlyphText


def carrier_widths(
    infos: Sequence[Any], roles: Sequence[GlyphText], widths: Sequence[int],
    empty: Sequence[bool], font_size: float, from_units: float, own_widths: bool = False,
) -> list[float]:  # fmt: skip
    """The width each carrier glyph gets in the PDF: the distance to the next carrier of the
    same word, so the characters' boxes abut as the letters do; extractors put a space in any
    gap (a text-less glyph, a kerning pair, a cursive join). Whole units: the rest stays a TJ
    adjustment. Elsewhere (before a space, at the run's end) the glyph's own width plus the
    text-less glyphs it covers. ``own_widths`` (PDF/A): every glyph keeps its own width."""
    if own_widths:
        return [float(w) for w in widths]
    origins: list[float] = []
    pen = 0.0
    for info, width, is_empty in zip(infos, widths, empty, strict=True):
        if is_empty:
            origins.append(pen)
            pen += info.geometry.width / font_size
            continue
        x_offset = info.geometry.x_offset / font_size
        origins.append(pen + x_offset)
        kerning = width + x_offset - info.geometry.width * 1000 * from_units / font_size
        pen += x_offset + width - int(kerning)
    spans = [float(w) for w in widths]
    for i, role in enumerate(roles):
        if role.absorbed_by is not None:
            spans[role.absorbed_by] += widths[i]
    carriers = [i for i, role in enumerate(roles) if role.text is not None]
    for here, after in pairwise(carriers):
        if roles[here].text.isspace() or roles[after].text.isspace():  # type: ignore[union-attr]
            continue
        span = round(origins[after] - origins[here])
        if span > 0:
            spans[here] = span
    return spans
