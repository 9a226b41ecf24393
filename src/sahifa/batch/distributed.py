"""Running a batch on a Dask distributed cluster (``--scheduler tcp://host:8786``).

The same tasks as the local pool; inputs and the output folder must be on a path every worker
sees. Each task renders in a child process (``sahifa.batch.item``) so that a stuck item is
killed at its timeout and an oversized one meets its memory cap, as in a local batch. Only the
coordinating process writes the manifest.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sahifa.batch.workers import Task, _failed
from sahifa.errors import SahifaError


def render_in_subprocess(task: Task, timeout: float, memory_mb: int) -> dict[str, Any]:
    """Runs on a Dask worker: one item in a child process, killed at ``timeout``."""

    def cap_memory() -> None:  # in the child, before it starts
        if memory_mb:
            import resource

            limit = memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    payload = json.dumps({"key": task.key, "source": str(task.source),
                          "output": str(task.output), "strict": task.strict,
                          "variant": task.variant, "root": str(task.root or ""),
                          "content_root": str(task.content_root or "")})  # fmt: skip
    try:
        done = subprocess.run(
            [sys.executable, "-m", "sahifa.batch.item"], input=payload, capture_output=True,
            text=True, timeout=timeout, preexec_fn=cap_memory, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return _failed(task, f"took longer than {timeout:g} s; stopped")
    try:
        return dict(json.loads(done.stdout))
    except json.JSONDecodeError:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return _failed(task, f"the render process died (exit code {done.returncode}): {tail}")


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
                    render_in_subprocess,
                    task,
                    self.timeout,
                    self.memory_mb,
                    key=f"sahifa-{task.key}",
                    pure=False,
                ): task
                for task in tasks
            }
            for future in as_completed(futures):
                task = futures[future]
                try:
                    record = future.result()
                except Exception as exc:  # a lost worker: this item fails, the rest go on
                    record = _failed(task, f"Dask: {type(exc).__name__}: {exc}")
                done(task, record)
