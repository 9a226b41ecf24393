"""Running a batch on a Dask distributed cluster (``--scheduler tcp://host:8786``).

The same tasks as the local pool; inputs and the output folder must be on a path every worker
sees. Each Dask worker thread keeps one warm render process (``sahifa.batch.warm``), so an
item costs its render, not a Python start and a WeasyPrint import; a stuck item is still
killed at its timeout and an oversized one meets its memory cap, as in a local batch, and the
next item gets a fresh warm process. Items go longest first (their order in ``tasks``) by
Dask priority. Only the coordinating process writes the manifest.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sahifa.batch.warm import ItemProcess
from sahifa.batch.workers import Task, _failed
from sahifa.errors import SahifaError

# Per thread of a Dask worker process: its warm render process, by memory cap.
_local = threading.local()
_every: list[ItemProcess] = []  # all of this Dask worker's, for ``warm_processes``
_lock = threading.Lock()


def render_warm(task: Task, timeout: float, memory_mb: int) -> dict[str, Any]:
    """Runs on a Dask worker: the item in this thread's warm process (started if needed)."""
    processes: dict[int, ItemProcess] = _local.__dict__.setdefault("processes", {})
    process = processes.get(memory_mb)
    if process is None:
        process = processes[memory_mb] = ItemProcess(memory_mb)
        with _lock:
            _every.append(process)
    try:
        return process.render(task, timeout)
    except RuntimeError as exc:  # the process did not warm up
        return _failed(task, str(exc))


def warm_processes() -> list[dict[str, Any]]:
    """This Dask worker's render processes: pid (None when not running) and how many times
    each was started (``client.run(warm_processes)``: tests, diagnosis)."""
    with _lock:
        return [{"pid": p.process.pid if p.alive() and p.process else None,
                 "started": p.started} for p in _every]  # fmt: skip


@dataclass
class DaskPool:
    """The ``Pool`` interface on a Dask cluster."""

    address: str
    timeout: float
    memory_mb: int

    def run(self, tasks: list[Task], done: Callable[[Task, dict[str, Any]], None]) -> None:
        try:
            from distributed import Client, as_completed
        except ImportError:
            raise SahifaError(
                "batch", "--scheduler needs Dask: pip install 'sahifa[distributed]'"
            ) from None
        try:
            client = Client(self.address, timeout=30)
        except OSError as exc:
            raise SahifaError(
                "batch", f"cannot reach the Dask scheduler {self.address}: {exc}"
            ) from None
        with client:
            futures = {
                client.submit(
                    render_warm,
                    task,
                    self.timeout,
                    self.memory_mb,
                    key=f"sahifa-{task.key}",
                    pure=False,
                    priority=len(tasks) - index,  # longest first
                ): task
                for index, task in enumerate(tasks)
            }
            for future in as_completed(futures):
                task = futures[future]
                try:
                    record = future.result()
                except Exception as exc:  # a lost worker: this item fails, the rest go on
                    record = _failed(task, f"Dask: {type(exc).__name__}: {exc}")
                done(task, record)
