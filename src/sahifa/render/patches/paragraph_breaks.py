"""Patch: break a justified paragraph as a whole (total fit), kashida counted as stretch.

Upstream: ``weasyprint.text.line_break.split_first_line`` (WeasyPrint 70.0), wrapped where
``layout/inline.py`` looks it up. WeasyPrint breaks greedily: each line takes all the words
that fit, and narrow justified Arabic columns get rivers. For a justified text box whose
``--sahifa-line-breaking`` is ``paragraph``, the break of the first line is the one the
paragraph composer (``sahifa.render.justify.composer``) chooses for all of the text that is
left; its backward dynamic programme makes each later call (WeasyPrint asks line by line)
agree with the earlier plan. The line is then laid out by Pango exactly as WeasyPrint would
lay out the same text, and is used only if Pango agrees it fits; anything else (no spaces,
preserved line breaks, a box that starts mid-line, min-content sizing) goes to WeasyPrint's
own function. Upstreamable as an opt-in ``text-wrap-style: pretty`` for justified text.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

from sahifa.render.justify import composer, custom, measure, spaced_words
from sahifa.render.patches import Patch

# (style, kashida, width, the text left) → (end of the first line, start of the next), in
# characters; per font configuration, or shared by documents in the same pinned fonts.
# Filled for every word of a paragraph when it is first composed.
_Key = tuple[str, bool, float, int, int]
_plans: weakref.WeakKeyDictionary[Any, dict[_Key, tuple[int, int]]] = weakref.WeakKeyDictionary()
_shared_plans: dict[str, dict[_Key, tuple[int, int]]] = {}
_MAX_PLANS = 200_000


def _plans_of(context: Any) -> dict[_Key, tuple[int, int]]:
    """The plans of this document's fonts: shared by documents in the same pinned fonts."""
    fonts = measure.fonts_key()
    if fonts is None:
        return _plans.setdefault(context.font_config, {})
    if fonts not in _shared_plans and len(_shared_plans) > 8:
        _shared_plans.clear()
    return _shared_plans.setdefault(fonts, {})


def applies(style: Any, max_width: float | None, is_line_start: bool, minimum: bool) -> bool:
    return (
        not minimum
        and is_line_start
        and max_width is not None
        and 0 < max_width < 2**21
        and style["text_align_all"] == "justify"
        and style["white_space"] == "normal"
        and style["font_size"] > 0
        and custom(style, "sahifa-line-breaking") == "paragraph"
    )


def plan_first_line(text: str, style: Any, context: Any, width: float) -> tuple[int, int] | None:
    """Where the composer ends the first line of ``text`` and starts the next (character
    offsets), or None: the rest is one line, or the text is not a run of spaced words."""
    if "\n" in text or "\t" in text or "  " in text:
        return None
    measurer = measure.for_style(style, context)
    kashida = custom(style, "sahifa-justify") == "kashida"
    # Exact width: a plan made for another width must never be taken (byte-reproducible
    # output whatever was rendered before in the process).
    key = (measurer.key, kashida, width)
    plans = _plans_of(context)
    found = plans.get((*key, len(text), hash(text)))
    if found is not None:
        return found
    words = list(spaced_words(text))
    starts = [start for start, _ in words]
    ends = [start + len(word) for start, word in words]
    if len(starts) < 2:
        return None
    items = []
    for _, part in words:
        word = measurer.word(part, style, context, kashida)
        items.append(composer.Item(word.width, int(word.site is not None)))
    tatweel = measurer.tatweel if kashida else 0.0
    after = composer.breaks(items, measurer.space, width, tatweel, style["font_size"])
    if len(plans) > _MAX_PLANS:
        plans.clear()
    result = None
    for i, start in enumerate(starts):
        j = after[i]
        if j >= len(starts):
            continue  # the rest is the last line: WeasyPrint's own function sets it
        suffix = text[start:]
        entry = (ends[j - 1] - start, starts[j] - start)
        plans[(*key, len(suffix), hash(suffix))] = entry
        if i == 0:
            result = entry
    return result


def make(original: Callable[..., Any]) -> Callable[..., Any]:
    from weasyprint.text.line_break import create_layout, first_line_metrics, line_size

    def split_first_line(
        text: str, style: Any, context: Any, max_width: float | None,
        justification_spacing: float, is_line_start: bool = True, minimum: bool = False,
    ) -> Any:  # fmt: skip
        if applies(style, max_width, is_line_start, minimum):
            assert max_width is not None
            planned = plan_first_line(text, style, context, max_width)
            if planned is not None:
                end, resume = planned
                layout = create_layout(text[:end], style, context, max_width,
                                       justification_spacing)  # fmt: skip
                first_line, index = layout.get_first_line()
                if index is None and line_size(first_line, style)[0] <= max_width:
                    return first_line_metrics(first_line, text, layout,
                                              len(text[:resume].encode()), True, style)  # fmt: skip
                layout.deactivate()
        return original(text, style, context, max_width, justification_spacing,
                        is_line_start=is_line_start, minimum=minimum)  # fmt: skip

    return split_first_line


PATCH = Patch(
    target="weasyprint.layout.inline:split_first_line",
    upstream="weasyprint.text.line_break:split_first_line",
    calls=(
        "weasyprint.text.line_break:create_layout",
        "weasyprint.text.line_break:first_line_metrics",
        "weasyprint.text.line_break:line_size",
        "weasyprint.text.line_break:_font_style_cache_key",
        "weasyprint.text.line_break:Layout.get_first_line",
    ),
    make=make,
)
