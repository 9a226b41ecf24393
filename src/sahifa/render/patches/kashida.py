"""Patch: justify Arabic lines with kashida (tatweel) as well as word spaces.

Upstream: ``weasyprint.layout.inline.justify_line`` (WeasyPrint 70.0), wrapped. WeasyPrint
stretches only the spaces of a justified line ("TODO: better algorithm"), so narrow Arabic
columns open rivers. For text boxes whose ``--sahifa-justify`` is ``kashida``, part of the
width a line lacks goes to tatweels (U+0640) inserted at each word's one site
(``sahifa.render.justify.sites``, only where HarfBuzz says a tatweel is safe), spread over the
line's words, at most two at a site (``composer.stretch`` and ``composer.allocate``: the same
model the paragraph composer breaks lines with). Each elongated word is shaped again and
measured (contextual forms change, so the width gained is not n × tatweel), tatweels are
taken back while the line would overflow, and what is left goes to WeasyPrint's own word
spacing, which lays the box out again with its new text.

A line's plan (where its tatweels go) is kept per document under the boxes' texts and
styles, the width it lacks and its spaces: a line laid out again while columns are balanced
is not planned again (justification 3.5 -> 2.7 CPU s of a 54-article batch, same bytes).

The inserted characters are remembered on the box (``sahifa_kashida``: their indices in its
text) so the text layer draws them without text (``draw_first_line``): search and copy give
the words as written. Upstreamable as ``text-justify: inter-character``'s Arabic behaviour
(CSS Text 3 leaves kashida to the user agent).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from sahifa.render.justify import TATWEEL, composer, custom, measure, spaced_words
from sahifa.render.patches import Patch

ATTRIBUTE = "sahifa_kashida"  # on a TextBox: indices in its text of the inserted tatweels
PLANS = "_sahifa_kashida_plans"  # on a LayoutContext: the document's line plans, by content
REMEMBER_PLANS = True  # False: every line planned afresh (the benchmark's sha256 on/off)


def inserted(textbox: Any) -> tuple[int, ...]:
    """Indices in ``textbox.text`` of the tatweels kashida justification inserted."""
    return getattr(textbox, ATTRIBUTE, ())


def with_tatweels(text: str, insertions: dict[int, int]) -> tuple[str, tuple[int, ...]]:
    """``text`` with ``insertions[i]`` tatweels before character ``i``, and the indices of
    the inserted characters in the result."""
    parts: list[str] = []
    indices: list[int] = []
    previous = length = 0
    for index in sorted(insertions):
        parts.append(text[previous:index])
        length += index - previous
        indices.extend(range(length, length + insertions[index]))
        parts.append(TATWEEL * insertions[index])
        length += insertions[index]
        previous = index
    parts.append(text[previous:])
    return "".join(parts), tuple(indices)


def make(original: Callable[..., Any]) -> Callable[..., Any]:
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout.inline import count_expandable_spaces
    from weasyprint.text.line_break import create_layout

    def text_boxes(box: Any) -> Iterator[Any]:
        if isinstance(box, boxes.TextBox):
            yield box
        elif isinstance(box, (boxes.LineBox, boxes.InlineBox)):
            for child in box.children:
                if child.is_in_normal_flow():
                    yield from text_boxes(child)

    def shaped(box: Any, context: Any) -> Any:
        layout = create_layout(box.text, box.style, context, None, box.justification_spacing)
        layout.get_first_line()
        layout.deactivate()
        return layout

    def widen(box: Any, deltas: dict[int, float], x_advance: float) -> float:
        """Move and widen boxes as ``add_word_spacing`` does, by each box's kashida width."""
        if isinstance(box, boxes.TextBox):
            box.position_x += x_advance
            delta = deltas.get(id(box), 0.0)
            box.width += delta
            return x_advance + delta
        if isinstance(box, (boxes.LineBox, boxes.InlineBox)):
            box.position_x += x_advance
            previous = x_advance
            children = box.children[::-1] if box.style["direction"] == "rtl" else box.children
            for child in children:
                if child.is_in_normal_flow():
                    x_advance = widen(child, deltas, x_advance)
            box.width += x_advance - previous
            return x_advance
        box.translate(x_advance, 0)
        return x_advance

    def insert_kashidas(context: Any, line: Any, extra_width: float) -> float:
        """Insert the line's tatweels; the width they take."""
        found = list(text_boxes(line))
        # The plan depends only on the boxes' texts and styles, the width and the spaces:
        # a line laid out again (column balancing tries each height anew) reuses it.
        key = (tuple((id(box.style), box.text) for box in found), extra_width,
               count_expandable_spaces(line))  # fmt: skip
        plans = getattr(context, PLANS, None) if REMEMBER_PLANS else {}
        if plans is None:
            plans = {}
            setattr(context, PLANS, plans)
        entry = plans.get(key)
        if entry is None:
            # The styles are held by the entry: their ids, part of the key, stay theirs.
            entry = plans[key] = (plan_kashidas(context, line, found, extra_width),
                                  [box.style for box in found])  # fmt: skip
        insertions, deltas, gained = entry[0]
        if not insertions:
            return 0.0
        for index, taken in insertions:
            box = found[index]
            box.text, indices = with_tatweels(box.text, taken)
            setattr(box, ATTRIBUTE, indices)
            if not count_expandable_spaces(box):  # add_word_spacing lays the others out
                box.pango_layout = shaped(box, context)
        widen(line, {id(found[index]): delta for index, delta in deltas}, 0.0)
        return gained

    def plan_kashidas(
        context: Any, line: Any, found: list[Any], extra_width: float
    ) -> tuple[tuple[tuple[int, dict[int, int]], ...], tuple[tuple[int, float], ...], float]:
        """Where the line's tatweels go: (box index, {character index: tatweels}) per box,
        the width each box gains, and the width they take in all."""
        # (box index, index in its text, site class, width gained with 1 and 2 tatweels)
        candidates: list[tuple[int, int, int, tuple[float, ...]]] = []
        for number, box in enumerate(found):
            style = box.style
            if custom(style, "sahifa-justify") != "kashida" or style["font_size"] <= 0:
                continue
            measurer = measure.for_style(style, context)
            for position, part in spaced_words(box.text):
                word = measurer.word(part, style, context, True)
                if word.site is not None:
                    # Words are shaped alone (spaces separate their shaping): a line gains
                    # what its elongated words gain.
                    gains = measurer.gains_of(part, word.site, style, context)
                    candidates.append((number, position + word.site, word.site_class, gains))
        if not candidates:
            return (), (), 0.0
        style = found[candidates[0][0]].style
        plan = composer.stretch(
            extra_width, count_expandable_spaces(line), composer.PER_SITE * len(candidates),
            measure.tatweel_width(style, context), style["font_size"],
        )  # fmt: skip
        classes = [c[2] for c in candidates]
        count = plan.tatweels
        while count > 0:
            counts = composer.allocate(classes, count)
            gained = sum(c[3][n - 1] for c, n in zip(candidates, counts, strict=True) if n)
            if gained <= extra_width + 1e-6:
                break
            count -= 1  # contextual forms made the line wider than the model: one fewer
        if count <= 0:
            return (), (), 0.0
        per_box: dict[int, dict[int, int]] = {}
        deltas: dict[int, float] = {}
        for (number, index, _, gains), taken in zip(candidates, counts, strict=True):
            if taken:
                per_box.setdefault(number, {})[index] = taken
                deltas[number] = deltas.get(number, 0.0) + gains[taken - 1]
        return tuple(per_box.items()), tuple(deltas.items()), gained

    def justify_line(context: Any, line: Any, extra_width: float) -> Any:
        if extra_width > 0:
            extra_width -= insert_kashidas(context, line, extra_width)
        return original(context, line, extra_width)

    return justify_line


PATCH = Patch(
    # text_align looks justify_line up in this module.
    target="weasyprint.layout.inline:justify_line",
    upstream="weasyprint.layout.inline:justify_line",
    calls=(
        "weasyprint.layout.inline:count_expandable_spaces",
        "weasyprint.layout.inline:add_word_spacing",
        "weasyprint.text.line_break:create_layout",
        "weasyprint.formatting_structure.boxes:TextBox",
    ),
    make=make,
)
