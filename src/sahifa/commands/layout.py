"""``sahifa layout vendor NAME``: copy a built-in layout (and its parents and fonts) into the
project, so that upgrading sahifa can no longer change the paper's pages.

Built-in layouts and fonts are package data: ``pip install -U sahifa`` may bring new ones. A
paper that wants its archive to re-render identically vendors them once: the layout chain
goes to ``layouts/`` (a project layout of the same name that extends ``builtin:NAME`` is
pointed at the copy, which is named after the version it came from), and the fonts to
``fonts/`` with their pins, ``builtin: true`` turned off.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
from pathlib import Path
from typing import TextIO

from sahifa.commands import EXIT_OK


def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from sahifa.settings import find_root

    root = find_root(None, args.project)
    for line in vendor(root, args.name):
        print(line, file=stdout)
    return EXIT_OK


def vendor(root: Path, name: str) -> list[str]:
    """Copy built-in layout ``name``'s chain and the built-in fonts into project ``root``;
    what was done, one line each. Everything is checked before anything is written."""
    from sahifa import __version__, builtin
    from sahifa.content.yamlfile import parse_yaml, read_text
    from sahifa.errors import ConfigError
    from sahifa.fonts import load_registry
    from sahifa.trust import BUILTIN_PREFIX, check_name

    plain = check_name(name.removeprefix(BUILTIN_PREFIX), what="a layout", category="layout")
    shipped = builtin.layouts_dir()
    if not (shipped / plain / "layout.yaml").is_file():
        known = sorted(p.name for p in shipped.iterdir() if (p / "layout.yaml").is_file())
        raise ConfigError(f"no built-in layout {plain!r} (built in: {', '.join(known)})")
    load_registry(root / "fonts")  # the project's fonts.yaml must be sound before we start
    suffix = "-sahifa-" + re.sub(r"[^A-Za-z0-9]+", "-", __version__)
    plan: list[tuple[str, str]] = []  # (built-in name, name of its copy in the project)
    current: str | None = plain
    while current is not None:
        copy = current + suffix if (root / "layouts" / current).exists() else current
        if (root / "layouts" / copy).exists():
            raise ConfigError(f"layouts/{copy} exists: layout {current!r} was vendored "
                              "already; nothing was changed")  # fmt: skip
        plan.append((current, copy))
        config = parse_yaml(read_text(shipped / current / "layout.yaml", category="config"),
                            shipped / current / "layout.yaml", category="config")  # fmt: skip
        parent = config.get("extends") if config else None
        current = str(parent).removeprefix(BUILTIN_PREFIX) if parent else None
    for current, copy in plan:
        staging = root / "layouts" / f".{copy}.vendoring"
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(shipped / current, staging)
        staging.rename(root / "layouts" / copy)  # whole or not at all
    done = [f"layouts/{copy}: copied from sahifa {__version__}'s {current}"
            for current, copy in plan]  # fmt: skip
    _point_at_copies(root, dict(plan), done)
    done += _vendor_fonts(root)
    return done


def _point_at_copies(root: Path, renamed: dict[str, str], done: list[str]) -> None:
    """The copies extend each other (a copy's ``extends: base`` names the copy of base), and
    a project layout that extended ``builtin:NAME`` now extends the copy of NAME."""
    copies = set(renamed.values())
    for layout in (root / "layouts").glob("*/layout.yaml"):
        prefix = "" if layout.parent.name in copies else "builtin:"
        text = layout.read_text(encoding="utf-8")
        new = text
        for old, copy in renamed.items():
            new = re.sub(rf"^(extends:\s*){re.escape(prefix + old)}\s*$",
                         lambda m, copy=copy: f"{m[1]}{copy}", new, flags=re.M)  # fmt: skip
        if new != text:
            layout.write_text(new, encoding="utf-8")
            done.append(f"{layout.relative_to(root)}: extends the vendored copy")


def _vendor_fonts(root: Path) -> list[str]:
    """The built-in fonts, their licences and pins, into the project's fonts/."""
    from sahifa import builtin
    from sahifa.content.yamlfile import YamlMap, parse_yaml, read_text
    from sahifa.errors import SahifaError
    from sahifa.fonts import load_registry
    from sahifa.output import write_atomic

    manifest = root / "fonts" / "fonts.yaml"
    data = parse_yaml(read_text(manifest, category="config"), manifest, category="config")
    if not (isinstance(data, YamlMap) and data.get("builtin") == "true"):
        return []
    shipped = builtin.fonts_dir()
    own = [e for e in data.get("fonts") or [] if isinstance(e, dict)]
    entries = list(own)
    names = {e.get("file") for e in own}
    builtin_data = parse_yaml(read_text(shipped / "fonts.yaml", category="config"),
                              shipped / "fonts.yaml", category="config")  # fmt: skip
    for entry in builtin_data["fonts"]:
        for key in ("file", "licence"):
            if entry.get(key):
                target = root / "fonts" / entry[key]
                target.parent.mkdir(parents=True, exist_ok=True)
                if not target.exists():
                    shutil.copy2(shipped / entry[key], target)
        if entry["file"] not in names:
            entries.append(entry)
    lines = ["# The pinned fonts that print the paper (vendored from sahifa's built-in fonts:",
             "# upgrading sahifa no longer changes them). Each file is checked against its",
             "# sha256 at start-up.", "builtin: false", "fonts:"]  # fmt: skip
    for entry in entries:
        lines.append(f"  - file: {_scalar(entry['file'])}")
        for key in ("sha256", "licence", "source", "justify"):
            if entry.get(key):
                lines.append(f"    {key}: {_scalar(entry[key])}")
        if entry.get("weights"):
            lines.append(f"    weights: [{', '.join(_scalar(w) for w in entry['weights'])}]")
    old = manifest.read_bytes()
    write_atomic(manifest, ("\n".join(lines) + "\n").encode("utf-8"))
    try:
        load_registry(root / "fonts")  # the new manifest must read back, else the old stays
    except SahifaError:
        write_atomic(manifest, old)
        raise
    return [f"fonts/fonts.yaml: {len(entries) - len(own)} built-in font(s) vendored"]


def _scalar(value: str) -> str:
    """A YAML scalar that reads back as ``value``: JSON strings are YAML strings."""
    return json.dumps(str(value), ensure_ascii=False)
