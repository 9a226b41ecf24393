"""Words measured the way WeasyPrint will set them: Pango widths and HarfBuzz tatweel sites.

The paragraph composer weighs every way of breaking a paragraph before one line is laid out,
so it needs each word's width, the width of a space and of a tatweel, and each word's kashida
site. A word is shaped once per font configuration and style (a paragraph's words recur; a
fitting pass or column balancing lays the same paragraphs out again). The cache is held by
the document's FontConfiguration, so a new font set (a preview after fonts.yaml changed)
never sees old widths; documents set in the same pinned fonts share them (``fonts_known_as``).
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from sahifa.render.justify import TATWEEL, harfbuzz, sites
from sahifa.render.justify.composer import PER_SITE


@dataclass(frozen=True)
class Word:
    width: float  # points, as Pango sets it alone
    site: int | None = None  # the tatweel goes before this character, or no kashida
    site_class: int = 0  # 1 (best) … 7, see ``sites``


@dataclass
class Measurer:
    """The measures of one style (font and spacing) in one font configuration."""

    words: dict[str, Word]
    space: float
    tatweel: float
    key: str = ""  # ``style_key`` of the style measured
    gains: dict[str, tuple[float, ...]] = field(default_factory=dict)

    def gains_of(self, text: str, site: int, style: Any, context: Any) -> tuple[float, ...]:
        """What the word ``text`` gains in width with 1 … ``PER_SITE`` tatweels at ``site``
        (contextual forms: not n × a tatweel)."""
        found = self.gains.get(text)
        if found is None:
            alone = self.width(text, style, context)
            found = self.gains[text] = tuple(
                self.width(text[:site] + TATWEEL * n + text[site:], style, context) - alone
                for n in range(1, PER_SITE + 1)
            )
        return found

    def word(self, text: str, style: Any, context: Any, kashida: bool) -> Word:
        """``text`` (one word, no spaces) measured; with its kashida site when ``kashida``."""
        found = self.words.get(text if kashida else "\0" + text)
        if found is None:
            width, font = _shape(text, style, context)
            chosen = None
            if kashida and font and sites.eligible(text):
                chosen = sites.choose_site(text, harfbuzz.safe_positions(font, text))
            found = Word(width, chosen[0], chosen[1]) if chosen else Word(width)
            self.words[text if kashida else "\0" + text] = found
        return found

    def width(self, text: str, style: Any, context: Any) -> float:
        """The width of ``text`` (a word, perhaps with inserted tatweels) alone on a line."""
        found = self.words.get("\0" + text)
        return found.width if found is not None else self.word(text, style, context, False).width


# Keyed by (fonts identity or None, style_key): per font configuration, or shared below.
_caches: weakref.WeakKeyDictionary[Any, dict[tuple[str | None, str], Measurer]] = (
    weakref.WeakKeyDictionary()
)
# Across documents, by the identity of the fonts they are set in (the pinned files' hashes,
# ``FontRegistry.identity``): a fitting pass, a batch's next article or the preview's next
# render measure each word once per process. Used while ``fonts_known_as`` is in force.
_fonts_key: ContextVar[str | None] = ContextVar("sahifa_fonts_key", default=None)
_shared: dict[tuple[str | None, str], Measurer] = {}
_MAX_SHARED = 256


@contextmanager
def fonts_known_as(key: str | None) -> Iterator[None]:
    """While laying out a document whose @font-face rules are the pinned fonts ``key``."""
    token = _fonts_key.set(key)
    try:
        yield
    finally:
        _fonts_key.reset(token)


def fonts_key() -> str | None:
    return _fonts_key.get()
# The current document's styles → their cache (a style object is asked thousands of times;
# its key is costly to build). Reset when another font configuration (document) comes.
_by_style: dict[int, tuple[Any, Measurer]] = {}
_by_style_config: list[Any] = [None]


def style_key(style: Any) -> str:
    """What changes a word's shape: the font (family, weight, size, variants, features) and
    the spacing properties."""
    from weasyprint.text.line_break import _font_style_cache_key

    return _font_style_cache_key(style, include_size=True) + repr(
        (style["letter_spacing"], style["word_spacing"], style["font_kerning"], style["lang"])
    )


def for_style(style: Any, context: Any) -> Measurer:
    """The measurer of ``style`` in ``context``'s font configuration (cached)."""
    if _by_style_config[0] is not context.font_config:
        _by_style.clear()
        _by_style_config[0] = context.font_config
    found = _by_style.get(id(style))
    if found is not None and found[0] is style:
        return found[1]
    cache = _style_cache(style, context)
    _by_style[id(style)] = (style, cache)  # the style is kept: its id cannot be reused
    return cache


def _style_cache(style: Any, context: Any) -> Measurer:
    name = style_key(style)
    fonts = _fonts_key.get()
    if fonts is not None:
        if len(_shared) > _MAX_SHARED:
            _shared.clear()
        store = _shared
    else:
        store = _caches.setdefault(context.font_config, {})
    cache = store.get((fonts, name))
    if cache is None:
        pair = _shape("ب ب", style, context)[0]
        single = _shape("ب", style, context)[0]
        tatweel = _shape(TATWEEL, style, context)[0]
        cache = store[(fonts, name)] = Measurer({}, pair - 2 * single, tatweel, name)
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
    return for_style(style, context).space


def tatweel_width(style: Any, context: Any) -> float:
    return for_style(style, context).tatweel


def width(text: str, style: Any, context: Any) -> float:
    """The width of ``text`` (a word, perhaps with inserted tatweels) alone on a line."""
    return for_style(style, context).width(text, style, context)


def word(text: str, style: Any, context: Any, kashida: bool) -> Word:
    """``text`` (one word, no spaces) measured; with its kashida site when ``kashida``."""
    return for_style(style, context).word(text, style, context, kashida)
