"""``sahifa fonts``: the pinned fonts, their coverage, licence, hash and roles."""

from __future__ import annotations

import argparse
from typing import TextIO

from sahifa.commands import EXIT_OK


def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from sahifa.fonts import load_registry
    from sahifa.fonts.coverage import cmap, scripts
    from sahifa.layouts import ROLES, load_layout
    from sahifa.settings import find_root, load_settings

    settings, _ = load_settings(find_root())
    registry = load_registry(settings.fonts_dir)
    layout = load_layout(settings.layouts_dir, args.layout or settings.layout, registry)
    for font in registry.fonts:
        points = cmap(font.path, font.sha256)
        roles = [role for role in ROLES if font.family in layout.font_stack(role)]
        licence = font.licence.name if font.licence else "?"
        made = f" (static instance at weight {font.weight})" if font.origin else ""
        print(f"{font.pinned.name}{made}", file=stdout)
        print(f"  {font.family}, weight {font.weight}, {font.style}; {len(points)} characters: "
              f"{', '.join(scripts(points)) or '-'}", file=stdout)  # fmt: skip
        print(f"  licence {licence}; sha256 {font.sha256}", file=stdout)
        print(f"  roles in layout {layout.name!r}: {', '.join(roles) or 'none'}", file=stdout)
    return EXIT_OK
