"""The batch manifest: one JSON line per finished item, appended, flushed and synced.

Only the coordinating process writes it, so lines never interleave; after a kill at any
moment the file holds whole lines for finished items (a torn last line is ignored).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

NAME = "manifest.jsonl"


def load(out_dir: Path) -> dict[str, dict[str, Any]]:
    """The last record per item key."""
    records: dict[str, dict[str, Any]] = {}
    path = out_dir / NAME
    if not path.is_file():
        return records
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue  # a line torn by a kill
        if isinstance(record, dict) and "input" in record:
            records[record["input"]] = record
    return records


class Manifest:
    def __init__(self, out_dir: Path) -> None:
        out_dir.mkdir(parents=True, exist_ok=True)
        self._file = (out_dir / NAME).open("a", encoding="utf-8")

    def append(self, record: dict[str, Any]) -> None:
        self._file.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
        self._file.flush()
        os.fsync(self._file.fileno())

    def close(self) -> None:
        self._file.close()
