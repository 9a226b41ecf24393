"""Paragraph-level line breaking with kashida counted as stretch (total fit). Pure.

Greedy breaking fills each line as full as it can and leaves the next to cope, which is what
opens rivers in narrow justified columns. Here every way of breaking the paragraph at its
spaces is weighed at once, as TeX and InDesign's paragraph composer do (Knuth and Plass,
"Breaking Paragraphs into Lines", 1981), with a cost per line that models how the line will
be justified (``stretch``): word spaces first up to a comfortable amount, then kashidas (at
most ``PER_SITE`` at each word's one site), then word spaces again.

The dynamic programme runs from the paragraph's end: ``best[i]`` is the least cost of setting
the words from ``i`` on, so the break chosen at any word depends only on the text after it.
A caller that lays a paragraph out line by line (WeasyPrint does) gets the same breaks
whether it asks for the whole paragraph or for what is left of it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

PER_SITE = 2  # tatweels at one word's site: more reads as a drawn-out word
COMFORT = 0.12  # em of extra word space taken before any kashida
LOOSE = 0.25  # em of extra word space at which a line counts as loose (badness 100)
LINE_PENALTY = 10.0
KASHIDA_COST = 40.0  # demerits per tatweel: an elongation is a mark of its own
OVERFULL = 1e12


@dataclass(frozen=True)
class Item:
    """One word of the paragraph."""

    width: float
    sites: int = 0  # 1 when the word takes kashida, else 0


@dataclass(frozen=True)
class Stretch:
    """How one justified line is stretched by ``extra`` (the width it lacks)."""

    tatweels: int
    per_gap: float  # extra width each word space still takes


def stretch(extra: float, gaps: int, capacity: int, tatweel: float, em: float) -> Stretch:
    """Word spaces take up to ``COMFORT`` em each, kashidas the next part (whole tatweels,
    at most ``capacity``), word spaces what is left."""
    if extra <= 0:
        return Stretch(0, 0.0)
    spaces_first = min(extra, gaps * COMFORT * em)
    tatweels = 0
    if capacity and tatweel > 0:
        tatweels = min(capacity, math.floor((extra - spaces_first) / tatweel + 0.5))
        while tatweels and tatweels * tatweel > extra:
            tatweels -= 1
    rest = extra - tatweels * tatweel
    per_gap = rest / gaps if gaps else (math.inf if rest > 0.05 * em else 0.0)
    return Stretch(tatweels, per_gap)


def line_cost(extra: float, gaps: int, capacity: int, tatweel: float, em: float) -> float:
    """Demerits of a justified line lacking ``extra``."""
    plan = stretch(extra, gaps, capacity, tatweel, em)
    if math.isinf(plan.per_gap):
        badness = 10_000.0
    else:
        badness = min(10_000.0, 100.0 * (plan.per_gap / (LOOSE * em)) ** 3)
    return (LINE_PENALTY + badness) ** 2 + KASHIDA_COST * plan.tatweels


def breaks(
    items: Sequence[Item], space: float, width: float, tatweel: float, em: float
) -> list[int]:
    """``after[i]``: for a line starting at word ``i``, the index of the first word of the
    next line (``len(items)`` when the rest is the last line)."""
    n = len(items)
    widths = [0.0]
    sites = [0]
    for item in items:
        widths.append(widths[-1] + item.width)
        sites.append(sites[-1] + item.sites)
    best = [math.inf] * n + [0.0]
    after = [n] * (n + 1)
    for i in range(n - 1, -1, -1):
        for j in range(i + 1, n + 1):
            natural = widths[j] - widths[i] + (j - i - 1) * space
            if natural > width and j > i + 1:
                break
            if natural > width:
                cost = OVERFULL  # one word wider than the line: it overflows whatever we do
            elif j == n:
                cost = 0.0  # the last line is not justified
            else:
                capacity = PER_SITE * (sites[j] - sites[i])
                cost = line_cost(width - natural, j - i - 1, capacity, tatweel, em)
            if cost + best[j] < best[i]:
                best[i] = cost + best[j]
                after[i] = j
    return after


def allocate(classes: Sequence[int], count: int) -> list[int]:
    """How many tatweels each candidate word of a line takes (0 … ``PER_SITE``), ``count``
    in all: one per word first, the best site classes first and, among equals, spread along
    the line; a second at the same sites only once every candidate has one."""
    n = len(classes)
    spread = _spread_ranks(n)
    order = sorted(range(n), key=lambda i: (classes[i], spread[i]))
    taken = [0] * n
    for _round in range(PER_SITE):
        for i in order:
            if count <= 0:
                return taken
            taken[i] += 1
            count -= 1
    return taken


@cache
def _spread_ranks(count: int) -> tuple[float, ...]:
    return tuple(_spread(i, count) for i in range(count))


def _spread(index: int, count: int) -> float:
    """A rank that visits positions far from each other first (van der Corput order)."""
    position, rank, base = index, 0.0, 0.5
    bits = max(1, (count - 1).bit_length())
    for _ in range(bits):
        rank += base * (position & 1)
        position >>= 1
        base /= 2
    return rank
