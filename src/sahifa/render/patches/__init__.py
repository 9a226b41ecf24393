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
    paragraph_breaks total-fit line breaks for justified text (text/line_break.py:
                     split_first_line)
    kashida          tatweels as well as spaces justify a line (layout/inline.py: justify_line)
    balanced_lines   even lines for headlines and captions (layout/inline.py: iter_line_boxes)
    marked_content   furniture drawn as artifacts (pdf/stream.py: Stream.marked)
    structure_tree   one structure tree across pages (pdf/tags.py: add_tags)
    line_split_cache line splits reused within a document (text/line_break.py: split_first_line)
    lazy_word_spacing a justified box's layout made without Pango, which it does not use
                     (text/line_break.py: create_layout, as add_word_spacing calls it)
    stylesheet_cache a stylesheet parsed once per process, replayed into each document
                     (__init__.py: CSS.__init__)
    strut_memo       a style's line height and baseline once per style object
                     (text/line_break.py: strut, as layout/inline.py calls it)
    line_box_cache   a paragraph's line laid out again from the same place is a copy, moved
                     (layout/inline.py: get_next_linebox)
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
# Per target, the patches installed there, innermost first: two patches of one function
# (a cache around a replacement, say) compose, each wrapping what was in place before it.
_stacks: dict[str, list[Patch]] = {}
# Replacements made, by (patch, the function it wraps): the same chain gives the same objects.
_made: dict[tuple[Patch, Any], Any] = {}


def _apply(patch: Patch) -> None:
    owner, name = patch._owner()
    function = _originals[patch.target]
    for layer in _stacks[patch.target]:
        if (layer, function) not in _made:
            _made[layer, function] = layer.make(function)
        function = _made[layer, function]
    setattr(owner, name, function)


def install(patch: Patch) -> None:
    """Put the replacement in place, around any other patch of the same function (once per
    process; again after ``remove``)."""
    if patch.target not in _originals:
        owner, name = patch._owner()
        _originals[patch.target] = getattr(owner, name)
    stack = _stacks.setdefault(patch.target, [])
    if patch not in stack:
        stack.append(patch)
    _apply(patch)


def remove(patch: Patch) -> None:
    """Take the patch out, leaving any other patch of the same function in place (the
    text-layer benchmark; contract tests)."""
    stack = _stacks.get(patch.target, [])
    if patch in stack:
        stack.remove(patch)
        _apply(patch)


def installed(patch: Patch) -> bool:
    owner, name = patch._owner()
    stack = _stacks.get(patch.target, [])
    return patch in stack and getattr(owner, name) is _top(patch.target)


def _top(target: str) -> Any:
    function = _originals[target]
    for layer in _stacks[target]:
        function = _made[layer, function]
    return function


def all_patches() -> dict[str, Patch]:
    """Every patch by module name, in the order they are installed."""
    from sahifa.render.patches import (
        archive_colours,
        balanced_lines,
        column_overflow,
        column_rules,
        draw_first_line,
        fonts_dictionary,
        grid_tracks,
        kashida,
        lazy_word_spacing,
        line_box_cache,
        line_deferral,
        line_split_cache,
        marked_content,
        paragraph_breaks,
        structure_tree,
        strut_memo,
        stylesheet_cache,
    )

    # line_split_cache after paragraph_breaks: installed later, it is the outer layer of
    # split_first_line and keeps the answers of the whole stack (WeasyPrint's function and
    # the paragraph composer's), so a line laid out again costs a dictionary look-up. Both
    # answer from their arguments alone: the composer's plans come from a suffix-pure
    # dynamic programme over widths measured per font identity and style
    # (``justify.composer``), whatever the process rendered before.
    modules = (column_rules, grid_tracks, archive_colours, draw_first_line,
               line_deferral, fonts_dictionary, marked_content, structure_tree,
               column_overflow, paragraph_breaks, line_split_cache, kashida,
               balanced_lines, lazy_word_spacing, stylesheet_cache, strut_memo,
               line_box_cache)  # fmt: skip
    return {m.__name__.rsplit(".", 1)[1]: m.PATCH for m in modules}


TEXT_LAYER = ("draw_first_line", "line_deferral", "fonts_dictionary")
