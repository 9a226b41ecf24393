"""Patch: remember line splits, so a paragraph laid out again reuses the lines it had.

Upstream: ``weasyprint.text.line_break.split_first_line`` (WeasyPrint 70.0,
text/line_break.py), as ``weasyprint.layout.inline`` calls it. WeasyPrint balances columns
by laying every column out again for each candidate height, and a page is laid out again
when its content changes; each time, every line of every paragraph is split anew by Pango
(draft layout, line breaking, shaping). On a long article 4,724 calls were made for 769
different lines. A split depends only on the function's arguments, so its result is kept
under all of them: the text (which starts at the line's offset in its box), the computed
style (by identity, kept alive by the entry so its id cannot be reused) and the layout
context (the cache is the context's own), the width, the justification spacing,
``is_line_start`` and ``minimum``.

It is installed after sahifa's paragraph breaking (``paragraph_breaks``), whose answer also
depends on the arguments alone (a line's break is the plan of the text left), so it keeps
the paragraph's lines, not just Pango's greedy ones. Results are per layout context, so per
document: a cache never outlives the fonts and styles
its layouts were made with, and a render's memory is freed with it. The answer's Pango
layout has been deactivated by WeasyPrint (no Pango object is left in it; ``draw_text``
builds one again from its text and style); each caller gets a copy of its own, since
drawing may change a layout's text (ellipsis). Output is byte-identical with and without
the cache (tests/test_engine_patches.py; benchmarks/throughput.py compares sha256).

It wraps whatever function is in place, and its key holds every argument of it, so it
composes with another patch of ``split_first_line`` in either order. sahifa installs it
after ``paragraph_breaks`` (outermost), so the composer's lines are kept too: in a batch the
composer and Pango were asked 5.4 times per distinct split, 16% of the CPU time.
Copy-fitting lays an edition out many times (passes, trials, balancing, the final pages), each
a new document whose boxes mostly hold the same lines at the same widths, and the preview
fits the same edition again after every save. Inside ``shared_line_splits(fonts)``
(``sahifa.fitting``, around each fitting) the splits are kept across documents instead:
under the text and the *values* of every style property a split reads (fonts, size, line
height, spacing, language, direction, wrapping and hyphenation), per identity of the pinned
font files (the @font-face rules all those documents use). Output is byte-identical with and
without it (tests/test_edition_reuse.py).

Upstream fix: a per-``LayoutContext`` dictionary in ``split_first_line``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sahifa.render.patches import Patch

# The attribute of a LayoutContext holding its splits: key → (style, answer). The style is
# held so that its id, part of the key, stays its own while the entry lives.
ATTRIBUTE = "_sahifa_line_splits"


# Every computed property ``weasyprint.text.line_break`` reads of a style: two styles equal in
# these give the same split of the same text at the same width.
SPLIT_PROPERTIES = (
    "font_family", "font_style", "font_stretch", "font_weight", "font_size", "line_height",
    "font_variant_ligatures", "font_variant_position", "font_variant_caps",
    "font_variant_numeric", "font_variant_alternates", "font_variant_east_asian",
    "font_feature_settings", "font_variation_settings", "font_language_override",
    "font_kerning", "lang", "direction", "letter_spacing", "word_spacing", "white_space",
    "tab_size", "overflow_wrap", "word_break", "hyphens", "hyphenate_character",
    "hyphenate_limit_chars", "hyphenate_limit_zone", "text_decoration_line",
    # and what sahifa's paragraph breaking (the patch this cache wraps) reads: whether the
    # text is justified, how (kashida) and with which breaking.
    "text_align_all", "__sahifa_justify", "__sahifa_line_breaking",
)  # fmt: skip
_shared: ContextVar[dict[Any, Any] | None] = ContextVar("sahifa_shared_splits", default=None)
STYLE_KEYS = "_sahifa_split_style_keys"  # a context's styles → (style, their values)


# Shared splits by pinned fonts' identity, kept for the process's later fittings (the
# preview re-renders the same edition after every save): bounded, cleared when full.
_stores: dict[str, dict[Any, Any]] = {}
MAX_SHARED_SPLITS = 60_000  # ~ 30 fittings of a 4-page edition; some tens of MB


@contextmanager
def shared_line_splits(fonts: str) -> Iterator[None]:
    """Keep line splits across the documents laid out in the block, all in the pinned fonts
    ``fonts`` (their identity), and for later blocks in the same fonts."""
    store = _stores.get(fonts)
    if store is None or len(store) > MAX_SHARED_SPLITS:
        if len(_stores) >= 2:
            _stores.clear()
        store = _stores[fonts] = {}
    token = _shared.set(store)
    try:
        yield
    finally:
        _shared.reset(token)


def _style_values(style: Any, context: Any) -> str:
    keys = getattr(context, STYLE_KEYS, None)
    if keys is None:
        keys = {}
        setattr(context, STYLE_KEYS, keys)
    found = keys.get(id(style))
    if found is None or found[0] is not style:
        values = [_plain(style[name]) for name in SPLIT_PROPERTIES]
        found = keys[id(style)] = (style, repr(values))
    return str(found[1])


def _plain(value: Any) -> Any:
    """A custom property's tokens as their text (tinycss2 tokens compare by identity)."""
    if isinstance(value, (list, tuple)) and value and hasattr(value[0], "serialize"):
        return "".join(token.serialize() for token in value)
    return value


def cached_splits(context: Any) -> int:
    """How many splits are kept for ``context`` (for the contract test)."""
    return len(getattr(context, ATTRIBUTE, ()))


def make(original: Callable[..., Any]) -> Callable[..., Any]:
    def split_first_line(
        text: str, style: Any, context: Any, max_width: Any, justification_spacing: Any,
        is_line_start: bool = True, minimum: bool = False,
    ) -> Any:  # fmt: skip
        shared = _shared.get()
        if shared is not None and context is not None:
            key = (text, _style_values(style, context), max_width, justification_spacing,
                   is_line_start, minimum)  # fmt: skip
            answer = shared.get(key)
            if answer is None:
                answer = original(text, style, context, max_width, justification_spacing,
                                  is_line_start, minimum)  # fmt: skip
                if hasattr(answer[0], "layout"):
                    return answer
                shared[key] = answer
            layout, *rest = answer
            return (copy.copy(layout), *rest)
        cache = getattr(context, ATTRIBUTE, None)
        if cache is None:
            try:
                cache = {}
                setattr(context, ATTRIBUTE, cache)
            except AttributeError:  # no context (None) or one without attributes: no cache
                return original(text, style, context, max_width, justification_spacing,
                                is_line_start, minimum)  # fmt: skip
        key = (text, id(style), max_width, justification_spacing, is_line_start, minimum)
        entry = cache.get(key)
        if entry is None:
            answer = original(text, style, context, max_width, justification_spacing,
                              is_line_start, minimum)  # fmt: skip
            if hasattr(answer[0], "layout"):  # a live Pango layout: not safe to share
                return answer
            entry = cache[key] = (style, answer)
        layout, *rest = entry[1]
        return (copy.copy(layout), *rest)

    return split_first_line


PATCH = Patch(
    target="weasyprint.layout.inline:split_first_line",
    upstream="weasyprint.text.line_break:split_first_line",
    calls=(
        "weasyprint.text.line_break:first_line_metrics",
        "weasyprint.text.line_break:Layout.deactivate",
        "weasyprint.text.line_break:Layout.reactivate",
    ),
    make=make,
)
