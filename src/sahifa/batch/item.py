"""Batch items in a process of their own, for the Dask runner.

``python -m sahifa.batch.item --serve FD``: a warm process (``sahifa.batch.warm``): it imports
WeasyPrint once, says ``"ready"`` on file descriptor FD, then reads one task JSON line after
another on stdin and writes each record as one JSON line on FD, until stdin ends. Answers go
to FD rather than stdout so that nothing a library prints can be taken for one.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

from sahifa.batch.workers import Task, run_task, tune_collector


def task_of(data: dict[str, Any]) -> Task:
    root, content = data.get("root"), data.get("content_root")
    return Task(data["key"], Path(data["source"]), Path(data["output"]), bool(data["strict"]),
                data.get("variant"), Path(root) if root else None,
                Path(content) if content else None)  # fmt: skip


def serve(fd: int) -> int:
    # Ctrl-C reaches the whole process group; the Dask worker decides when this ends.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    import logging

    logging.getLogger("sahifa").setLevel(logging.ERROR)  # warnings travel in the records
    from sahifa import pipeline

    pipeline.warm_up()
    tune_collector()  # as a local batch's workers
    with os.fdopen(fd, "w", encoding="utf-8") as answers:
        answers.write('"ready"\n')
        answers.flush()
        for line in sys.stdin.buffer:
            if not line.strip():
                break
            record = run_task(task_of(json.loads(line)))
            answers.write(json.dumps(record, ensure_ascii=False) + "\n")
            answers.flush()
    return 0


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2 or args[0] != "--serve" or not args[1].isdigit():
        print("usage: python -m sahifa.batch.item --serve FD", file=sys.stderr)
        return 2
    return serve(int(args[1]))


if __name__ == "__main__":
    sys.exit(main())
