"""Patch: do not lay grid items out to size tracks whose sizes are all fixed lengths.

Upstream: ``weasyprint.layout.grid._distribute_extra_space`` (WeasyPrint 70.0,
layout/grid.py). WeasyPrint lays every spanning grid item out (a deep copy, unbounded) several
times while distributing "extra space" to intrinsic tracks, even when no track is intrinsic.
Edition pages are grids of fixed-size tracks holding multi-column stories, so this made a
four-page edition take ~90 s a pass. With only fixed tracks there is no extra space to
distribute, and the function has nothing to do: the output is the same, only faster.
Upstream fix: return early from the track-sizing step when every sizing function is a length.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sahifa.render.patches import Patch


def make(original: Callable[..., Any]) -> Callable[..., Any]:
    from weasyprint.layout import grid

    def distribute_extra_space(
        affected_sizes: Any, affected_tracks_types: Any, size_contribution: Any,
        tracks_children: Any, sizing_functions: Any, *args: Any,
    ) -> Any:  # fmt: skip
        if all(grid._is_length(f) for pair in sizing_functions for f in pair):
            return None
        return original(
            affected_sizes, affected_tracks_types, size_contribution, tracks_children,
            sizing_functions, *args,
        )  # fmt: skip

    return distribute_extra_space


PATCH = Patch(
    target="weasyprint.layout.grid:_distribute_extra_space",
    upstream="weasyprint.layout.grid:_distribute_extra_space",
    calls=("weasyprint.layout.grid:_is_length",),
    make=make,
)
