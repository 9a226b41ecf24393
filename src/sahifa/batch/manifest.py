"""The batch manifest: one JSON line per finished item, appended, flushed and synced.

Only the coordinating process writes it, so lines never interleave; after a kill at any
moment the file holds whole lines for finished items (a torn last line is ignored). A line
of the wrong shape (hand-edited, or another tool's) is ignored too: ``--resume`` then renders
that item again rather than trust or trip over it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

NAME = "manifest.jsonl"
# The fields a record may have and their JSON types (what batch.workers and batch.command
# write); a record with any of them of another type is not a record.
FIELDS: dict[str, tuple[type, ...]] = {
    "input": (str,), "output": (str,), "status": (str,), "error": (str,),
    "input_hash": (str,), "sha256": (str, type(None)), "pages": (int,),
    "seconds": (int, float), "recovered": (bool,), "warnings": (list,), "stories": (dict,),
}  # fmt: skip


def load(out_dir: Path) -> dict[str, dict[str, Any]]:
    """The last record per item key."""
    records: dict[str, dict[str, Any]] = {}
    path = out_dir / NAME
    if not path.is_file():
        return records
    # Bytes split on \n only: str.splitlines() would also cut at U+2028 or U+0085 inside a
    # key, and a line of bad UTF-8 must cost that line, not the whole manifest.
    for line in path.read_bytes().splitlines():
        try:
            record = json.loads(line)
        except (ValueError, RecursionError):  # a line torn by a kill, bad UTF-8, [[[[…
            continue
        if is_record(record):
            records[record["input"]] = record
    return records


def is_record(value: Any) -> bool:
    """A JSON value shaped like a manifest record: a str ``input``, every known field typed."""
    if not isinstance(value, dict) or not isinstance(value.get("input"), str):
        return False
    for key, types in FIELDS.items():
        if key not in value:
            continue
        field = value[key]
        # bool is an int to Python, never to a record: {"pages": true} is not a count
        if isinstance(field, bool) and bool not in types:
            return False
        if not isinstance(field, types):
            return False
    return True


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
