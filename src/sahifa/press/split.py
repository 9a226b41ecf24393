"""One file per plate: each page of a press file as its own PDF/X, named as the plant asks.

The names come from ``press.split_pattern`` (``{paper}-{date}-{edition}-p{page:02}.pdf``).
All plates are written or none: a half-delivered edition at a plant is worse than none, so
every file is first written to a temporary name in the target folder, and only when all are
on disk are they renamed into place.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from sahifa.errors import SahifaError
from sahifa.press.config import PressOptions
from sahifa.press.pdfx import PressMeta, split_plates

_UNSAFE = re.compile(r"[\\/:*?\"<>|\x00-\x1f]+")


def plate_names(pattern: str, fields: dict[str, str], pages: int) -> list[str]:
    """The file name of every plate; the values cannot add folders to a name."""
    safe = {key: _UNSAFE.sub("-", value).strip(". ") or "-" for key, value in fields.items()}
    names = [pattern.format(page=number, **safe) for number in range(1, pages + 1)]
    if len(set(names)) != len(names):  # the pattern was checked for {page}: cannot happen
        raise SahifaError("config", f"press.split_pattern gives the same name twice: {pattern}")
    return names


def write_plates(
    press: bytes, folder: Path, options: PressOptions, meta: PressMeta, fields: dict[str, str]
) -> list[Path]:
    """Split ``press`` into plate files in ``folder``, all or nothing. Returns their paths."""
    plates = split_plates(press, options, meta)
    names = plate_names(options.split_pattern, fields, len(plates))
    folder = Path(folder)
    temporary: list[tuple[str, Path]] = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in zip(names, plates, strict=True):
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
            temporary.append((tmp, folder / name))
            with os.fdopen(fd, "wb") as handle:
                os.fchmod(handle.fileno(), 0o666 & ~_umask())
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        for _, target in temporary:
            if target.exists() and not target.is_file():
                raise SahifaError("output", "exists and is not a regular file", file=target)
        for tmp, target in temporary:
            os.replace(tmp, target)
    except OSError as exc:
        raise SahifaError("output", f"cannot write: {exc.strerror or exc}", file=folder) from None
    finally:
        for tmp, _ in temporary:
            Path(tmp).unlink(missing_ok=True)
    return [target for _, target in temporary]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
