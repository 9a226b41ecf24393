"""The trust boundary, decided in one place.

Trusted: what the user types on the command line (paths, ``--project``, ``--layout``) and the
project's own ``sahifa.yaml``, ``layouts/`` and ``fonts/``. Untrusted: every article and
edition file, and every folder of them — stringers, agencies, scrapers and interns write those.

A value written *inside* an untrusted file never chooses code, a template or a file outside
the project:

- layout names (``layout:``, ``extends:``) and page ``template:`` names are *names*: one path
  segment, looked up by ``sahifa.layouts.load_layout`` in the project's ``layouts/`` and
  among sahifa's built-in layouts only;
- story references (``article:``, ``briefs:``) must resolve, after symlinks are followed,
  inside the project or inside the folder the user named (``content_root``);
- ``image.src`` stays inside its article's folder;
- ``continued:`` is a story id, a name.

Every refusal is a ``SahifaError`` naming the file, the line and the key.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

from sahifa.errors import SahifaError

SETTINGS_FILE = "sahifa.yaml"
# A layout, page template or story name: one path segment of plain characters. No dots, so no
# "..", no hidden files, and no suffix games; no separators, so no path.
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
# The reserved, non-path form naming one of the package's built-in layouts (``sahifa.builtin``):
# a project's own "tabloid" can extend the built-in one with ``extends: builtin:tabloid``.
BUILTIN_PREFIX = "builtin:"


def is_name(value: object) -> bool:
    """True if ``value`` is a plain one-segment name."""
    return isinstance(value, str) and _NAME.fullmatch(value) is not None


def check_name(
    value: object, *, what: str, category: str, file: Path | str | None = None,
    key: str | None = None, line: int | None = None,
) -> str:  # fmt: skip
    """``value`` if it is a plain name, else one error line saying what a name may be."""
    if is_name(value):
        return str(value)
    raise SahifaError(
        category,
        f"{what} must be a plain name (letters, digits, '-' or '_', no path), got {value!r}",
        file=file, key=key, line=line,
    )  # fmt: skip


def real(path: Path) -> Path:
    """The path with every symlink followed (``os.path.realpath``: never raises on loops)."""
    return Path(os.path.realpath(path))


def inside(path: Path, roots: Iterable[Path]) -> bool:
    """True if ``path``, symlinks followed, lies in one of ``roots`` (symlinks followed)."""
    target = real(path)
    return any(target.is_relative_to(real(root)) for root in roots)


def confined(
    base: Path, ref: str, roots: Iterable[Path], *, category: str, what: str,
    file: Path, key: str, line: int | None,
) -> Path:  # fmt: skip
    """The file ``ref`` (written in ``file``, relative to ``base``) if it resolves inside one of
    ``roots``; else one error line. Absolute references are refused outright: a contributor's
    file names files relative to itself."""
    roots = list(roots)
    if "\0" in ref:  # the OS refuses such a path; say so here, in one line
        raise SahifaError(category, f"{what} {ref!r} contains a NUL character", file=file,
                          key=key, line=line)  # fmt: skip
    if Path(ref).is_absolute() or ref.startswith("~"):
        raise SahifaError(
            category, f"{what} {ref!r} is an absolute path; name a file relative to this one",
            file=file, key=key, line=line,
        )  # fmt: skip
    target = base / ref
    if not inside(target, roots):
        shown = " or ".join(str(r) for r in roots)
        raise SahifaError(
            category, f"{what} {ref!r} leads outside the allowed folders ({shown})",
            file=file, key=key, line=line,
        )  # fmt: skip
    return target


def nested_project(path: Path, project: Path | None) -> Path | None:
    """The folder between ``path`` and ``project`` that holds its own ``sahifa.yaml``, if
    any: a folder of articles that tries to bring its own settings, layouts and fonts."""
    if project is None:
        return None
    top = real(project)
    folder = real(path).parent
    while folder != top and folder.is_relative_to(top):
        if (folder / SETTINGS_FILE).is_file():
            return folder
        folder = folder.parent
    return None


def missing_file(path: Path) -> str | None:
    """Why ``path`` is not a file to read ("not found", or the system's reason, such as a
    name too long for the file system), or None when it is one."""
    try:
        return None if path.is_file() else "not found"
    except OSError as exc:
        return exc.strerror or type(exc).__name__
