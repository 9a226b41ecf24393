"""A wall-clock limit on one render, so an odd file cannot hang the desk or a batch.

The limit is a timer signal, so it works in the main thread of a process (the CLI and the
batch's worker processes); elsewhere (the preview's render thread) it is not applied.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sahifa.errors import SahifaError


class _Expired(BaseException):
    """Raised by the timer; a BaseException so WeasyPrint's ``except Exception`` lets it by."""


@contextmanager
def time_limit(seconds: float, source: Path) -> Iterator[None]:
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise _Expired

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except _Expired:
        raise SahifaError(
            "limit", f"the render took longer than {seconds:g} s (limits.render_seconds)",
            file=source,
        ) from None  # fmt: skip
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
