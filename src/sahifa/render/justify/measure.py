"""Words measured the way WeasyPrint will set them: Pango widths and HarfBuzz tatweel sites.

The paragraph composer weighs every way of breaking a paragraph before one line is laid out,
so it needs each word's width, the width of a space and of a tatweel, and each word's kashida
site. A word is shaped once per font configuration and style (a paragraph's words recur; a
fitting pass or column balancing lays the same paragraphs out again). The cache is held by
the document's FontConfiguration, so a new font set (a preview after fonts.yaml changed)
never sees old widths.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any

from sahifa.render.justify import TATWEEL, harfbuzz, sites


@dataclass(frozen=True)
class Word:
    width: float  # points, as Pango sets it alone
    site: int | None = None  # the tatweel goes before this character, or no kashida
    site_class: int = 0  # 1 (best) … 7, see ``sites``


@dataclass
class _StyleCache:
    words: dict[str, Word]
    space: float
    tatweel: float


_caches: weakref.WeakKeyDictionary[Any, dict[str, _StyleCache]] = weakref.WeakKeyDictionary()
# The current document's styles → their cache (a style object is asked thousands of times;
# its key is costly to build). Reset when another font configuration (document) comes.
_by_style: dict[int, tuple[Any, _StyleCache]] = {}
_by_style_config: list[Any] = [None]


def style_key(style: Any) -> str:
    """What changes a word's shape: the font (family, weight, size, variants, features) and
    the spacing properties."""
    from weasyprint.text.line_break import _font_style_cache_key

    return _font_style_cache_key(style, include_size=True) + repr(
        (style["letter_spacing"], style["word_spacing"], style["font_kerning"], style["lang"])
    )


def _cache(style: Any, context: Any) -> _StyleCache:
    if _by_style_config[0] is not context.font_config:
        _by_style.clear()
        _by_style_config[0] = context.font_config
    found = _by_style.get(id(style))
    if found is not None and found[0] is style:
        return found[1]
    cache = _style_cache(style, context)
    _by_style[id(style)] = (style, cache)  # the style is kept: its id cannot be reused
    return cache


def _style_cache(style: Any, context: Any) -> _StyleCache:
    per_config = _caches.setdefault(context.font_config, {})
    key = style_key(style)
    cache = per_config.get(key)
    if cache is None:
        pair = _shape("ب ب", style, context)[0]
        single = _shape("ب", style, context)[0]
        tatweel = _shape(TATWEEL, style, context)[0]
        cache = per_config[key] = _StyleCache({}, pair - 2 * single, tatweel)
    return cache


def _shape(text: str, style: Any, context: Any) -> tuple[float, int | None]:
    """Width of ``text`` on one line, and the address of the hb_font_t Pango chose for its
    first run (None when the run's font is not Arabic-capable or there is no run)."""
    from weasyprint.text.ffi import ffi, pango
    from weasyprint.text.line_break import create_layout, line_size

    layout = create_layout(text, style, context, None, 0)
    try:
        line, _ = layout.get_first_line()
        width, _ = line_size(line, style)
        font = None
        runs = line.runs
        if runs != ffi.NULL and runs.next == ffi.NULL:  # one run: one font for the whole word
            pango_font = runs.data.item.analysis.font
            font = int(ffi.cast("uintptr_t", pango.pango_font_get_hb_font(pango_font)))
        return width, font
    finally:
        layout.deactivate()


def space_width(style: Any, context: Any) -> float:
    return _cache(style, context).space


def tatweel_width(style: Any, context: Any) -> float:
    return _cache(style, context).tatweel


def width(text: str, style: Any, context: Any) -> float:
    """The width of ``text`` (a word, perhaps with inserted tatweels) alone on a line."""
    return word(text, style, context, False).width


def word(text: str, style: Any, context: Any, kashida: bool) -> Word:
    """``text`` (one word, no spaces) measured; with its kashida site when ``kashida``."""
    cache = _cache(style, context)
    key = text if kashida else "\0" + text
    found = cache.words.get(key)
    if found is None:
        width, font = _shape(text, style, context)
        chosen = None
        if kashida and font and sites.eligible(text):
            chosen = sites.choose_site(text, harfbuzz.safe_positions(font, text))
        found = cache.words[key] = (
            Word(width, chosen[0], chosen[1]) if chosen else Word(width)
        )
    return found
