"""A warm render process for places that cannot fork a ``multiprocessing`` worker (Dask).

A Dask worker process is daemonic, so it may not start ``multiprocessing`` children; a
``subprocess`` it may. ``ItemProcess`` keeps one ``python -m sahifa.batch.item --serve``
child: it imports WeasyPrint once and renders item after item, one JSON line in and one out.
As in a local batch (``sahifa.batch.workers``), an item past its deadline is stopped by
killing the child, an oversized one meets the memory cap (RLIMIT_AS, set before the child
starts) and fails alone, and the next item gets a fresh warm child. The child's answers come
on a pipe of their own: whatever a library prints cannot be taken for one.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import subprocess
import sys
import tempfile
import time
from typing import IO, Any

from sahifa.batch.workers import STARTUP_SECONDS, Task, _failed


def task_json(task: Task) -> str:
    return json.dumps({"key": task.key, "source": str(task.source), "output": str(task.output),
                       "strict": task.strict, "variant": task.variant,
                       "root": str(task.root or ""),
                       "content_root": str(task.content_root or "")},
                      ensure_ascii=False)  # fmt: skip


class ItemProcess:
    """One warm child rendering batch items, killed past an item's deadline and restarted."""

    def __init__(self, memory_mb: int = 0) -> None:
        self.memory_mb = memory_mb
        self.process: subprocess.Popen[bytes] | None = None
        self._answers: IO[bytes] | None = None
        self._log: IO[bytes] | None = None
        self.started = 0  # how many children were started (for tests and the benchmark)

    def _cap_memory(self) -> None:  # in the child, before it runs Python
        if self.memory_mb:
            import resource

            limit = self.memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        """Start a child and wait until it is warm; ``RuntimeError`` if it does not warm up."""
        self.kill()
        read_end, write_end = os.pipe()
        # The child's stderr: its last words, if it dies (closed in kill()).
        self._log = tempfile.TemporaryFile()  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sahifa.batch.item", "--serve", str(write_end)],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self._log,
            pass_fds=(write_end,), preexec_fn=self._cap_memory,
        )  # fmt: skip
        os.close(write_end)
        self._answers = os.fdopen(read_end, "rb")
        self.started += 1
        if self._answer(time.monotonic() + STARTUP_SECONDS) != "ready":
            tail = self.last_words()
            self.kill()
            raise RuntimeError(f"the render process did not start: {tail}")

    def _answer(self, deadline: float) -> Any:
        """The child's next answer; ``TimeoutError`` past ``deadline``, ``EOFError`` if it
        ended without one."""
        assert self._answers is not None
        if not select.select([self._answers], [], [], max(0.0, deadline - time.monotonic()))[0]:
            raise TimeoutError
        line = self._answers.readline()
        if not line.endswith(b"\n"):
            raise EOFError
        return json.loads(line)

    def render(self, task: Task, timeout: float) -> dict[str, Any]:
        """The manifest record for ``task``; the child is killed (and replaced on the next
        call) when the item takes longer than ``timeout`` seconds or kills it. A child that
        ended between items (killed from outside) is replaced before the item is sent."""
        if not self.alive():
            self.start()
        assert self.process is not None and self.process.stdin is not None
        try:
            self.process.stdin.write((task_json(task) + "\n").encode())
            self.process.stdin.flush()
            record = self._answer(time.monotonic() + timeout)
        except TimeoutError:
            self.kill()
            return _failed(task, f"took longer than {timeout:g} s; stopped")
        except (EOFError, OSError, ValueError):
            code = self.process.wait(5) if self.process else None
            tail = self.last_words()
            self.kill()
            return _failed(task, f"the render process died (exit code {code}): {tail}")
        return dict(record)

    def last_words(self) -> str:
        """The last line the child wrote to stderr."""
        if self._log is None:
            return "no output"
        self._log.seek(0)
        lines = self._log.read().decode("utf-8", "replace").strip().splitlines()
        return lines[-1] if lines else "no output"

    def kill(self) -> None:
        if self.process is not None:
            with contextlib.suppress(OSError):
                self.process.kill()
            self.process.wait()
            if self.process.stdin is not None:
                with contextlib.suppress(OSError):
                    self.process.stdin.close()
        for handle in (self._answers, self._log):
            if handle is not None:
                handle.close()
        self.process = self._answers = self._log = None

    def stop(self) -> None:
        """End the child: an empty line asks it to finish; killed if it does not."""
        if self.alive() and self.process is not None and self.process.stdin is not None:
            with contextlib.suppress(OSError):
                self.process.stdin.close()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(5)
        self.kill()
