"""Warm worker processes that sahifa controls: one item at a time each, killable.

``concurrent.futures`` cannot stop one running task; here each worker is a process with a
pipe, so an item past its wall-clock deadline is ended by killing its worker (and a fresh
one takes its place), and a memory cap (RLIMIT_AS) makes an oversized item fail alone.
Workers import WeasyPrint once and then render item after item.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

STARTUP_SECONDS = 120


@dataclass(frozen=True)
class Task:
    key: str
    source: Path
    output: Path
    strict: bool = True
    variant: str | None = None


def run_task(task: Task) -> dict[str, Any]:
    """Render one item through the pipeline (in a worker); a record for the manifest."""
    from sahifa.errors import SahifaError
    from sahifa.output import write_atomic
    from sahifa.pipeline import RenderJob, build, input_hash, prepare

    started = time.perf_counter()
    record: dict[str, Any] = {"input": task.key, "output": str(task.output)}
    try:
        job = RenderJob(source=task.source, strict=task.strict, pdf_variant=task.variant)
        prepared = prepare(job)
        record["input_hash"] = input_hash(prepared, task.variant or "")
        # The input hash goes into the PDF's /ID: a PDF finished just before a kill is
        # recognised by --resume without rendering it again.
        result, data = build(replace(job, identifier=record["input_hash"]), prepared)
        write_atomic(task.output, data)
        record.update(
            status="ok", sha256=result.sha256, pages=result.pages,
            warnings=[str(w) for w in result.warnings],
            stories={str(page): ids for page, ids in result.stories.items()},
        )  # fmt: skip
    except SahifaError as exc:
        record.update(status="failed", error=str(exc))
    except MemoryError:
        record.update(status="failed", error="over the memory cap (--memory-mb)")
    except Exception as exc:  # a bug: this item fails, the batch goes on
        record.update(status="failed", error=f"internal error: {type(exc).__name__}: {exc}")
    record["seconds"] = round(time.perf_counter() - started, 3)
    return record


def _worker_main(conn: Connection, memory_mb: int) -> None:
    if memory_mb:
        import resource

        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    import logging

    logging.getLogger("sahifa").setLevel(logging.ERROR)  # warnings travel in the records
    from sahifa import pdf

    pdf.weasyprint()  # warm: import once, before the first item's clock starts
    conn.send("ready")
    while True:
        task = conn.recv()
        if task is None:
            return
        conn.send(run_task(task))


@dataclass
class _Slot:
    process: Any = None
    conn: Connection | None = None
    task: Task | None = None
    deadline: float = 0.0

    def alive(self) -> bool:
        return self.process is not None and self.process.is_alive()


@dataclass
class Pool:
    """``jobs`` workers, each item under ``timeout`` seconds and ``memory_mb`` of memory."""

    jobs: int
    timeout: float
    memory_mb: int
    _context: Any = field(default_factory=lambda: multiprocessing.get_context("fork"))

    def _start(self, slot: _Slot) -> None:
        parent, child = self._context.Pipe()
        process = self._context.Process(
            target=_worker_main, args=(child, self.memory_mb), daemon=True
        )
        process.start()
        child.close()
        if not parent.poll(STARTUP_SECONDS) or parent.recv() != "ready":
            process.kill()
            raise RuntimeError("a batch worker did not start")
        slot.process, slot.conn = process, parent

    def _kill(self, slot: _Slot) -> None:
        if slot.process is not None:
            slot.process.kill()
            slot.process.join()
        if slot.conn is not None:
            slot.conn.close()
        slot.process = slot.conn = None

    def run(self, tasks: list[Task], done: Callable[[Task, dict[str, Any]], None]) -> None:
        pending = deque(tasks)
        slots = [_Slot() for _ in range(max(1, min(self.jobs, len(tasks))))]
        try:
            while pending or any(s.task for s in slots):
                for slot in slots:
                    if slot.task is None and pending:
                        if not slot.alive():
                            self._start(slot)
                        slot.task = pending.popleft()
                        assert slot.conn is not None
                        slot.conn.send(slot.task)
                        slot.deadline = time.monotonic() + self.timeout
                busy = [s for s in slots if s.task is not None]
                ready = wait([s.conn for s in busy if s.conn is not None], timeout=0.2)
                for slot in busy:
                    task = slot.task
                    assert task is not None
                    if slot.conn in ready:
                        try:
                            record = slot.conn.recv()
                        except (EOFError, OSError):  # the worker died: crash or memory kill
                            code = slot.process.exitcode if slot.process else None
                            self._kill(slot)
                            record = _failed(task, f"the worker died (exit code {code})")
                        slot.task = None
                        done(task, record)
                    elif time.monotonic() > slot.deadline:
                        self._kill(slot)
                        slot.task = None
                        done(task, _failed(task, f"took longer than {self.timeout:g} s; stopped"))
        finally:
            for slot in slots:
                if slot.alive() and slot.conn is not None:
                    with contextlib.suppress(OSError):
                        slot.conn.send(None)
                self._kill(slot)


def _failed(task: Task, error: str) -> dict[str, Any]:
    return {"input": task.key, "output": str(task.output), "status": "failed", "error": error}
