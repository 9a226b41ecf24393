"""Patch: a paragraph's line laid out again from the same place is copied, not laid out anew.

Upstream: ``weasyprint.layout.inline.get_next_linebox`` (WeasyPrint 70.0), as
``iter_line_boxes`` looks it up. WeasyPrint balances ``column-fill: balance`` columns by trial
and error (``layout/column.py``: ``columns_layout``): each try lays every column out again at
a new height, plus the rest of the content at an infinite height. In the 54-article
throughput corpus that is 1,680 column layouts (and 1,102 "next box" ones) for 328 final
columns: each line of body text is laid out about five times, and an RTL line twice each time
(``avoid_collisions`` places an RTL line box by its right edge, so the loop's "did the line
move?" test, ``x + width == x + 0``, fails and upstream splits the line again). The splits are
already cached (``line_split_cache``); what was left is WeasyPrint's box work per line
(``split_inline_box``, ``remove_last_whitespace``, ``text_align`` with sahifa's kashida,
``line_box_verticality``): ~0.18 ms a line.

A line depends on the paragraph's line box (the same object each try), the ``skip_stack``
it starts from, where the line box is placed across (``avoid_collisions``: its x and the
available width), its text indent and the containing block's width and direction. It does
not depend on ``position_y``: ``split_inline_box`` gives every box the line box's y, but
``line_box_verticality`` then sets each non-atomic box's y afresh (relative to the baseline
at 0), and only ``line.translate(offset_x, position_y - top)`` brings the line to its place.
So for a line box whose content is only inline and text boxes in normal flow (no atomic
inline, float, absolute or fixed box, placeholder, running element, footnote call or leader),
with no excluded shapes in the context and no ``::first-letter`` or ``::first-line`` style, a
line laid out once is kept in its relative geometry (a copy taken just before the translation)
with its ``offset_x`` and ``top``; laid out again, the copy is copied again and given
WeasyPrint's own arithmetic: ``translate(offset_x, position_y - top)`` then
``position_y = position_y``. Every coordinate is computed from the same operands by the
same operations as upstream's, so the pages are byte-identical (``benchmarks/throughput.py``'s
sha256 on/off; ``tests/test_line_box_cache.py``). ``bottom_space`` is not part of the key:
for such content only atomic boxes and floats read it.

The part of ``get_next_linebox`` before the line is split (skipping leading white space,
placing the line box with ``avoid_collisions``) is run as upstream does on every call, so
the source line box is left with the same values; the rest of the loop is upstream's, with
the branches such lines cannot take (floats, placeholders, first-line styles) left out, and
what it leaves on the source line box and on the context (the list of excluded shapes
replaced by an empty copy, on RTL lines) is recorded and replayed. Where upstream would split
an RTL line a second time from the same x and width (nothing else it reads has changed), the
first line is taken: the same line. Copies are deep: each returned line has boxes of its own
(later layout translates and mutates them) and each text box a copy of its deactivated
``Layout`` (drawing may change a layout's text: ellipsis; ``draw_text`` reactivates each copy
for itself). The cache is on the source line box, so it lives and dies with the document's
box tree, and is bounded per paragraph; it is dropped when the line box's content changes in
place (a ``target-counter()`` resolved after a first layout: sahifa's jump lines).

Measured (CPU seconds, the 54 articles of ``benchmarks/throughput.py`` in one process,
``benchmarks/line_box_cache.py on|off``, medians of 3 interleaved runs on a shared machine):
16.2 s -> 13.0 s; in ``columns_layout`` 8.2 -> 5.0 s, for the same 1,680 column layouts.
On the balanced 3-column test page ``split_inline_box`` runs 139 times instead of 728. The
sha256 of every PDF (the corpus, the sample articles and the sample edition; plain, PDF/A-3b
and ``--press``) is the same with and without it (``benchmarks/line_box_cache_bytes.py``).

Upstream fix: ``get_next_linebox`` should not split a line again when ``avoid_collisions``
gives back the same place (every RTL line is split twice; taking the first split saved
~1.1 CPU s of the 54 articles, in one run each way), and
``columns_layout`` could keep the lines of its tries, which differ only by a vertical
translation.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from sahifa.render.patches import Patch

# On a paragraph's LineBox: (its id, its content, its lines by key or False: never kept).
# The laid-out lines WeasyPrint copies from it (Box.copy copies __dict__) carry the attribute
# too, with another id: their content is one line's, so they must not answer from the
# paragraph's. The content (every box, children container and text under it, held so their
# ids stay theirs) is compared by identity on each call: WeasyPrint changes a laid-out tree
# in place when a target-counter() is known at last (build.py's parse_again replaces a
# box's children; sahifa's jump lines use one) and first_letter_to_box inserts boxes.
ATTRIBUTE = "_sahifa_line_boxes"
MAX_LINES = 512  # per paragraph line box: several hundred lines x a few column widths


class _Line:
    """A line as laid out once, before it was moved to its place."""

    __slots__ = ("linebox", "new_shapes", "offset_x", "relative", "resume_at", "top")

    def __init__(self, relative: Any, resume_at: Any, offset_x: float, top: float,
                 linebox: tuple[Any, Any, Any], new_shapes: bool) -> None:  # fmt: skip
        self.relative = relative  # the line after line_box_verticality, before translate
        self.resume_at = resume_at
        self.offset_x = offset_x
        self.top = top
        self.linebox = linebox  # the source line box's position_x, width, height after it
        self.new_shapes = new_shapes  # the loop left an empty copy as context.excluded_shapes


def _frozen(skip_stack: Any) -> Any:
    """A skip stack (nested one-item dicts) as a hashable key."""
    if skip_stack is None:
        return None
    return tuple((index, _frozen(child)) for index, child in skip_stack.items())


def _copied_skip_stack(skip_stack: Any) -> Any:
    if skip_stack is None:
        return None
    return {index: _copied_skip_stack(child) for index, child in skip_stack.items()}


def kept_lines(linebox: Any) -> int:
    """How many lines ``linebox`` has kept (for the contract test)."""
    owner, _, lines = getattr(linebox, ATTRIBUTE, (None, None, None))
    return len(lines) if owner == id(linebox) and isinstance(lines, dict) else 0


def make(original: Callable[..., Any]) -> Callable[..., Any]:
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout import inline

    plain_types = (boxes.LineBox, boxes.InlineBox, boxes.TextBox)

    def plain(box: Any) -> bool:
        """Only inline and text boxes in normal flow: nothing whose place depends on y."""
        if not isinstance(box, plain_types) or isinstance(box, boxes.AtomicInlineLevelBox):
            return False
        if not box.is_in_normal_flow():  # floats, absolute and fixed boxes, running, notes
            return False
        if box.style["position"] not in ("static", "relative") or box.is_running():
            return False
        if getattr(box, "footnote", None) is not None or box.is_leader:
            return False
        return all(plain(child) for child in getattr(box, "children", ()))

    def copied(box: Any) -> Any:
        """A deep copy of a laid-out line: boxes and text layouts of its own."""
        new = box.copy()
        # Not the source's cache (copied with its __dict__): a kept line would hold the
        # dictionary that holds it, a cycle only the collector could free.
        new.__dict__.pop(ATTRIBUTE, None)
        if isinstance(box, boxes.TextBox):
            new.pango_layout = copy.copy(getattr(box, "pango_layout", None))
        else:
            children = [copied(child) for child in box.children]
            # Keep the container's type: upstream code adds tuples to it (waiting floats).
            new.children = children if isinstance(box.children, list) else tuple(children)
        return new

    def shareable(box: Any) -> bool:
        """No live Pango object left in the line's text layouts (they are copied shallowly)."""
        if isinstance(box, boxes.TextBox):
            return getattr(getattr(box, "pango_layout", None), "layout", None) is None
        return all(shareable(child) for child in box.children)

    def content(box: Any, found: list[Any]) -> list[Any]:
        """Every box, children container and text under the source line box, in order (not
        the box itself: kept on it, that would be a reference cycle)."""
        if isinstance(box, boxes.TextBox):
            found.append(box.text)
        else:
            children = getattr(box, "children", ())
            found.append(children)
            for child in children:
                found.append(child)
                content(child, found)
        return found

    def lines_of(linebox: Any) -> dict[Any, _Line] | None:
        """The line box's kept lines; None if its lines are never kept."""
        owner, kept_content, lines = getattr(linebox, ATTRIBUTE, (None, None, None))
        if owner == id(linebox) and lines is False:
            return None  # for good: its content was judged or changed by a pseudo-element
        now = content(linebox, [])
        if owner != id(linebox) or len(now) != len(kept_content) or any(
                a is not b for a, b in zip(now, kept_content, strict=True)):  # fmt: skip
            # Never asked, a copy of a box that was, or its content changed: start again.
            lines = {} if plain(linebox) else False
            setattr(linebox, ATTRIBUTE, (id(linebox), now, lines))
        return None if lines is False else lines

    def lay_out(context: Any, linebox: Any, position_x: float, position_y: float,
                available_width: float, bottom_space: float, skip_stack: Any,
                containing_block: Any) -> tuple[Any, Any, _Line | None]:  # fmt: skip
        """Upstream's loop, for a plain line box without excluded shapes or pseudo styles;
        also the line before its translation, when it can be replayed."""
        candidate_height = linebox.height
        first_y = position_y
        shapes = context.excluded_shapes
        excluded_shapes = shapes.copy()
        rtl = containing_block.style["direction"] == "rtl"
        while True:
            original_position_x = linebox.position_x = position_x
            original_position_y = linebox.position_y = position_y
            original_width = linebox.width
            max_x = position_x + available_width
            original_available_width = available_width
            position_x += linebox.text_indent

            line_placeholders: list[Any] = []
            line_absolutes: list[Any] = []
            line_fixed: list[Any] = []
            waiting_floats: list[Any] = []
            line_children: list[Any] = []

            (line, resume_at, preserved_line_break, _, _, _) = inline.split_inline_box(
                context, linebox, position_x, max_x, bottom_space, skip_stack,
                containing_block, line_absolutes, line_fixed, line_placeholders,
                waiting_floats, line_children, None, None)  # fmt: skip
            linebox.width, linebox.height = line.width, line.height
            if line_placeholders or line_absolutes or line_fixed or waiting_floats:
                raise AssertionError("a plain line box has out-of-flow content")

            if inline.is_phantom_linebox(line) and not preserved_line_break:
                # Not moved by upstream: its boxes keep the y they were split at.
                line.height = 0
                return line, resume_at, None

            inline.remove_last_whitespace(context, line)

            _, _, new_available_width = inline.avoid_collisions(
                context, linebox, containing_block, outer=False)  # fmt: skip
            offset_x = inline.text_align(
                context, line, new_available_width,
                last=(resume_at is None or preserved_line_break))  # fmt: skip
            if rtl:
                offset_x *= -1
                offset_x -= line.width

            bottom, top = inline.line_box_verticality(line)
            assert top is not None
            assert bottom is not None
            line.baseline = -top
            line.position_y = top
            line.height = bottom - top
            offset_y = position_y - top
            line.margin_top = 0
            line.margin_bottom = 0

            relative = copied(line)
            line.translate(offset_x, offset_y)
            # Avoid floating point errors, as position_y - top + top != position_y
            line.position_y = position_y

            if line.height <= candidate_height:
                break
            candidate_height = line.height

            new_excluded_shapes = context.excluded_shapes
            context.excluded_shapes = excluded_shapes
            placed = (position_x, position_y, available_width) = inline.avoid_collisions(
                context, line, containing_block, outer=False)  # fmt: skip

            if not rtl:
                condition = (position_x, position_y) == (
                    original_position_x, original_position_y)  # fmt: skip
            else:
                condition = (position_x + line.width, position_y) == (
                    original_position_x + original_width, original_position_y)  # fmt: skip
            if condition:
                context.excluded_shapes = new_excluded_shapes
                break
            if placed == (original_position_x, original_position_y, original_available_width):
                # An RTL line box is placed by its right edge, so the test above compares
                # x + width with x + 0 and fails: upstream splits the line again from the
                # same place and width (the line box's width and height, the only inputs
                # changed, are not read before they are set again), gets the same line and
                # stops, as it is no taller, leaving the copy of the excluded shapes. That
                # line is this one.
                break

        # A second pass (RTL lines) starts at the line's border_box_y(), y + 0: the same y
        # as the first; a replay uses the first.
        if not shareable(relative) or original_position_y != first_y:
            return line, resume_at, None
        kept = _Line(relative, _copied_skip_stack(resume_at), offset_x, top,
                     (linebox.position_x, linebox.width, linebox.height),
                     context.excluded_shapes is not shapes)  # fmt: skip
        return line, resume_at, kept

    def get_next_linebox(
        context: Any, linebox: Any, position_y: float, bottom_space: float, skip_stack: Any,
        containing_block: Any, absolute_boxes: list[Any], fixed_boxes: list[Any],
        first_letter_style: Any, first_line_style: Any,
    ) -> tuple[Any, Any]:  # fmt: skip
        args = (context, linebox, position_y, bottom_space, skip_stack, containing_block,
                absolute_boxes, fixed_boxes, first_letter_style, first_line_style)  # fmt: skip
        if first_letter_style or first_line_style:
            # first_letter_to_box changes the source boxes: never keep this paragraph's lines.
            setattr(linebox, ATTRIBUTE, (id(linebox), None, False))
            return original(*args)
        lines = lines_of(linebox)
        if lines is None or context.excluded_shapes:
            return original(*args)

        # Upstream's start, run on every call: it sets the source line box as upstream does.
        skip_stack = inline.skip_first_whitespace(linebox, skip_stack)
        if skip_stack == "continue":
            return None, None
        # (first_letter_to_box does nothing without a first-letter style)
        linebox.position_y = position_y
        linebox.width = linebox.height = 0
        position_x, position_y, available_width = inline.avoid_collisions(
            context, linebox, containing_block, outer=False)  # fmt: skip

        # What the line depends on, besides the line box itself: not position_y (above).
        key = (_frozen(skip_stack), position_x, available_width, linebox.text_indent,
               containing_block.content_box_x(), containing_block.width,
               containing_block.style["direction"])  # fmt: skip
        kept = lines.get(key)
        if kept is None:
            line, resume_at, kept = lay_out(
                context, linebox, position_x, position_y, available_width, bottom_space,
                skip_stack, containing_block)  # fmt: skip
            if kept is not None:
                if len(lines) >= MAX_LINES:
                    lines.clear()
                lines[key] = kept
            return line, resume_at

        # Replay what upstream's loop leaves, with its arithmetic on the same operands.
        line = copied(kept.relative)
        line.translate(kept.offset_x, position_y - kept.top)
        line.position_y = position_y
        linebox.position_x, linebox.width, linebox.height = kept.linebox
        linebox.position_y = position_y
        if kept.new_shapes:
            context.excluded_shapes = []  # upstream: a copy of the (empty) list
        return line, _copied_skip_stack(kept.resume_at)

    return get_next_linebox


PATCH = Patch(
    target="weasyprint.layout.inline:get_next_linebox",
    upstream="weasyprint.layout.inline:get_next_linebox",
    calls=(
        "weasyprint.layout.inline:skip_first_whitespace",
        "weasyprint.layout.inline:split_inline_box",
        "weasyprint.layout.inline:is_phantom_linebox",
        "weasyprint.layout.inline:remove_last_whitespace",
        "weasyprint.layout.inline:text_align",
        "weasyprint.layout.inline:line_box_verticality",
        "weasyprint.layout.inline:inline_box_verticality",
        "weasyprint.layout.float:avoid_collisions",
        "weasyprint.formatting_structure.boxes:Box.copy",
        "weasyprint.formatting_structure.boxes:Box.translate",
        "weasyprint.text.line_break:Layout.deactivate",
    ),
    make=make,
)
