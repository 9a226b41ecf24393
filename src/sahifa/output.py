"""Atomic file output: a reader (or a crash) never sees half a PDF.

The file is written next to its destination, flushed to disk, then renamed over it: a failed
render leaves no partial file and never replaces an existing good one.
"""

from __future__ import annotations

import glob
import os
import stat
import tempfile
from pathlib import Path

from sahifa.errors import SahifaError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def remove_stale_temporaries(path: Path) -> None:
    """Remove what ``write_atomic`` left beside ``path`` when its process was killed
    mid-write (``.NAME.*.tmp``). Only for a caller that is the one writer of ``path`` (a
    batch's coordinator for its output folder)."""
    path = Path(path)
    try:
        stale = list(path.parent.glob(f".{glob.escape(path.name)}.*.tmp"))
    except OSError:
        return
    for temporary in stale:
        try:
            if temporary.is_file() and not temporary.is_symlink():
                temporary.unlink()
        except OSError:
            pass  # left for the next run; it is never read


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all. Raises ``SahifaError`` ("output")."""
    path = Path(path)
    try:
        if path.exists() and not stat.S_ISREG(path.stat().st_mode):
            raise SahifaError("output", "exists and is not a regular file", file=path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise SahifaError("output", f"cannot write: {exc.strerror or exc}", file=path) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            # mkstemp makes the file private (0600); an output is for the desk and the plant.
            os.fchmod(handle.fileno(), 0o666 & ~_umask())
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise SahifaError("output", f"cannot write: {exc.strerror or exc}", file=path) from None
        raise
