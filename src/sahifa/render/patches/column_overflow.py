"""Patch: a fixed-height multi-column box keeps its columns when an overflow column is stuck.

Upstream: ``weasyprint.layout.block.block_box_layout`` (WeasyPrint 70.0, layout/block.py), as
called by ``weasyprint.layout.column.columns_layout`` for the columns of a box. A box with a
fixed ``height`` puts what does not fit into extra columns beyond its edge; when one of those
extra columns cannot place its first block (a ``break-inside: avoid`` quote taller than the
column, on a page that is not empty) the layout returns nothing for it, and columns_layout
then drops *every* column of the box and moves them all to the next page — so a story box
whose body is long showed only its headline and photo, with white under them (the sample
front page: ``borsa-egx30`` and ``wahdat-al-jabahat``). The replacement lays such a column
out again as if on an empty page, so it takes its first block; the columns inside the box
are unchanged, and what lies beyond the box is measured by sahifa as overset.

Only the columns of sahifa's story boxes (``data-story``) that continue a column before them
are retried. Upstream fix: in columns_layout, stop adding columns (instead of dropping all)
when an extra column of a fixed-height box returns nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sahifa.render.patches import Patch


def make(original: Callable[..., Any]) -> Callable[..., Any]:
    def block_box_layout(context: Any, box: Any, bottom_space: Any, skip_stack: Any,
                         containing_block: Any, page_is_empty: Any, *args: Any,
                         **kwargs: Any) -> Any:  # fmt: skip
        result = original(context, box, bottom_space, skip_stack, containing_block,
                          page_is_empty, *args, **kwargs)  # fmt: skip
        if (result[0] is None and not page_is_empty and skip_stack is not None
                and getattr(box, "is_column", False) and box.element is not None
                and box.element.get("data-story")):  # fmt: skip
            return original(context, box, bottom_space, skip_stack, containing_block, True,
                            *args, **kwargs)  # fmt: skip
        return result

    return block_box_layout


PATCH = Patch(
    target="weasyprint.layout.block:block_box_layout",
    upstream="weasyprint.layout.block:block_box_layout",
    calls=("weasyprint.layout.column:columns_layout",),
    make=make,
)
