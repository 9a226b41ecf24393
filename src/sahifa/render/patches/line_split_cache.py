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

Results are per layout context, so per document: a cache never outlives the fonts and styles
its layouts were made with, and a render's memory is freed with it. The answer's Pango
layout has been deactivated by WeasyPrint (no Pango object is left in it; ``draw_text``
builds one again from its text and style); each caller gets a copy of its own, since
drawing may change a layout's text (ellipsis). Output is byte-identical with and without
the cache (tests/test_engine_patches.py; benchmarks/throughput.py compares sha256).

It wraps whatever function is in place, and its key holds every argument of it, so it
composes with another patch of ``split_first_line`` in either order. sahifa installs it
after ``paragraph_breaks`` (outermost), so the composer's lines are kept too: in a batch the
composer and Pango were asked 5.4 times per distinct split, 16% of the CPU time.
Upstream fix: a per-``LayoutContext`` dictionary in ``split_first_line``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from sahifa.render.patches import Patch

# The attribute of a LayoutContext holding its splits: key → (style, answer). The style is
# held so that its id, part of the key, stays its own while the entry lives.
ATTRIBUTE = "_sahifa_line_splits"


def cached_splits(context: Any) -> int:
    """How many splits are kept for ``context`` (for the contract test)."""
    return len(getattr(context, ATTRIBUTE, ()))


def make(original: Callable[..., Any]) -> Callable[..., Any]:
    def split_first_line(
        text: str, style: Any, context: Any, max_width: Any, justification_spacing: Any,
        is_line_start: bool = True, minimum: bool = False,
    ) -> Any:  # fmt: skip
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
