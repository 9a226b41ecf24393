"""A wall-clock limit on one render job, so an odd file cannot hang the desk or a batch.

The budget (``limits.render_seconds``) covers the whole job: reading the YAML, rendering the
templates, the glyph check, the layout and the writing — a template sandbox does not bound
CPU, and neither does a strict YAML reader. The limit is a timer signal, so it works in the
main thread of a process (the CLI and the batch's and the preview's worker processes);
elsewhere it is not applied, which is why the preview renders in a worker process.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sahifa.errors import SahifaError

REPEAT = 0.25  # seconds between alarms once the limit is reached


class _Expired(BaseException):
    """Raised by the timer; a BaseException so WeasyPrint's ``except Exception`` lets it by."""


def _expired_error(seconds: float, source: Path) -> SahifaError:
    return SahifaError(
        "limit", f"the render took longer than {seconds:g} s (limits.render_seconds)",
        file=source,
    )  # fmt: skip


@contextmanager
def time_limit(seconds: float, source: Path, shown: float | None = None) -> Iterator[None]:
    """Raise the limit error if the block runs longer than ``seconds`` (``shown``: the
    budget to name in the message). A limit already running (an outer block) governs."""
    armed = threading.current_thread() is threading.main_thread()
    if seconds <= 0 or not armed or signal.getitimer(signal.ITIMER_REAL)[0] > 0:
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise _Expired

    previous = signal.signal(signal.SIGALRM, expire)
    # Then again every REPEAT seconds: Python drops an exception raised inside a finalizer
    # or weakref callback ("Exception ignored in ..."), and a single alarm that landed in one
    # was lost, the render running on unbounded.
    signal.setitimer(signal.ITIMER_REAL, seconds, REPEAT)
    try:
        yield
    except _Expired:
        signal.setitimer(signal.ITIMER_REAL, 0)  # first: no second alarm while reporting
        raise _expired_error(shown or seconds, source) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass
class Budget:
    """One job's time budget, spent across the steps of the pipeline."""

    seconds: float
    source: Path
    started: float = field(default_factory=time.monotonic)

    @contextmanager
    def running(self) -> Iterator[None]:
        """Run a step on what is left of the budget; none left is the limit error at once."""
        left = self.seconds - (time.monotonic() - self.started)
        if self.seconds > 0 and left <= 0:
            raise _expired_error(self.seconds, self.source)
        with time_limit(left if self.seconds > 0 else 0, self.source, self.seconds):
            yield
