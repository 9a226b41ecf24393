"""Shared-library look-ups remembered across processes (start-up of every sahifa command).

WeasyPrint opens GObject, Pango, HarfBuzz, Fontconfig and PangoFT2 by trying several names
per library, for different platforms (``weasyprint.text.ffi._dlopen``); cffi answers each name
it cannot open directly with ``ctypes.util.find_library``, which on Linux runs ``ldconfig -p``
and then ``gcc`` and ``ld`` in subprocesses. Importing WeasyPrint made 22 such look-ups, most
for names that exist on no Linux system ("libgobject-2.0-0"): ~0.3 s of a one-article render.

While WeasyPrint is imported, ``find_library`` answers from a file in the user's cache where
each answer was recorded the first time it was computed (by ``find_library`` itself). The
record is stamped with what the answers depend on: the dynamic linker's cache
(``/etc/ld.so.cache``: installing or removing a library runs ``ldconfig``, which rewrites it),
``LD_LIBRARY_PATH`` and the platform; any change and every name is looked up again. The same
libraries are loaded either way, only sooner.
"""

from __future__ import annotations

import ctypes.util
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

LINKER_CACHE = Path("/etc/ld.so.cache")


def _record_path() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "sahifa"
    return base / "find-library.json"


def _stamp() -> list[object]:
    try:
        status = LINKER_CACHE.stat()
        linker: list[object] = [status.st_mtime_ns, status.st_size, status.st_ino]
    except OSError:
        linker = []
    return [sys.platform, os.environ.get("LD_LIBRARY_PATH", ""), linker]


def _load(stamp: list[object]) -> dict[str, str | None]:
    try:
        record = json.loads(_record_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(record, dict) or record.get("stamp") != stamp:
        return {}
    answers = record.get("answers")
    if not isinstance(answers, dict):
        return {}
    return {k: v for k, v in answers.items()
            if isinstance(k, str) and (v is None or isinstance(v, str))}  # fmt: skip


def _save(stamp: list[object], answers: dict[str, str | None]) -> None:
    path = _record_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=".find-library-", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump({"stamp": stamp, "answers": answers}, handle)
        Path(name).replace(path)  # atomic: a concurrent reader sees the old or the new file
    except OSError:
        pass  # a cache that cannot be written: the look-ups run again next time


@contextmanager
def remembered_lookups() -> Iterator[Callable[[str], str | None]]:
    """``ctypes.util.find_library`` answering from the record while the block runs (and
    yielded, for sahifa's own look-ups); new answers are recorded at the end."""
    original = ctypes.util.find_library
    stamp = _stamp()
    answers = _load(stamp)
    known = len(answers)

    def find_library(name: str) -> str | None:
        if name not in answers:
            answers[name] = original(name)
        return answers[name]

    ctypes.util.find_library = find_library
    try:
        yield find_library
    finally:
        ctypes.util.find_library = original
        if len(answers) != known:
            _save(stamp, answers)


def find_library(name: str) -> str | None:
    """``ctypes.util.find_library(name)``, remembered across processes."""
    with remembered_lookups() as find:
        return find(name)
