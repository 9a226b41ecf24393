"""Patch: draw column rules in the gaps of right-to-left multi-column boxes.

Upstream: ``weasyprint.draw.border.draw_column_rules`` (WeasyPrint 70.0, draw/border.py).
WeasyPrint puts each rule to the left of every column but the first, which is right for
left-to-right boxes; in RTL the first column is the rightmost, so one rule landed in the left
margin and the rightmost gap had none (seen on the sample page). The replacement draws RTL
boxes' rules to the right of every column but the first, and leaves LTR boxes to the original.
Upstream fix: the same condition on ``box.style["direction"]`` in ``draw_column_rules``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sahifa.render.patches import Patch


def make(original: Callable[..., Any]) -> Callable[..., Any]:
    from weasyprint.draw import border

    def draw_column_rules(stream: Any, box: Any) -> None:
        if box.style["direction"] != "rtl":
            original(stream, box)
            return
        rule_width = box.style["column_rule_width"]
        rule_style = box.style["column_rule_style"]
        border_widths = (0, 0, 0, rule_width)
        if box.style["column_gap"] == "normal":
            gap = box.style["font_size"]  # normal equals 1em
        else:
            gap = border.percentage(box.style["column_gap"], box.style, box.width)
        skip_next = True
        for child in box.children:
            if child.style["column_span"] == "all":
                skip_next = True
                continue
            if skip_next:
                skip_next = False
                continue
            with stream.stacked():
                # The gap lies to the right of an RTL column that is not the first.
                position_x = child.position_x + child.margin_width() + (gap - rule_width) / 2
                border_box = position_x, child.position_y, rule_width, child.height
                border.clip_border_segment(
                    stream, rule_style, rule_width, "left", border_box, border_widths
                )
                color = border.styled_color(
                    rule_style, border.get_color(box.style, "column_rule_color"), "left"
                )
                border.draw_rect_border(stream, border_box, border_widths, rule_style, color)

    return draw_column_rules


PATCH = Patch(
    target="weasyprint.draw.border:draw_column_rules",
    upstream="weasyprint.draw.border:draw_column_rules",
    calls=(
        "weasyprint.draw.border:percentage",
        "weasyprint.draw.border:clip_border_segment",
        "weasyprint.draw.border:styled_color",
        "weasyprint.draw.border:get_color",
        "weasyprint.draw.border:draw_rect_border",
    ),
    make=make,
)
