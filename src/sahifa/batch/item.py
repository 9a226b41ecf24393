"""One batch item in a process of its own: task JSON on stdin, the record JSON on stdout.

Used by the Dask runner: Dask cannot stop a running task and its worker processes may not
start ``multiprocessing`` children, so each task runs this with ``subprocess`` under a
timeout, and a memory cap set before it starts.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from sahifa.batch.workers import Task, run_task


def main() -> int:
    data = json.load(sys.stdin)
    root, content = data.get("root"), data.get("content_root")
    task = Task(data["key"], Path(data["source"]), Path(data["output"]), bool(data["strict"]),
                data.get("variant"), Path(root) if root else None,
                Path(content) if content else None)  # fmt: skip
    json.dump(run_task(task), sys.stdout, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
