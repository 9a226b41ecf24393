"""Fixes for a story that is over, under or short, each verified by laying the page out again.

Cost order, least invasive first (what a desk would rather change):

1. ``photo``    the photo's height, within the layout's ``image.min-height``/``max-height``;
2. ``headline`` the headline's size, one of the layout's ``headline.scale`` (in at most
                ``headline.max-lines`` lines);
3. ``photo+headline`` both: the smallest photo and a smaller headline (searched only when
                neither alone works: a head taller than its box needs both);
4. ``span``     one column more or less, traded with the neighbour that spans the same rows;
5. ``cut``      N words off the end, naming the paragraphs;
6. ``continue`` on a later page (the first part is verified; its slot there is the desk's).

A story that cuts or continues but whose head (headline, photo, caption) leaves it fewer than
min-body-lines on its page, or sends it to the next page, is *short*: cutting cannot help it,
so its fixes are the head's, verified by the body lines they give it.

The designer's limits are few, so every candidate within them is searched (the closest to the
predicted change first). Layouts are reused: every box has a fixed height, so the candidates
of different stories do not disturb each other and one layout verifies one candidate of every
story at once (candidates that touch the same boxes wait for the next round).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from sahifa.compose import SlotTweak
from sahifa.content.edition import Edition, EditionPage, Slot
from sahifa.copyfit.rules import Limits, StoryStatus, judge
from sahifa.errors import RenderError
from sahifa.markup import WordRange, render_body

if TYPE_CHECKING:
    from sahifa.fitting import Fitter, Layout
    from sahifa.render import BoxFit

COST_ORDER = ("photo", "headline", "photo+headline", "span", "cut", "continue")
NON_CUTTING = ("photo", "headline", "photo+headline", "span")
MAX_ROUNDS = 16  # layouts per search; bisecting every group takes far fewer
PHOTO_STEP_MM = 5.0  # photo heights offered: the limits and every 5 mm between them


@dataclass(frozen=True)
class Fix:
    """One way to fit a story, and whether a fresh layout showed that it works."""

    story: str
    kind: str  # one of COST_ORDER
    text: str
    tweaks: tuple[tuple[str, SlotTweak], ...] = ()
    words: WordRange | None = None  # cut: the words the box keeps
    verified: bool = False
    change: float = 0.0  # how far from the page as it is (ranks fixes of one kind)

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "fix": self.text, "verified": self.verified}


@dataclass
class Suggestion:
    """A story that is over, under or short, and its fixes in cost order."""

    status: StoryStatus
    fixes: list[Fix] = field(default_factory=list)
    # Short, and no fix gives it min-body-lines: the head fix laid out that gave it the most
    # body lines on its page (overflow: fit applies it: a short box, reported, rather than
    # a head that goes on to the next page).
    closest: Fix | None = None
    closest_lines: int = 0  # the body lines it gave

    def as_json(self) -> dict[str, Any]:
        s = self.status
        return {"story": s.story, "page": s.page, "status": s.status, "lines": s.lines,
                "words": s.words, "mm": round(s.mm, 1), "detail": s.detail,
                "fixes": [f.as_json() for f in self.fixes]}  # fmt: skip


def suggest(fitter: Fitter, state: Layout, statuses: list[StoryStatus],
            kinds: tuple[str, ...] = COST_ORDER) -> list[Suggestion]:  # fmt: skip
    """The verified fixes of every story that is over, under, short or cut."""
    places = {slot.id: (page, slot) for page in fitter.edition.pages for slot in page.slots}
    wanted = [_head_too_tall(fitter, state, places, s) for s in statuses
              if s.status in ("over", "under", "short", "cut")]  # fmt: skip
    if not wanted:
        return []
    queues: dict[str, list[_Group]] = {}
    for status in wanted:
        page, slot = places[status.story]
        fit = state.fits[slot.id]
        queues[slot.id] = [g for g in _candidates(fitter, page, slot, fit, status, state)
                           if g.fixes[0].kind in kinds]  # fmt: skip
    spilled = {story for story, fit in state.fits.items() if fit.spilled}
    closest: dict[str, tuple[tuple[int, float], Fix]] = {}
    found = _verify(fitter, queues, places, {s.story: s for s in wanted}, spilled, closest)
    result = []
    for status in wanted:
        fixes = sorted(found.get(status.story, []),
                       key=lambda f: (COST_ORDER.index(f.kind), f.change))  # fmt: skip
        near = closest.get(status.story) if not fixes else None
        result.append(Suggestion(status, _with_continue(fitter, status, fixes),
                                 near[1] if near else None, near[0][0] if near else 0))  # fmt: skip
    return result


def _head_too_tall(fitter: Fitter, state: Layout, places: dict[str, tuple[EditionPage, Slot]],
                   status: StoryStatus) -> StoryStatus:  # fmt: skip
    """A story that cuts or continues and is still over has its head too tall for the box
    (its columns, photo or all, went on to the next page): no cut fits it, so it is short of
    body lines — what the head's fixes must give it."""
    if status.status != "over":
        return status
    _page, slot = places[status.story]
    fit = state.fits[slot.id]
    if slot.kind != "story" or slot.overflow not in ("cut", "continue") or not fit.spilled:
        return status
    needed = fitter.limits.min_body_lines(slot, fit.columns)
    why = ("its head goes on to the next page" if fit.head_spilled else
           f"head and photo take {fit.head_mm:.0f} mm of {fit.box_mm:.0f} mm and its first "
           "lines do not fit under them")  # fmt: skip
    return replace(status, status="short", lines=fit.body_lines, words=0, mm=0.0,
                   detail=f"{fit.body_lines} of {needed} ({why})")


def apply_fits(fitter: Fitter, state: Layout, changes: dict[str, str]) -> tuple[Edition, bool]:
    """``overflow: fit``: apply the first verified non-cutting fix of each fit story that is
    over, under or short; a story over without one takes its ``fallback:`` mode (and, once
    cut or continued, a story short of min-body-lines gets the fix that gives it the lines).
    """
    fits = {s.id for p in fitter.source.pages for s in p.slots if s.overflow == "fit"}
    if not fits:
        return fitter.edition, False
    edition, changed = fitter.edition, False
    modes = {s.id: s.overflow for p in edition.pages for s in p.slots}
    # A story is searched once in each mode: as written, then once it cut or continued.
    statuses = [s for s in fitter.statuses(state) if s.story in fits
                and s.story not in fitter.fixed and s.status != "cut"
                and (s.story, modes[s.story]) not in fitter.searched]  # fmt: skip
    fitter.searched |= {(s.story, modes[s.story]) for s in statuses}
    touched: set[str] = set()  # boxes a fix of this round changed
    for suggestion in suggest(fitter, state, statuses, NON_CUTTING):
        story = suggestion.status.story
        fix = next((f for f in suggestion.fixes if f.verified), None)
        targets = {story} | {t for t, _ in fix.tweaks} if fix is not None else {story}
        if targets & touched:
            # Verified on the page without the other fix of a box it changes: search it
            # again on the page with that fix.
            fitter.searched.discard((story, modes[story]))
            continue
        touched |= targets
        if fix is not None:
            for target, tweak in fix.tweaks:
                fitter.tweaks[target] = _merge(fitter.tweaks.get(target), tweak)
            fitter.fixed.add(story)
            fitter.bounds.pop(story, None)  # more room: search its words afresh
            fitter.stuck.discard(story)
            changes[story] = "; ".join(filter(None, (changes.get(story), fix.text)))
            changed = True
        elif suggestion.closest is not None and _gains(state, suggestion):
            fix = suggestion.closest
            for target, tweak in fix.tweaks:
                fitter.tweaks[target] = _merge(fitter.tweaks.get(target), tweak)
            fitter.fixed.add(story)
            fitter.bounds.pop(story, None)
            fitter.stuck.discard(story)
            changes[story] = "; ".join(filter(None, (changes.get(story), fix.text + (
                " (the most body lines within the limits, still short of min-body-lines)"))))
            changed = True
        elif suggestion.status.status == "over":
            slot = next(s for p in edition.pages for s in p.slots if s.id == story)
            edition = _with_slot(edition, story, overflow=slot.fallback)
            changes[story] = f"no fix within the layout's limits: {slot.fallback}"
            changed = True
    for status in fitter.statuses(state):
        # A fitted story that is over again (a neighbour's fix changed its box after its
        # own was verified) takes its fallback.
        story = status.story
        if (story in fitter.fixed and modes.get(story) == "fit" and status.status == "over"
                and story not in touched):  # fmt: skip
            slot = next(s for p in edition.pages for s in p.slots if s.id == story)
            edition = _with_slot(edition, story, overflow=slot.fallback)
            changes[story] = "; ".join(filter(None, (
                changes.get(story), f"over again after a neighbour's fix: {slot.fallback}")))
            changed = True
    return edition, changed


def _gains(state: Layout, suggestion: Suggestion) -> bool:
    """A short story's closest head fix is applied when its head does not stay on its page
    now, or when the fix's trial showed more body lines than it shows."""
    fit = state.fits[suggestion.status.story]
    return fit.head_spilled or fit.head_mm >= fit.box_mm - 0.5 or (
        suggestion.closest_lines > fit.body_lines)


def _merge(old: SlotTweak | None, new: SlotTweak) -> SlotTweak:
    if old is None:
        return new
    values = {k: v for k, v in new.__dict__.items() if v is not None}
    return replace(old, **values)


def _with_slot(edition: Edition, story: str, **changes: Any) -> Edition:
    pages = tuple(replace(page, slots=tuple(replace(s, **changes) if s.id == story else s
                                            for s in page.slots))
                  for page in edition.pages)  # fmt: skip
    return replace(edition, pages=pages)


def _candidates(fitter: Fitter, page: EditionPage, slot: Slot, fit: BoxFit,
                status: StoryStatus, state: Layout) -> list[_Group]:  # fmt: skip
    """Every fix within the limits, in groups of one kind ordered by how much they change
    (more change, more room: the search bisects each group for the least that works)."""
    limits = fitter.limits
    shrink = status.status in ("over", "short", "cut")
    # Short: the head leaves too few body lines; a smaller head never gives fewer, so the
    # largest change failing ends the search of its kind.
    short = status.status == "short"
    need_mm = _needed_mm(fit, status, state, fitter, slot)
    groups: list[_Group] = []
    tweak = fitter.tweaks.get(slot.id, SlotTweak())
    if slot.kind == "story" and slot.articles[0].image is not None:
        current = tweak.image_mm or limits.image_mm
        low, high = limits.image_min_mm, limits.image_max_mm
        goal = current - need_mm if shrink else current + need_mm
        if shrink:  # bisected: every 5 mm between the limits
            steps = {round(low + i * PHOTO_STEP_MM, 1)
                     for i in range(int((high - low) / PHOTO_STEP_MM) + 1)} | {low, high}
        else:  # scanned from the predicted height up, a millimetre at a time
            steps = {float(h) for h in range(math.ceil(max(goal, current + 1)),
                                             math.floor(high) + 1)}  # fmt: skip
        heights = sorted((h for h in steps if (h < current - 0.05 if shrink
                                               else h > current + 0.05)),
                         key=lambda h: abs(h - current))  # fmt: skip
        guess = next((i for i, h in enumerate(heights)
                      if (h <= goal if shrink else h >= goal)), len(heights) - 1)  # fmt: skip
        groups.append(_Group([Fix(slot.id, "photo", f"photo height {h:g} mm (now {current:g} "
                                  "mm)", ((slot.id, SlotTweak(image_mm=h)),),
                                  change=abs(current - h)) for h in heights], guess,
                             scan=not shrink, shrink=shrink,
                             exhaustive=need_mm <= 2 * (current - low) and not short))  # fmt: skip
    # A headline too tall for its box may not be laid out at all (WeasyPrint drops a
    # spanning block that does not fit): then every size of the scale is a candidate.
    lost = shrink and slot.kind == "story" and not fit.headline_pt
    headline = round(fit.headline_pt, 1) if fit.headline_pt else max(limits.headline_scale) + 1
    was = f"{headline:g} pt" if fit.headline_pt else "taller than the box"
    if slot.kind == "story" and (fit.headline_pt or lost):
        sizes = sorted((s for s in limits.headline_scale if (s < headline if shrink
                                                               else s > headline)),
                       key=lambda s: abs(s - headline))  # fmt: skip
        groups.append(_Group([Fix(slot.id, "headline", f"headline {size:g} pt (now {was})",
                                  ((slot.id, SlotTweak(headline_pt=size)),),
                                  change=abs(headline - size)) for size in sizes], 0,
                             scan=not shrink, shrink=shrink,
                             exhaustive=need_mm <= 2 * _headline_room(fit, limits)
                             and not short))  # fmt: skip
    if (shrink and slot.kind == "story" and slot.articles[0].image is not None
            and (fit.headline_pt or lost)):  # fmt: skip
        photo = limits.image_min_mm
        now = tweak.image_mm or limits.image_mm
        sizes = sorted((s for s in limits.headline_scale if s < headline), reverse=True)
        groups.append(_Group([Fix(slot.id, "photo+headline", f"photo height {photo:g} mm and "
                                  f"headline {size:g} pt (now {now:g} mm, {was})",
                                  ((slot.id, SlotTweak(image_mm=photo, headline_pt=size)),),
                                  change=headline - size) for size in sizes], 0,
                             shrink=True, lazy=True))  # fmt: skip
    groups += [_Group([fix], 0) for fix in _span_trades(fitter, page, slot, shrink)]
    if shrink and slot.kind == "story" and status.status == "over" and fit.fitting_words > 0:
        keep = fit.fitting_words
        total = state.words.get(slot.id, 0)
        groups.append(_Group([Fix(slot.id, "cut", f"cut {total - keep} words: "
                                  f"{_paragraphs(slot.articles[0].body, keep, total)}",
                                  words=WordRange(0, keep), change=total - keep)], 0))  # fmt: skip
    return [g for g in groups if g.fixes]


@dataclass
class _Group:
    """Candidates of one kind for one story, least change first, searched by bisection for
    the least change that works (more change never gives less room)."""

    fixes: list[Fix]
    probe: int  # the next index to lay out (first: the predicted one)
    bad: int = -1  # the largest index seen not to work
    good: int = -1  # the smallest index seen to work (-1: none yet)
    # Underset: too little change leaves it under, too much makes it over, so the fixes
    # that work are a window: scan from the least change until one works or one overshoots.
    scan: bool = False
    shrink: bool = True  # fixes for a story over or short (False: underset)
    tried: set[int] = field(default_factory=set)
    alone: bool = False  # laid out without other stories' candidates
    # When the most change fails, try the rest too (off when even it is predicted to give
    # less than half the room needed: the search stays a few layouts a page).
    exhaustive: bool = True
    # Searched only when the story's photo and headline groups found nothing.
    lazy: bool = False

    def __post_init__(self) -> None:
        self.good = len(self.fixes)
        self.probe = 0 if self.scan else max(0, min(self.probe, len(self.fixes) - 1))

    @property
    def done(self) -> bool:
        return self.good - self.bad <= 1

    def record(self, works: bool, overshot: bool = False) -> None:
        if self.scan:
            self.tried.add(self.probe)
            if works:
                self.good = self.probe
            elif overshot and not self.shrink:
                self.bad, self.good = len(self.fixes), len(self.fixes) + 1  # none works
            else:
                self._next_untried()
            return
        last = len(self.fixes) - 1
        self.tried.add(self.probe)
        if works:
            self.good = self.probe
        else:
            self.bad = self.probe
        if not works and self.good > last and self.bad < last:
            self.probe = last  # is anything within the limits enough?
        elif not works and self.probe == last and self.good > last and self.exhaustive:
            # Not even the most change works: room is not monotone here (a quote that does
            # not break lands elsewhere), so try every candidate left, least change first.
            self.scan = True
            self._next_untried()
        else:
            self.probe = (self.bad + self.good) // 2

    def _next_untried(self) -> None:
        left = [i for i in range(len(self.fixes)) if i not in self.tried]
        if left:
            self.probe, self.bad, self.good = left[0], -1, len(self.fixes)
            self.bad = left[0] - 1
        else:
            self.bad, self.good = len(self.fixes), len(self.fixes) + 1  # none works

    def skip(self) -> None:
        self.bad, self.good = len(self.fixes), len(self.fixes) + 1

    @property
    def found(self) -> Fix | None:
        return self.fixes[self.good] if 0 <= self.good < len(self.fixes) else None


def _headline_room(fit: BoxFit, limits: Limits) -> float:
    """The most height the smallest headline of the scale could give back (one line of it)."""
    now = fit.headline_lines * fit.headline_pt * 1.35 * 25.4 / 72
    return max(0.0, now - min(limits.headline_scale) * 1.35 * 25.4 / 72)


def _needed_mm(fit: BoxFit, status: StoryStatus, state: Layout, fitter: Fitter,
               slot: Slot) -> float:  # fmt: skip
    """How much taller (shrinking) or shorter the head should be, predicted: a millimetre of
    head is a millimetre of every column."""
    line_mm = fit.line_mm or max((f.line_mm for f in state.fits.values()), default=0.0)
    if status.status == "short" and fit.spilled and line_mm:
        # The photo went on to the next page with the columns: count it in the head.
        needed = fitter.limits.min_body_lines(slot, fit.columns)
        photo = (fitter.tweaks.get(slot.id) or SlotTweak()).image_mm or fitter.limits.image_mm
        head = fit.head_mm + (photo + 2 * line_mm if slot.articles[0].image else 0.0)
        return max(0.0, math.ceil(needed / fit.columns) * line_mm - (fit.box_mm - head))
    if not fit.line_mm:
        return 0.0
    if status.status == "over":
        return fit.overflow_lines * fit.line_mm / max(1, fit.columns)
    if status.status == "short":
        needed = fitter.limits.min_body_lines(slot, fit.columns)
        return math.ceil(needed / fit.columns) * fit.line_mm - (fit.box_mm - fit.head_mm)
    if status.status == "cut":
        lines = status.words / max(1.0, fit.words_per_line)
        return lines * fit.line_mm / max(1, fit.columns)
    # Under: every millimetre of head is a millimetre less white; leave under 3 lines.
    return max(0.0, status.mm - 2.9 * fit.line_mm)


def _span_trades(fitter: Fitter, page: EditionPage, slot: Slot, wider: bool) -> list[Fix]:
    """One column more (``wider``) or less, traded with a neighbour on the same rows."""
    fixes = []
    for other in page.slots:
        if other is slot or (other.row, other.rows) != (slot.row, slot.rows):
            continue
        if other.kind == "placeholder":
            continue
        giver, taker = (other, slot) if wider else (slot, other)
        if giver.span < 2:
            continue
        if other.column == slot.column + slot.span:  # the neighbour on the left
            left, right = (other, slot)
        elif other.column + other.span == slot.column:  # on the right
            left, right = (slot, other)
        else:
            continue
        # Column 1 is the rightmost: the border between them moves by one column.
        moved = 1 if taker is right else -1
        tweaks = (
            (right.id, SlotTweak(column=right.column, span=right.span + moved)),
            (left.id, SlotTweak(column=left.column + moved, span=left.span - moved)),
        )
        span = slot.span + (1 if wider else -1)
        fixes.append(Fix(slot.id, "span", f"span {span} columns (now {slot.span}), "
                         f"{other.id!r} spans {other.span + (-1 if wider else 1)}",
                         tweaks, change=1))  # fmt: skip
    return fixes


def _paragraphs(body: str, keep: int, total: int) -> str:
    """Which paragraphs the words after ``keep`` are: "the end of paragraph 5 and 6-7"."""
    blocks = [b for b in re.split(r"\n\s*\n", body) if b.strip()]
    start = 0
    first = None
    for number, block in enumerate(blocks, start=1):
        words = render_body(block).words
        if first is None and start + words > keep:
            first = (number, keep > start)
        start += words
    if first is None:
        return "the last words"
    number, partly = first
    last = len(blocks)
    named = f"the end of paragraph {number}" if partly else f"paragraph {number}"
    if last > number:
        rest = f"{number + 1}" if last == number + 1 else f"{number + 1}-{last}"
        named += f" and paragraph{'s' if last > number + 1 else ''} {rest}"
    return named


def _with_continue(fitter: Fitter, status: StoryStatus, fixes: list[Fix]) -> list[Fix]:
    """The last resort for a story over: continue on a later page (the first part is the
    verified cut, less a line for the jump line)."""
    cut = next((f for f in fixes if f.kind == "cut"), None)
    later = [p.number for p in fitter.edition.pages if p.number > status.page]
    if cut is None or not later or status.status != "over":
        return fixes
    return [*fixes, Fix(status.story, "continue",
                        f"overflow: continue with a 'continued: {status.story}' slot on page "
                        f"{later[0]} (about {status.lines + 1} lines there)",
                        verified=cut.verified, change=0)]  # fmt: skip


def _verify(fitter: Fitter, queues: dict[str, list[_Group]],
            places: dict[str, tuple[EditionPage, Slot]],
            statuses: dict[str, StoryStatus],
            spilled_before: frozenset[str] | set[str] = frozenset(),
            closest: dict[str, tuple[tuple[int, float], Fix]] | None = None,
            ) -> dict[str, list[Fix]]:  # fmt: skip
    """Lay candidates out, one per story per round, each group bisected, until every group
    of every story is settled. ``spilled_before``: boxes that spill on the page as it is
    (their head does not fit) — they do not make a trial suspect. ``closest`` gets, for
    each short story, the candidate that gave it the most body lines on its page."""
    for _ in range(MAX_ROUNDS):
        chosen: list[tuple[_Group, Fix]] = []
        touched: set[str] = set()
        for story, groups in queues.items():
            for group in groups:
                if group.lazy and not group.done and any(
                        g.found is not None for g in groups
                        if g.fixes[0].kind in ("photo", "headline")):  # fmt: skip
                    group.skip()
                if group.done:
                    continue
                fix = group.fixes[group.probe]
                targets = {story} | {t for t, _ in fix.tweaks}
                if not targets & touched and not (group.alone and chosen):
                    chosen.append((group, fix))
                    touched |= targets
                break  # one group of a story at a time: they change the same box
            if chosen and chosen[0][0].alone:
                break
        if not chosen:
            break
        tweaks = dict(fitter.tweaks)
        plan = dict(fitter.plan)
        for _group, fix in chosen:
            for target, tweak in fix.tweaks:
                # Balanced heights are dropped: the fix is judged in the whole box.
                base = replace(tweaks.get(target, SlotTweak()), height_mm=None)
                tweaks[target] = _merge(base, tweak)
            plan.pop(fix.story, None)  # the whole body
            plan.pop(f"{fix.story}-continued", None)
            if fix.words is not None:
                plan[fix.story] = fix.words
        try:
            trial = fitter.run(plan=plan, tweaks=tweaks)
        except RenderError:  # the engine fails on this page: none of these is a fix
            for group, _fix in chosen:
                group.record(False)
            continue
        spilled = {story for story, fit in trial.fits.items() if fit.spilled} - spilled_before
        for group, fix in chosen:
            works = _works(fitter, trial, fix, places, plan, statuses[fix.story])
            fit = trial.fits.get(fix.story)
            if (closest is not None and statuses[fix.story].status == "short"
                    and fit is not None and not fit.head_spilled
                    and fit.head_mm < fit.box_mm - 0.5):  # fmt: skip
                # The head stays on its page: the more body lines (the less head) the better.
                room = (fit.body_lines, -fit.head_mm)
                if fix.story not in closest or room > closest[fix.story][0]:
                    closest[fix.story] = (room, fix)
            if not works and len(chosen) > 1 and spilled - {fix.story}:
                # Another box of this trial went on to the next page, and the page's grid
                # with it: lay this candidate out again on its own.
                group.alone = True
                continue
            group.record(works, overshot=fit is None or fit.overset)
    found: dict[str, list[Fix]] = {}
    for story, groups in queues.items():
        for group in groups:
            if group.found is not None:
                found.setdefault(story, []).append(replace(group.found, verified=True))
    return found


def _works(fitter: Fitter, trial: Layout, fix: Fix, places: dict[str, tuple[EditionPage, Slot]],
           plan: dict[str, WordRange], before: StoryStatus) -> bool:  # fmt: skip
    """The story (and any neighbour the fix changed) keeps every rule on the new layout: it
    fits (a cut: with full columns); one short of min-body-lines that cuts or continues
    shows enough body lines now."""
    ok = {"fits", "cut", "continued"} if fix.kind == "cut" else {"fits"}
    targets = {fix.story} | {t for t, _ in fix.tweaks}
    for target in targets:
        page, slot = places[target]
        fit = trial.fits.get(target)
        if fit is None:
            return False
        sized = any(t.headline_pt is not None for s, t in fix.tweaks if s == target)
        if fit.headline_lines > fitter.limits.headline_max_lines and sized:
            return False
        words = plan.get(target)
        cut = 0
        if words is not None and words.end is not None and slot.kind == "story":
            cut = max(0, trial.words.get(target, 0) - words.end)
        tweak = dict(fix.tweaks).get(target)
        full = fitter.full_height(page, slot)
        if tweak is not None and tweak.span is not None:
            slot = replace(slot, span=tweak.span, column=tweak.column or slot.column)
        if target == fix.story and before.status == "short":
            return not fit.spilled and (
                fit.body_lines >= fitter.limits.min_body_lines(slot, fit.columns))
        status = judge(slot, fit, fitter.limits, full, cut_words=cut, continued_on=None,
                       page=fit.page)  # fmt: skip
        allowed = ok if target == fix.story else {"fits", "cut", "continued"}
        if status.status not in allowed:
            return False
    return True
