"""Warm worker processes that sahifa controls: one item at a time each, killable.

``concurrent.futures`` cannot stop one running task; here each worker is a process with a
pipe, so an item past its wall-clock deadline is ended by killing its worker (and a fresh
one takes its place), and a memory cap (RLIMIT_AS) makes an oversized item fail alone.
Workers import WeasyPrint once and then render item after item. ``Worker`` is one such
process (the preview renders in one too); ``Pool`` runs a batch's items on several.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection, wait
from multiprocessing.context import BaseContext
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
    root: Path | None = None  # the project: --project or the working directory's
    content_root: Path | None = None  # SRC_DIR: where an edition's story files may lie


def run_task(task: Task) -> dict[str, Any]:
    """Render one item through the pipeline (in a worker); a record for the manifest."""
    from sahifa.archive.inputs import input_hash
    from sahifa.errors import SahifaError
    from sahifa.output import write_atomic
    from sahifa.pipeline import RenderJob, build, prepare

    started = time.perf_counter()
    record: dict[str, Any] = {"input": task.key, "output": str(task.output)}
    try:
        job = RenderJob(source=task.source, strict=task.strict, pdf_variant=task.variant,
                        root=task.root, content_root=task.content_root)  # fmt: skip
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


def _worker_main(conn: Connection, memory_mb: int, handler: Callable[[Any], Any]) -> None:
    # Ctrl-C reaches the whole process group; the parent decides when a worker ends (and
    # kills it), so a worker does not also die with a traceback of its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if memory_mb:
        import resource

        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    import logging

    logging.getLogger("sahifa").setLevel(logging.ERROR)  # warnings travel in the answers
    from sahifa import pipeline

    pipeline.warm_up()  # warm: import once, before the first item's clock starts
    tune_collector()
    conn.send("ready")
    while True:
        try:
            request = conn.recv()
            if request is None:
                return
            conn.send(handler(request))
        except (EOFError, BrokenPipeError):  # the parent is gone (killed): so is the answer
            return


# Young objects collected every 20,000 allocations rather than 700: a render allocates
# millions of short-lived boxes, freed by reference counting, and the collector's passes
# over them took 6.4% of a worker's CPU on the throughput corpus (3.2% with this, for 34 MB
# more at most). The older generations keep their ratios (10 each).
COLLECTOR_THRESHOLDS = (20_000, 10, 10)


def tune_collector() -> None:
    """After warm-up: the engine's modules and caches never become garbage, so they are left
    out of every collection (``gc.freeze``; the pages forked workers share stay shared too),
    and the young generation is collected less often (``COLLECTOR_THRESHOLDS``)."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(*COLLECTOR_THRESHOLDS)


class WorkerDied(Exception):
    """The worker process ended without answering: a crash, or the kernel's memory killer."""

    def __init__(self, exitcode: int | None) -> None:
        super().__init__(f"the worker died (exit code {exitcode})")
        self.exitcode = exitcode


class Worker:
    """One warm process that answers requests with ``handler``, one at a time, killable.

    ``handler`` runs in the worker; with a "spawn" ``context`` it travels by name, so it must
    be a module-level function. A killed or dead worker is started again by ``start``.
    """

    def __init__(
        self, handler: Callable[[Any], Any], memory_mb: int = 0,
        context: BaseContext | None = None,
    ) -> None:  # fmt: skip
        self.handler = handler
        self.memory_mb = memory_mb
        self.context = context or multiprocessing.get_context("fork")
        self.deadline = 0.0
        self._process: Any = None
        self._conn: Connection | None = None
        self._ready = False

    @property
    def conn(self) -> Connection:
        """The parent's end of the pipe (for ``multiprocessing.connection.wait``)."""
        assert self._conn is not None, "the worker is not running"
        return self._conn

    def alive(self) -> bool:
        return self._process is not None and self._process.is_alive()

    def start(self) -> None:
        """Launch the process; it warms up while the caller goes on (see ``wait_ready``)."""
        self.kill()
        parent, child = self.context.Pipe()
        process = self.context.Process(
            target=_worker_main, args=(child, self.memory_mb, self.handler), daemon=True
        )
        process.start()
        child.close()
        self._process, self._conn, self._ready = process, parent, False

    def wait_ready(self, timeout: float = STARTUP_SECONDS) -> bool:
        """Wait until the process has warmed up; False (and killed) if it did not."""
        if not self._ready and self._conn is not None:
            try:
                self._ready = self._conn.poll(timeout) and self._conn.recv() == "ready"
            except (EOFError, OSError):
                self._ready = False
        if not self._ready:
            self.kill()
        return self._ready

    def send(self, request: Any, seconds: float) -> None:
        """Hand over one request; its answer is due within ``seconds`` (see ``expired``)."""
        self.deadline = time.monotonic() + seconds
        self.conn.send(request)

    def expired(self) -> bool:
        return time.monotonic() > self.deadline

    def receive(self) -> Any:
        """The answer to the request sent; ``WorkerDied`` if the process ended instead."""
        try:
            return self.conn.recv()
        except (EOFError, OSError):
            process = self._process
            if process is not None:
                process.join(1)  # reaped, so the exit code is known
            self.kill()
            raise WorkerDied(process.exitcode if process is not None else None) from None

    def call(self, request: Any, seconds: float) -> Any:
        """Send ``request`` and wait for the answer, starting the process if needed. Past
        ``seconds`` the process is killed: ``TimeoutError``; ``WorkerDied`` if it died."""
        if not self.alive():
            self.start()
        if not self.wait_ready():
            raise WorkerDied(None)
        self.send(request, seconds)
        # poll() is also true when the pipe closed (the worker died): receive() tells which.
        if not self.conn.poll(max(0.0, self.deadline - time.monotonic())):
            self.kill()
            raise TimeoutError(f"no answer within {seconds:g} s")
        return self.receive()

    def kill(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.join()
        if self._conn is not None:
            self._conn.close()
        self._process = self._conn = None
        self._ready = False

    def stop(self) -> None:
        """Ask the worker to finish, and make sure it has."""
        if self.alive() and self._conn is not None:
            with contextlib.suppress(OSError):
                self._conn.send(None)
        self.kill()


@dataclass
class _Slot:
    worker: Worker
    task: Task | None = None


@dataclass
class Pool:
    """``jobs`` workers, each item under ``timeout`` seconds and ``memory_mb`` of memory."""

    jobs: int
    timeout: float
    memory_mb: int
    _context: Any = field(default_factory=lambda: multiprocessing.get_context("fork"))

    def _start(self, worker: Worker) -> None:
        worker.start()
        if not worker.wait_ready(STARTUP_SECONDS):
            raise RuntimeError("a batch worker did not start")

    def run(self, tasks: list[Task], done: Callable[[Task, dict[str, Any]], None]) -> None:
        pending = deque(tasks)
        slots = [
            _Slot(Worker(run_task, self.memory_mb, self._context))
            for _ in range(max(1, min(self.jobs, len(tasks))))
        ]
        try:
            # All workers warm up at once (each imports WeasyPrint, ~1 s): started one after
            # another, the second core idled through the first one's warm-up.
            for slot in slots:
                slot.worker.start()
            for slot in slots:
                if not slot.worker.wait_ready(STARTUP_SECONDS):
                    raise RuntimeError("a batch worker did not start")
            while pending or any(s.task for s in slots):
                for slot in slots:
                    if slot.task is None and pending:
                        if not slot.worker.alive():
                            self._start(slot.worker)
                        slot.task = pending.popleft()
                        slot.worker.send(slot.task, self.timeout)
                busy = [s for s in slots if s.task is not None]
                ready = wait([s.worker.conn for s in busy], timeout=0.2)
                for slot in busy:
                    task = slot.task
                    assert task is not None
                    if slot.worker.conn in ready:
                        try:
                            record = slot.worker.receive()
                        except WorkerDied as died:  # a crash, or a memory kill
                            record = _failed(task, f"the worker died (exit code {died.exitcode})")
                        slot.task = None
                        done(task, record)
                    elif slot.worker.expired():
                        slot.worker.kill()
                        slot.task = None
                        done(task, _failed(task, f"took longer than {self.timeout:g} s; stopped"))
        finally:
            for slot in slots:
                slot.worker.stop()


def _failed(task: Task, error: str) -> dict[str, Any]:
    return {"input": task.key, "output": str(task.output), "status": "failed", "error": error}
