"""A batch's progress: a live bar on a terminal, one plain line per item otherwise.

On a terminal (rich): a bar with items done of all, failures, pages per minute and the time
left, redrawn as items finish and every half second in between, so the rate and ETA stay live
during a long item. Into a file or a pipe (a log, CI): one line per finished item, as before,
and no control characters. The summary after the batch is printed by the caller either way.
"""

from __future__ import annotations

import time
from typing import Any, TextIO


class Progress:
    """Counts finished items and pages; shows them as a bar (``tty``) or as log lines."""

    def __init__(self, total: int, out: TextIO, tty: bool | None = None) -> None:
        self.total, self.out = total, out
        self.done = self.failed = self.pages = 0
        self.started = time.monotonic()
        self.tty = out.isatty() if tty is None else tty
        self._bar: Any = None
        self._task: Any = None
        if self.tty and total:
            self._start_bar()

    def _start_bar(self) -> None:
        # Imported here: only a batch on a terminal needs rich (start-up of other commands).
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        console = Console(file=self.out, force_terminal=True)
        self._bar = Progress(
            TextColumn("batch"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[failed]}"), TextColumn("{task.fields[rate]}"),
            TextColumn("{task.fields[eta]}"),
            console=console, refresh_per_second=2, transient=False,
        )  # fmt: skip
        self._task = self._bar.add_task("batch", total=self.total, **self._fields())
        self._bar.start()

    def rate(self) -> float:
        """Pages per minute so far."""
        return self.pages / max(time.monotonic() - self.started, 1e-6) * 60

    def eta(self) -> float | None:
        """Seconds left, from the time per item so far (None before the first)."""
        if not self.done:
            return None
        elapsed = time.monotonic() - self.started
        return (self.total - self.done) * elapsed / self.done

    def _fields(self) -> dict[str, str]:
        eta = self.eta()
        return {
            "failed": f"{self.failed} failed",
            "rate": f"{self.rate():.0f} pages/min" if self.pages else "… pages/min",
            "eta": f"ETA {_clock(eta)}" if eta is not None else "ETA …",
        }

    def update(self, record: dict[str, Any]) -> None:
        self.done += 1
        self.failed += record.get("status") != "ok"
        self.pages += int(record.get("pages") or 0)
        if self._bar is not None:
            self._bar.update(self._task, completed=self.done, **self._fields())
        else:
            status = record.get("status")
            detail = record.get("error") or f"{record.get('pages')} page(s)"
            print(f"[{self.done}/{self.total}] {status} {record['input']}: {detail}", file=self.out)

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


def _clock(seconds: float) -> str:
    seconds = round(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}" if seconds >= 60 else f"{seconds} s"
