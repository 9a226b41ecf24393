"""The order a batch renders in: longest items first, so no worker idles at the end.

With items in path order a long article or an edition met last keeps one worker busy while
the others have nothing left to do. An item's cost is estimated from what it must read: an
article's file size; an edition's file and the stories it names, times its fitting passes
(each lays every story out again). Ties keep path order, so the order is reproducible.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from sahifa.batch.discover import edition_articles
from sahifa.content.edition import is_edition

T = TypeVar("T")

EDITION_PASSES = 3  # an edition is laid out about this many times (sahifa.fitting)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def estimated_cost(source: Path, seconds: float = 60) -> int:
    """Bytes to lay out: the article, or an edition's stories times its passes."""
    if not is_edition(source):
        return _size(source)
    stories = edition_articles(source, seconds)
    return _size(source) + EDITION_PASSES * sum(_size(p) for p in stories)


def longest_first(items: Sequence[T], source: Callable[[T], Path]) -> list[T]:
    """``items`` by estimated cost, largest first (stable: equal costs keep their order)."""
    costs = {id(item): estimated_cost(source(item)) for item in items}
    return sorted(items, key=lambda item: -costs[id(item)])
