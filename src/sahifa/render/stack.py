"""The engine is called with room to recurse, so CPython does not map a stack chunk per call.

Since Python 3.11 the interpreter keeps Python frames in "data stack chunks", 16 KiB each: a
call whose frame does not fit in what is left of the current chunk maps a new chunk
(``mmap``), and when the first frame of a chunk returns, the chunk is unmapped at once
(CPython's ``_PyThreadState_PopFrame``). WeasyPrint's layout is a deep recursion with hot
loops at its bottom (~20 calls per line of text); when a chunk's end falls inside one, every
call in it maps, faults in and unmaps a chunk. Where it falls depends on how deep the engine
was called from: for sahifa's article pages it fell between ``get_next_linebox`` and its
callees, and 24% of a batch's CPU went to ``mmap`` and ``munmap`` (``py-spy --native``, the
54 articles of ``benchmarks/throughput.py``).

``with_headroom`` calls the engine through a function whose frame reserves HEADROOM_WORDS
stack slots (its code's ``co_stacksize``: the slots are reserved, never written, so they cost
nothing). That frame never fits in a chunk's rest, so CPython maps one chunk big enough for
it and then some (it rounds the request up to a power-of-two multiple of 16 KiB): the whole
layout or PDF writing, frames and all, runs in the ~240 KiB left of that chunk. One map per
call instead of one per line, whatever the depth (``tests/test_stack_headroom.py``). Nothing
the engine computes changes. Upstream counterpart: CPython could keep a freed chunk for the
next push instead of unmapping it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

# 32,768 slots (256 KiB): CPython then maps a 512 KiB chunk, leaving ~240 KiB for the
# engine's own frames, some ten times what the deepest page sahifa lays out needs.
HEADROOM_WORDS = 32768
ENABLED = True  # the benchmark's and the contract test's switch

_inside = threading.local()  # a nested call would find the room taken: it calls directly


def _reserved(function: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    return function(*args, **kwargs)


_reserved.__code__ = _reserved.__code__.replace(
    co_stacksize=_reserved.__code__.co_stacksize + HEADROOM_WORDS
)


def with_headroom(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``function(*args, **kwargs)``, run at the start of a stack chunk of its own."""
    if not ENABLED or getattr(_inside, "active", False):
        return function(*args, **kwargs)
    _inside.active = True
    try:
        return _reserved(function, args, kwargs)  # type: ignore[no-any-return]
    finally:
        _inside.active = False
