"""Every change sahifa makes to WeasyPrint 70.0's internals, one module per patch.

Each module declares a ``PATCH``: where WeasyPrint looks the function up (``target``), where
upstream defines it (``upstream``: fingerprinted by ``sahifa.render.compat``, with every
internal helper the replacement calls, ``calls``), and how to make the replacement from the
original. Each states why, so it can be proposed upstream, and has a contract test that fails
when the patch is removed (``tests/test_engine_patches.py``).

    column_rules     RTL column rules in the gaps (draw/border.py: draw_column_rules)
    grid_tracks      skip sizing all-fixed grid tracks (layout/grid.py: _distribute_extra_space)
    archive_colours  CMYK written as RGB in PDF/A (pdf/stream.py: Stream.set_color)
    draw_first_line  the text layer's glyph codes and order (draw/text.py: draw_first_line)
    line_deferral    text-less glyphs after the line box (draw/__init__.py: draw_inline_level)
    column_overflow  a stuck overflow column keeps the box's columns (layout/block.py:
                     block_box_layout, as columns_layout calls it)
    fonts_dictionary fonts keyed by those codes (pdf/fonts.py: build_fonts_dictionary)
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Patch:
    """One replaced or wrapped WeasyPrint function."""

    target: str  # "module:attr[.attr]": where WeasyPrint looks the function up at run time
    upstream: str  # "module:attr": where WeasyPrint defines it (its source is fingerprinted)
    calls: tuple[str, ...]  # "module:attr" of the internal helpers the replacement relies on
    make: Callable[[Any], Any]  # the original → the replacement

    def _owner(self) -> tuple[Any, str]:
        module, _, path = self.target.partition(":")
        owner: Any = importlib.import_module(module)
        *parents, name = path.split(".")
        for parent in parents:
            owner = getattr(owner, parent)
        return owner, name


def resolve(dotted: str) -> Any:
    """The object at "module:attr[.attr]"."""
    module, _, path = dotted.partition(":")
    value: Any = importlib.import_module(module)
    for name in path.split("."):
        value = getattr(value, name)
    return value


def unpatched(dotted: str) -> Any:
    """WeasyPrint's own object at "module:attr", even where a patch has replaced it."""
    return _originals[dotted] if dotted in _originals else resolve(dotted)


# The functions WeasyPrint had before a patch replaced them, by target.
_originals: dict[str, Any] = {}
_replacements: dict[str, Any] = {}


def install(patch: Patch) -> None:
    """Put the replacement in place (once per process; again after ``remove``)."""
    owner, name = patch._owner()
    if patch.target not in _originals:
        _originals[patch.target] = getattr(owner, name)
        _replacements[patch.target] = patch.make(_originals[patch.target])
    setattr(owner, name, _replacements[patch.target])


def remove(patch: Patch) -> None:
    """Put WeasyPrint's own function back (the text-layer benchmark; contract tests)."""
    if patch.target in _originals:
        owner, name = patch._owner()
        setattr(owner, name, _originals[patch.target])


def installed(patch: Patch) -> bool:
    owner, name = patch._owner()
    return patch.target in _replacements and getattr(owner, name) is _replacements[patch.target]


def all_patches() -> dict[str, Patch]:
    """Every patch by module name, in the order they are installed."""
    from sahifa.render.patches import (
        archive_colours,
        column_overflow,
        column_rules,
        draw_first_line,
        fonts_dictionary,
        grid_tracks,
        line_deferral,
    )

    modules = (column_rules, grid_tracks, archive_colours, draw_first_line, line_deferral,
               fonts_dictionary, column_overflow)  # fmt: skip
    return {m.__name__.rsplit(".", 1)[1]: m.PATCH for m in modules}


TEXT_LAYER = ("draw_first_line", "line_deferral", "fonts_dictionary")
