"""The layouts and fonts that ship with sahifa (package data).

In the repository, ``layouts`` and ``fonts`` here are links to the top-level ``layouts/`` and
``fonts/``: one copy of each file, from which the wheel is built (a test compares the
wheel's files with them by hash). A project names a built-in layout ``builtin:NAME`` (or just
``NAME`` when it has no layout of that name itself) and gets the built-in fonts with
``builtin: true`` in its ``fonts/fonts.yaml``.
"""

from __future__ import annotations

from pathlib import Path

BUILTIN = Path(__file__).resolve().parent


def layouts_dir() -> Path:
    return BUILTIN / "layouts"


def fonts_dir() -> Path:
    return BUILTIN / "fonts"
