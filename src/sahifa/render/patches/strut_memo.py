"""Patch: a style's strut (line height and baseline) worked out once per style object.

Upstream: ``weasyprint.text.line_break.strut`` (WeasyPrint 70.0), as
``weasyprint.layout.inline`` looks it up: ``split_text_box``, ``_adjust_line_height`` and
the line box's own height ask it for every text box of every line laid out, ~4 times per
line, each time building its cache key: ``str()`` of a tuple of 14 font properties of the
style (``_font_style_cache_key``). Those key strings took 6% of a batch's CPU. A style's
font properties, size and line height never change once computed (WeasyPrint writes a
changed style into a copy: ``character_ratio``, first-line styles), so the answer is kept
with the style object itself, by identity; a weak reference tells a new style apart from a
freed one at the same address. Same answers, same bytes (``tests/test_strut_memo.py``).
Upstream fix: cache the strut on the ``ComputedStyle``.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

from sahifa.render.patches import Patch

# id(style) → (a weak reference to it, its strut). No callback removes an entry when its
# style goes (a timer signal raised inside a callback would be lost: ``sahifa.limits``);
# the memo is emptied when it reaches its bound instead.
_struts: dict[int, tuple[Any, tuple[float, float]]] = {}
_MAX_STRUTS = 100_000


def make(original: Callable[[Any], tuple[float, float]]) -> Callable[[Any], tuple[float, float]]:
    def strut(style: Any) -> tuple[float, float]:
        key = id(style)
        found = _struts.get(key)
        if found is not None and found[0]() is style:
            return found[1]
        result = original(style)
        try:
            ref = weakref.ref(style)
        except TypeError:  # a style that cannot be referenced weakly: not kept
            return result
        if len(_struts) >= _MAX_STRUTS:
            _struts.clear()
        _struts[key] = (ref, result)
        return result

    return strut


PATCH = Patch(
    target="weasyprint.layout.inline:strut",
    upstream="weasyprint.text.line_break:strut",
    calls=(),
    make=make,
)
