"""The rules a story box keeps, and the judgement of one laid-out box against them.

The layout sets the limits (``layout.yaml``: ``fitting.min-body-lines`` per column of a box and
``fitting.min-body-lines-total``; ``headline.scale`` and ``headline.max-lines``;
``image.min-height`` and ``image.max-height``); a slot of the edition may ask for more body
lines (``min-body-lines:``). Underset is computed from the unbalanced pass's line count: a
story of L lines in C columns ends, balanced, after ceil(L / C) lines of its first column; the
white under that, when more than two lines tall, is underset.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sahifa.errors import Problem
from sahifa.geometry import length_mm

if TYPE_CHECKING:
    from sahifa.content.edition import Slot
    from sahifa.render import BoxFit

UNDERSET_LINES = 2  # white of more than this many lines under a finished story is underset
FULL_COLUMN_WHITE = 1  # a cut or continued story's column may end with this many lines white
_PT_MM = 25.4 / 72


@dataclass(frozen=True)
class Limits:
    """What the layout allows copy-fitting to do, and what every box must show."""

    min_lines_per_column: int = 4
    min_lines_total: int = 6
    headline_scale: tuple[float, ...] = (40.0, 34.0, 28.0, 24.0, 21.0, 18.0, 16.0, 14.0)  # pt
    headline_max_lines: int = 3
    image_min_mm: float = 30.0
    image_max_mm: float = 50.0
    image_mm: float = 50.0  # a box's photo height unless a fix changes it (slot-height)

    @classmethod
    def of(cls, settings: dict[str, Any]) -> Limits:
        """The limits of a layout's merged settings (``Layout.settings``)."""
        fitting = settings.get("fitting") or {}
        headline = settings.get("headline") or {}
        image = settings.get("image") or {}
        most = image.get("max-height") or image.get("slot-height") or "50mm"
        scale = headline.get("scale") or []
        return cls(
            min_lines_per_column=int(fitting.get("min-body-lines", 4)),
            min_lines_total=int(fitting.get("min-body-lines-total", 6)),
            headline_scale=tuple(sorted((length_mm(s) / _PT_MM for s in scale), reverse=True))
            or cls.headline_scale,
            headline_max_lines=int(headline.get("max-lines", 3)),
            image_min_mm=length_mm(str(image.get("min-height", most))),
            image_max_mm=length_mm(str(most)),
            image_mm=length_mm(str(image.get("slot-height") or most)),
        )

    def min_body_lines(self, slot: Slot, columns: int) -> int:
        per_column = self.min_lines_per_column if slot.min_body_lines is None else (
            slot.min_body_lines)  # fmt: skip
        return max(self.min_lines_total if slot.min_body_lines is None else 0,
                   per_column * columns)  # fmt: skip


@dataclass(frozen=True)
class StoryStatus:
    """How one story box came out: ``fits``, ``over`` (overset), ``short`` (fewer body lines
    than min-body-lines), ``under`` (underset), ``cut`` or ``continued``."""

    story: str
    page: int
    status: str
    lines: int = 0  # over: lines that do not fit; under: white lines; short: lines shown
    words: int = 0  # over: words that do not fit; cut: words left out
    mm: float = 0.0  # over: the height the overset needs; under: the white
    detail: str = ""
    line: int | None = None  # the slot's line in the edition file
    continued_on: int | None = None
    words_shown: int = 0
    rect: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    page_size: tuple[float, float] = (0.0, 0.0)
    changed: str = ""  # overflow: fit — what sahifa changed

    @property
    def label(self) -> str:
        """What the flat plan prints under the story's id."""
        return {
            "fits": "fits",
            "over": f"over {self.lines} lines",
            "short": f"short: {self.lines} body lines",
            "under": f"under {self.lines} lines",
            "cut": f"cut {self.words} words",
            "continued": f"continued -> p{self.continued_on}",
        }[self.status]

    def problem(self, source: Path) -> Problem | None:
        """The problem ``check`` reports for this box (None when it keeps the rules)."""
        where = f"page {self.page}: story {self.story!r}"
        if self.status == "short":
            message = f"{where} shows {self.lines} body line(s) on its page, fewer than " \
                      f"min-body-lines: {self.detail}"  # fmt: skip
            return Problem("fitting", message, file=source, line=self.line)
        if self.status == "under":
            message = f"{where} is underset: {self.lines} lines ({self.mm:.0f} mm) white " \
                      "under its columns"  # fmt: skip
            return Problem("underset", message, file=source, line=self.line)
        return None


def used_mm(fit: BoxFit) -> float:
    """How far down its box a story reaches once balanced: ceil(L / C) lines of its first
    column (from the unbalanced pass, or the balanced one), or its head when it has no body."""
    lines = fit.body_lines
    if not lines:
        return fit.head_mm
    per_column = math.ceil(lines / fit.columns)
    if per_column <= len(fit.first_column_bottoms):
        return fit.first_column_bottoms[per_column - 1]
    written = [w for w, n in zip(fit.column_white_mm, fit.column_lines, strict=False) if n]
    return fit.box_mm - min(written, default=0.0)


def judge(slot: Slot, fit: BoxFit, limits: Limits, full_mm: float, *, cut_words: int,
          continued_on: int | None, page: int) -> StoryStatus:  # fmt: skip
    """The status of one story box on its laid-out page. ``full_mm``: its grid area's
    height; ``cut_words``: words of its body not printed in it (cut or continued)."""
    common: dict[str, Any] = {"story": slot.id, "page": page, "line": slot.line,
                              "rect": fit.rect, "page_size": fit.page_size,
                              "words_shown": fit.fitting_words}  # fmt: skip
    if fit.overset:
        lines = fit.overflow_lines
        return StoryStatus(status="over", lines=lines, words=fit.overflow_words,
                           mm=lines * fit.line_mm / max(1, fit.columns), **common)  # fmt: skip
    shown = fit.body_lines
    needed = limits.min_body_lines(slot, fit.columns)
    if slot.kind != "briefs" and shown < needed and (cut_words or continued_on):
        detail = (f"{shown} of {needed} (head and photo take {fit.head_mm:.0f} mm of "
                  f"{fit.box_mm:.0f} mm)")  # fmt: skip
        return StoryStatus(status="short", lines=shown, detail=detail, **common)
    if continued_on:
        return StoryStatus(status="continued", words=cut_words, continued_on=continued_on,
                           **common)  # fmt: skip
    if cut_words:
        return StoryStatus(status="cut", words=cut_words, **common)
    if slot.kind != "briefs" and fit.line_mm:
        white = max(0.0, full_mm - used_mm(fit))
        lines = int(white / fit.line_mm + 0.05)
        if lines > UNDERSET_LINES:
            return StoryStatus(status="under", lines=lines, mm=white, **common)
    return StoryStatus(status="fits", **common)


def balanced_height(fit: BoxFit) -> float | None:
    """The box height (mm) that ends a story balanced across its columns, or None when it
    is balanced already (its columns' line counts within one of each other) or has one."""
    if fit.columns < 2 or not fit.body_lines or fit.overset:
        return None
    ends = [fit.box_mm - white for white in fit.column_white_mm]
    if max(ends) - min(ends) <= fit.line_mm:  # last lines within one line of each other
        return None
    per_column = math.ceil(fit.body_lines / fit.columns)
    if per_column > len(fit.first_column_bottoms):
        return None
    # Half a line of slack: paragraph spacing differs from column to column.
    return fit.first_column_bottoms[per_column - 1] + 0.5 * fit.line_mm
