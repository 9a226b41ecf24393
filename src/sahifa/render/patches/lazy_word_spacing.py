"""Patch: a justified text box's new layout is made without Pango, which it would not use.

Upstream: ``weasyprint.text.line_break.create_layout`` (WeasyPrint 70.0), as
``weasyprint.layout.inline`` looks it up: there its one caller is ``add_word_spacing``, which
makes a Pango layout for each justified text box and deactivates it at once (the layout
keeps its text and spacing; ``draw_text`` builds the Pango objects again with
``Layout.reactivate``). Building them (a Pango context, a layout, its font description and
text: ``Layout.setup`` and ``set_text``) cost 6% of a batch's CPU time, redone on every
column-balancing try. Here the layout is made directly in the state ``deactivate`` leaves: the
same attributes and the same text ``set_text`` would have kept (first line, the one-space
case), so the drawn page is byte-identical (tests/test_lazy_word_spacing.py).

A box with a text decoration keeps WeasyPrint's own layout: underline and overline read the
font metrics ``setup`` measured before the layout is reactivated. Upstream fix: a
deactivated ``Layout`` constructor for ``add_word_spacing``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sahifa.render.patches import Patch


def kept_text(text: str, style: Any) -> str:
    """The text ``Layout.set_text(text)`` keeps (``justify=False``, as ``create_layout``)."""
    index = text.find("\n")
    if index != -1:
        text = text[: index + 2]  # the first line plus one character, as WeasyPrint
    # set_text's only other change: with word spacing, a lone space gets a zero-width space
    # after it (Pango needs more than one space to set word spacing).
    if style["word_spacing"] and text == " ":
        return " \u200b"
    return text


def make(original: Callable[..., Any]) -> Callable[..., Any]:
    from weasyprint.text.line_break import Layout

    def create_layout(
        text: str, style: Any, context: Any, max_width: Any, justification_spacing: float
    ) -> Any:  # fmt: skip
        if max_width is not None or style["text_decoration_line"] != "none":
            return original(text, style, context, max_width, justification_spacing)
        layout = Layout.__new__(Layout)
        # What Layout.__init__, setup and set_text leave that deactivate() keeps.
        layout.justification_spacing = justification_spacing
        layout.first_line_direction = 0
        layout.ascent = layout.underline_position = layout.strikethrough_position = None
        layout.max_width = max_width
        layout.text = kept_text(text, style)
        # What deactivate() deletes; no Pango object was made.
        layout.layout = layout.language = None
        layout.style = style
        return layout

    return create_layout


PATCH = Patch(
    # add_word_spacing, the only caller in this module, looks create_layout up here.
    target="weasyprint.layout.inline:create_layout",
    upstream="weasyprint.text.line_break:create_layout",
    calls=(
        "weasyprint.layout.inline:add_word_spacing",
        "weasyprint.text.line_break:Layout.__init__",
        "weasyprint.text.line_break:Layout.setup",
        "weasyprint.text.line_break:Layout.set_text",
        "weasyprint.text.line_break:Layout.deactivate",
        "weasyprint.text.line_break:Layout.reactivate",
    ),
    make=make,
)
