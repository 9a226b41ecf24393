"""Fitting an edition's stories into their boxes: lay out, measure, compose again.

A story box whose text does not fit is reported (``overflow: error``), cut at the last word
that fits (``cut``), or continued in a ``continued:`` slot on a later page (``continue``);
briefs are cut whole, from the last one. Each pass measures the laid-out boxes
(``sahifa.render.measure_slots``) and narrows the plan of words per box.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sahifa.compose import Composed, compose_edition
from sahifa.content.edition import Edition
from sahifa.errors import Problem
from sahifa.markup import WordRange

if TYPE_CHECKING:
    from sahifa.pipeline import Prepared
    from sahifa.render import BoxFit, LaidOut

MAX_FIT_PASSES = 6


@dataclass(frozen=True)
class Overset:
    """A story whose text does not fit its box, measured on the laid-out page."""

    story: str
    page: int
    lines: int
    words: int
    line: int | None = None  # the story's line in the edition file

    def problem(self, source: Path) -> Problem:
        amount = (
            f"{self.lines} lines ({self.words} words) over"
            if self.words or self.lines
            else "its head (headline, image) is taller than the box"
        )
        return Problem(
            "overset",
            f"page {self.page}: story {self.story!r} does not fit its box: {amount}",
            file=source,
            line=self.line,
        )


def fit_edition(
    prepared: Prepared, lay_out_html: Callable[[str], LaidOut]
) -> tuple[LaidOut, list[Overset], list[Problem]]:
    """Lay the edition out (``lay_out_html``) until every cut or continued story holds only
    what fits; the stories still overset, and what was cut or left out."""
    from sahifa import render

    edition = prepared.edition
    assert edition is not None
    plan: dict[str, WordRange] = {}
    html = prepared.html
    composed: Composed | None = None
    for _ in range(MAX_FIT_PASSES):
        laid_out = lay_out_html(html)
        fits = render.measure_slots(laid_out)
        if not _refit(edition, fits, plan):
            break
        composed = compose_edition(
            edition, prepared.settings, prepared.layout, prepared.fonts, plan
        )
        html = composed.html
    words = composed.body_words if composed else {}
    warnings: list[Problem] = []
    overset: list[Overset] = []
    for page in edition.pages:
        for slot in page.slots:
            fit = fits.get(slot.id)
            if fit is None:
                continue
            if slot.kind == "briefs" and slot.id in plan:
                dropped = len(slot.articles) - (plan[slot.id].end or 0)
                warnings.append(
                    Problem(
                        "overset",
                        f"page {page.number}: {slot.id!r}: {dropped} brief(s) that did not "
                        "fit the box were left out",
                        file=edition.path,
                        line=slot.line,
                    )
                )
            elif slot.kind == "story" and slot.overflow == "cut" and slot.id in plan:
                cut = words.get(slot.id, 0) - (plan[slot.id].end or 0)
                warnings.append(
                    Problem(
                        "overset",
                        f"page {page.number}: story {slot.id!r} cut: {cut} words that did "
                        "not fit its box were left out",
                        file=edition.path,
                        line=slot.line,
                    )
                )
            if fit.overset:
                overset.append(
                    Overset(slot.id, page.number, fit.overflow_lines, fit.overflow_words, slot.line)
                )
    return laid_out, overset, warnings


def _refit(edition: Edition, fits: dict[str, BoxFit], plan: dict[str, WordRange]) -> bool:
    """Narrow the plan for boxes that overflow and may cut or continue; True if it changed."""
    changed = False
    for page in edition.pages:
        for slot in page.slots:
            fit = fits.get(slot.id)
            if fit is None or slot.kind == "continued" or slot.overflow == "error":
                continue
            if not (fit.overset or fit.furniture_overflow):
                continue
            if slot.kind == "briefs":  # briefs are cut whole, from the last one
                shown = plan.get(slot.id, WordRange(0, len(slot.articles))).end or 0
                if shown > 1:
                    plan[slot.id] = WordRange(0, shown - 1)
                    changed = True
                continue
            current = plan.get(slot.id, WordRange())
            end = current.start + fit.fitting_words
            if not fit.overset:  # only the jump line fell out: give it room
                end = max(current.start, end - 6)
            if current.end == end:
                end = max(current.start, end - 6)
            plan[slot.id] = WordRange(current.start, end)
            if slot.overflow == "continue":
                plan[f"{slot.id}-continued"] = WordRange(end, None)
            changed = True
    return changed
