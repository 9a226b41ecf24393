"""Measured story boxes kept between runs: a late change re-lays only the boxes it touched.

The desk renders the edition again after every late change, each time in a new process. A
box's measure depends only on its key (``sahifa.fitting``: its context, its photo file, and
the environment all boxes share: the edition's furniture, the layout's files, the fonts,
sahifa's own code and the engine with its libraries), so measures found by an earlier run
are as good as new ones. One JSON file per environment in the user's cache maps each key to
its measure (null: a box with nothing to measure), with the pages found to be laid out as a
whole (a box on them spilled: ``fitting._entangled``, by their boxes' keys); it is written
atomically after a fitting, and a file that cannot be read is ignored (everything is
measured again). The pages written are always laid out afresh.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sahifa.errors import SahifaError
from sahifa.output import write_atomic

if TYPE_CHECKING:
    from sahifa.render.boxes import BoxFit

MAX_FILES = 64  # environments kept (editions, layouts); the oldest go first
_code: list[str] = []


def folder() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "sahifa" / "boxes"


def code_identity() -> str:
    """sha256 of sahifa's own source files: a measure is only reused by the code that made
    it (a development checkout changes without a new version number)."""
    if not _code:
        digest = hashlib.sha256()
        package = Path(__file__).resolve().parent.parent
        for path in sorted(package.rglob("*.py")):
            digest.update(path.relative_to(package).as_posix().encode() + path.read_bytes())
        _code.append(digest.hexdigest())
    return _code[0]


def load(environment: str) -> tuple[dict[str, BoxFit | None], set[str]]:
    """The measures and the whole-laid pages an earlier run kept for ``environment`` (none
    if unreadable)."""
    try:
        raw = json.loads((folder() / f"{environment}.json").read_text(encoding="utf-8"))
        measures = {key: _fit(value) for key, value in raw["measures"].items()}
        entangled = raw["entangled"]
        if not all(isinstance(page, str) for page in entangled):
            raise TypeError("a page signature is not a string")
        return measures, set(entangled)
    except (OSError, ValueError, TypeError, AttributeError, KeyError):
        return {}, set()


def save(environment: str, measures: dict[str, BoxFit | None], entangled: set[str]) -> None:
    """Keep ``measures`` and ``entangled`` for later runs in ``environment``; never fails
    the render."""
    try:
        path = folder() / f"{environment}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        boxes = {key: dataclasses.asdict(fit) if fit else None for key, fit in measures.items()}
        data = {"measures": boxes, "entangled": sorted(entangled)}
        write_atomic(path, json.dumps(data, sort_keys=True).encode("utf-8"))
        kept = sorted(path.parent.glob("*.json"), key=lambda p: p.stat().st_mtime_ns)
        for old in kept[:-MAX_FILES]:
            old.unlink(missing_ok=True)
    except (OSError, SahifaError):
        pass  # a read-only or full cache: the next run measures again


def _fit(value: Any) -> BoxFit | None:
    from sahifa.render.boxes import BoxFit  # the engine seam, imported when a fitting runs

    if value is None:
        return None
    tuples = {f.name for f in dataclasses.fields(BoxFit) if str(f.type).startswith("tuple")}
    return BoxFit(**{k: tuple(v) if k in tuples else v for k, v in value.items()})
