"""render.stack: the engine laid out at any call depth maps no interpreter stack chunk per
line (counted as the page faults fresh chunks cost), and pages are byte-identical without it."""

from __future__ import annotations

import resource
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sahifa import render
from sahifa.fetch import Fetcher
from sahifa.render import stack
from test_line_split_cache import _composed_page, _page, _write

# One depth step is one frame of ``_at_depth`` (~13 words); 160 steps cover more than the
# 16 KiB a chunk holds, so some depth puts a chunk's end inside the per-line calls.
DEPTHS = range(0, 160, 3)


def _at_depth(depth: int, function: Callable[[], Any]) -> Any:
    return function() if depth == 0 else _at_depth(depth - 1, function)


def _faults_per_line(depth: int, html: str, roots: dict[Path, frozenset[str]]) -> float:
    """Fewest minor page faults of three layouts at ``depth``, per line laid out (a fresh
    chunk costs at least one; the fewest of three leaves out the collector's and malloc's)."""

    def lay_out() -> render.LaidOut:
        return render.lay_out(html, base_url=Path("/nonexistent"), fetcher=Fetcher(roots),
                              source=Path("probe.html"))  # fmt: skip

    counts = []
    for _ in range(3):
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        laid = _at_depth(depth, lay_out)
        counts.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
    lines = sum(type(b).__name__ == "LineBox" for p in laid.document.pages
                for b in p._page_box.descendants())  # fmt: skip
    return min(counts) / lines


def _one_long_paragraph() -> tuple[str, dict[Path, frozenset[str]]]:
    html, roots = _page()
    return html.replace("columns: 3", "columns: 1; width: 180px"), roots


def test_no_call_depth_maps_a_chunk_per_line(monkeypatch: pytest.MonkeyPatch) -> None:
    render.warm_up()
    html, roots = _one_long_paragraph()
    for _ in range(2):  # fonts, caches and the split cache filled
        _faults_per_line(0, html, roots)
    worst = max(_faults_per_line(d, html, roots) for d in DEPTHS)
    assert worst < 3, f"{worst:.1f} page faults per line at some call depth"
    # The same sweep without the headroom finds a depth where every line maps chunks: the
    # measure sees what it guards against.
    monkeypatch.setattr(stack, "ENABLED", False)
    assert any(_faults_per_line(d, html, roots) > 5 for d in DEPTHS)


def test_a_nested_call_runs_directly() -> None:
    seen = []
    assert stack.with_headroom(lambda: stack.with_headroom(lambda: seen.append(1) or 7)) == 7
    assert seen == [1] and not stack._inside.active


@pytest.mark.parametrize("variant", [None, "pdf/a-3b"])
def test_pages_are_byte_identical_without_it(variant: str | None,
                                             monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    render.warm_up()
    html, roots = _composed_page()
    with_it = _write(html, roots, variant)
    monkeypatch.setattr(stack, "ENABLED", False)
    assert _write(html, roots, variant) == with_it
