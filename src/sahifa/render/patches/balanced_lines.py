"""Patch: balanced lines for headlines, decks and captions (``--sahifa-wrap: balance``).

Upstream: ``weasyprint.layout.inline.iter_line_boxes`` (WeasyPrint 70.0), wrapped where
``layout/block.py`` looks it up. WeasyPrint 70 has no ``text-wrap: balance``: a headline
breaks greedily and often ends on one word. For a block whose ``--sahifa-wrap`` is
``balance``, its lines are laid out as usual to count them (n); then the narrowest width that
still gives n lines is found by bisection on real layouts, and the lines are laid out at that
width, placed against the side the text is aligned to. The box keeps its width; only its
lines are narrower and even. Never justified, never scaled: a one-line block, and one of
more than ``MAX_LINES`` lines, is untouched. The width found is kept for the document (column
balancing and fitting passes lay the same block out again).
Upstreamable as CSS Text 4 ``text-wrap-style: balance``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

from sahifa.render.justify import custom
from sahifa.render.patches import Patch

MAX_LINES = 6  # as Chromium: balancing is for short blocks, and costs a layout per step
PRECISION = 1.5  # CSS px: the balanced width is found to within this


def _side(style: Any) -> float:
    """Where lines hug the box: 1 right, 0 left, 0.5 centre."""
    align = style["text_align_all"]
    rtl = style["direction"] == "rtl"
    if align == "center":
        return 0.5
    if align in ("start", "justify"):
        return 1.0 if rtl else 0.0
    if align == "end":
        return 0.0 if rtl else 1.0
    return 1.0 if align == "right" else 0.0


def _widths(context: Any) -> dict[tuple[int, float], tuple[Any, float | None]]:
    """The balanced widths found while one document is laid out, on its layout context."""
    found = getattr(context, "sahifa_balanced_widths", None)
    if found is None:
        found = {}
        context.sahifa_balanced_widths = found
    return found


def make(original: Callable[..., Any]) -> Callable[..., Any]:
    def lines_at(width: float, args: tuple[Any, ...], side: float) -> list[tuple[Any, Any]]:
        (context, box, position_y, bottom_space, skip_stack, containing_block,
         absolute_boxes, fixed_boxes, first_letter_style, first_line_style) = args  # fmt: skip
        narrower = copy.copy(containing_block)
        narrower.position_x = containing_block.position_x + side * (containing_block.width - width)
        narrower.width = width
        return list(original(context, box, position_y, bottom_space, skip_stack, narrower,
                             absolute_boxes, fixed_boxes, first_letter_style,
                             first_line_style))  # fmt: skip

    def fits(lines: list[tuple[Any, Any]], count: int, width: float) -> bool:
        return len(lines) == count and all(line.width <= width + 0.01 for line, _ in lines)

    def iter_line_boxes(
        context: Any, box: Any, position_y: float, bottom_space: float, skip_stack: Any,
        containing_block: Any, absolute_boxes: list[Any], fixed_boxes: list[Any],
        first_letter_style: Any, first_line_style: Any,
    ) -> Iterator[tuple[Any, Any]]:  # fmt: skip
        args = (context, box, position_y, bottom_space, skip_stack, containing_block,
                absolute_boxes, fixed_boxes, first_letter_style, first_line_style)  # fmt: skip
        width = getattr(containing_block, "width", None)
        if (skip_stack is not None or context.excluded_shapes
                or not isinstance(width, (int, float)) or width <= 0
                or custom(box.style, "sahifa-wrap") != "balance"):  # fmt: skip
            yield from original(*args)
            return
        side = _side(box.style)
        found = _widths(context)
        key = (id(box.element), width)
        if key in found and found[key][0] is box.element:
            balanced = found[key][1]
        else:
            balanced = balance(width, (*args[:6], [], [], *args[8:]), side)
            found[key] = (box.element, balanced)  # the element is kept: its id stays its own
        if balanced is None:
            yield from original(*args)
        else:
            yield from lines_at(balanced, args, side)

    def balance(width: float, trial: tuple[Any, ...], side: float) -> float | None:
        """The narrowest width that keeps the block's line count, or None (nothing to do).
        ``trial``: the arguments, with lists of their own for out-of-flow boxes."""
        lines = lines_at(width, trial, 0.0)
        count = len(lines)
        if not 2 <= count <= MAX_LINES or not fits(lines, count, width):
            return None
        # The lines cannot be narrower than their text shared out evenly.
        low, high = sum(line.width for line, _ in lines) / count, width
        while high - low > PRECISION:
            middle = (low + high) / 2
            if fits(lines_at(middle, trial, side), count, middle):
                high = middle
            else:
                low = middle
        return high

    return iter_line_boxes


PATCH = Patch(
    target="weasyprint.layout.block:iter_line_boxes",
    upstream="weasyprint.layout.inline:iter_line_boxes",
    calls=("weasyprint.layout.inline:get_next_linebox",),
    make=make,
)
