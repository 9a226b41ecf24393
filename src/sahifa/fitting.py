"""Fitting an edition's stories into their boxes: lay out, measure, compose again.

A story box whose text does not fit is reported (``overflow: error``), cut at the last word
that fits (``cut``), continued in a ``continued:`` slot on a later page (``continue``), or
fitted (``fit``: the first fix within the designer's limits that a fresh layout verifies —
photo height, headline size, span — otherwise its ``fallback:``). Briefs are cut whole, from
the last one. The rules every box keeps are ``sahifa.copyfit.rules``:

- a cut or continued story keeps every word that fits: the words per box are searched
  between the last count known to fit and the first known not to (bisection seeded by the
  measured words), so no column ends with more than one line of white;
- a headline of ``size: auto`` takes the largest size of the layout's scale that sets in at
  most ``headline.max-lines`` lines (predicted from the measured text length, then verified);
- a story that ends in its box is balanced cheaply: from the unbalanced pass's line count the
  column height is set and the page laid out once more (not WeasyPrint's trial balancing);
- every story shows at least min-body-lines of body on its page, else it is an error.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse
from urllib.request import url2pathname

from sahifa.compose import SlotTweak, edition_html, edition_pages, slot_height
from sahifa.content.edition import Edition, EditionPage, Slot
from sahifa.copyfit import store
from sahifa.copyfit.rules import FULL_COLUMN_WHITE, Limits, StoryStatus, balanced_height, judge
from sahifa.errors import Problem, RenderError
from sahifa.geometry import page_grid
from sahifa.hashing import file_sha256
from sahifa.markup import WordRange

if TYPE_CHECKING:
    from sahifa.copyfit.search import Suggestion
    from sahifa.pipeline import Prepared
    from sahifa.render import BoxFit, LaidOut

MAX_FIT_PASSES = 14
# Reusing the measures of boxes whose context did not change (``Fitter.run``) changes no byte
# of the output; switched off, every pass lays out every box (to check that: tests, benchmarks).
REUSE_BOXES = True
BALANCE_LAYOUTS = 3  # the balanced height, then at most two corrections


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


@dataclass
class Layout:
    """One laid-out state of the edition: what was composed and what was measured."""

    laid_out: LaidOut | None  # None: some boxes' measures were reused (``Fitter.run``)
    fits: dict[str, BoxFit]
    words: dict[str, int]  # words of each story's whole body


@dataclass
class Fitter:
    """Composes and lays out the edition with a plan of words and tweaks of boxes."""

    prepared: Prepared
    lay_out_html: Callable[[str], LaidOut]
    edition: Edition
    limits: Limits
    plan: dict[str, WordRange] = field(default_factory=dict)
    tweaks: dict[str, SlotTweak] = field(default_factory=dict)
    layouts: int = 0  # how many times the edition was laid out
    fixed: set[str] = field(default_factory=set)  # overflow: fit stories a fix was applied to
    # Cut and continued boxes: [most words known to fit, fewest known not to] (``_refit``).
    bounds: dict[str, list[int]] = field(default_factory=dict)
    # The last measured (line height, words per line) of each box: a box that shows no body
    # line (everything cut, or its head fills it) has none of its own.
    measures: dict[str, tuple[float, float]] = field(default_factory=dict)
    # Each box's measure by its context's key (``run``; kept for the process's later fittings
    # of the same edition, as in the preview), and the last layout of every box.
    measured: dict[str, BoxFit | None] = field(default_factory=lambda: _measured)
    environment: str = ""  # what every box's layout depends on besides its own context
    touched: set[str] = field(default_factory=set)  # the keys of this fitting's boxes
    whole: tuple[dict[str, str], LaidOut] | None = None
    boxes_laid: int = 0  # how many boxes were laid out, over all layouts
    # The word count at which a box's bounds were last opened again (``_refit``).
    reopened: dict[str, int] = field(default_factory=dict)
    # overflow: fit stories searched for a fix, with the mode they were in (``apply_fits``).
    searched: set[tuple[str, str]] = field(default_factory=set)
    # Boxes whose words are not searched any more: the engine failed on a count (``_run``).
    stuck: set[str] = field(default_factory=set)

    @property
    def source(self) -> Edition:
        """The edition as written (``edition`` is it with fit stories' fallbacks applied)."""
        return self.prepared.edition or self.edition

    def run(self, plan: dict[str, WordRange] | None = None,
            tweaks: dict[str, SlotTweak] | None = None,
            edition: Edition | None = None, whole: bool = False) -> Layout:  # fmt: skip
        """Lay the edition out with ``plan`` and ``tweaks`` and measure every box.

        Boxes sit in fixed grid areas, so each depends only on its own context (words,
        geometry, tweaks; ``compose.edition_pages``): only the boxes whose context was not
        laid out before are laid out, on their pages, and the others' measures are reused.
        A box whose head does not fit it breaks its page's grid across pages and moves its
        neighbours: a page where a box spilled is laid out and keyed as a whole.
        ``whole``: lay out every box, for the pages that are written."""
        prepared = self.prepared
        edition = edition or self.edition
        pages = edition_pages(edition, prepared.settings, prepared.layout,
                              self.plan if plan is None else plan,
                              self.tweaks if tweaks is None else tweaks)  # fmt: skip
        roots = list(prepared.asset_roots)
        boxes = _PageBoxes(pages.pages, {
            slot["id"]: _slot_key(self.environment, page, slot, roots)
            for page in pages.pages for slot in page["slots"]})  # fmt: skip
        keys = boxes.keys()
        self.touched.update(keys.values())
        if whole and self.whole is not None and self.whole[0] == keys:
            return Layout(self.whole[1], self._fits(keys), pages.words)
        every = whole or not REUSE_BOXES
        laying = set(keys) if every else {s for s, k in keys.items() if k not in self.measured}
        if not laying and not whole:
            return Layout(None, self._fits(keys), pages.words)
        laying = laying | _linked(edition, laying)  # a jump line names its other half's page
        laid_out, fits = self._lay_out(edition, pages.pages, laying)
        complete = laying == set(keys)  # the document has every box: the pages to write
        spilled = boxes.spilled(fits, laying)
        with_page = {story for page in spilled for story in boxes.by_page[page]}
        if with_page - laying:  # its neighbours were measured without it: again, together
            again = with_page | _linked(edition, with_page)
            fits.update(self._lay_out(edition, pages.pages, again)[1])
            laying |= again
        keys = boxes.keys()  # the pages where a box spilled are keyed as a whole now
        self.touched.update(keys.values())
        for story in laying:
            self.measured[keys[story]] = fits.get(story)
        if complete:
            self.whole = (keys, laid_out)
            return Layout(laid_out, self._fits(keys), pages.words)
        return Layout(None, self._fits(keys), pages.words)

    def _lay_out(self, edition: Edition, pages: list[dict[str, Any]],
                 stories: set[str]) -> tuple[LaidOut, dict[str, BoxFit]]:  # fmt: skip
        """Lay out ``stories`` on their pages (the others left out); their measures."""
        from sahifa import render

        shown = [{**page, "slots": [s for s in page["slots"] if s["id"] in stories]}
                 for page in pages]  # fmt: skip
        prepared = self.prepared
        html = edition_html(edition, prepared.settings, prepared.layout, prepared.fonts, shown)
        laid_out = self.lay_out_html(html)
        self.layouts += 1
        self.boxes_laid += len(stories)
        fits = render.measure_slots(laid_out)
        return laid_out, {story: fits[story] for story in stories if story in fits}

    def _fits(self, keys: dict[str, str]) -> dict[str, BoxFit]:
        return {story: fit for story, key in keys.items()
                if (fit := self.measured.get(key)) is not None}  # fmt: skip

    def full_height(self, page: EditionPage, slot: Slot) -> float:
        return slot_height(page_grid(self.prepared.layout.settings), page, slot)

    def statuses(self, state: Layout, edition: Edition | None = None,
                 plan: dict[str, WordRange] | None = None) -> list[StoryStatus]:  # fmt: skip
        """Every story box judged against the rules."""
        edition = edition or self.edition
        plan = self.plan if plan is None else plan
        jumps = _jumps(edition)
        result = []
        for page in edition.pages:
            for slot in page.slots:
                fit = state.fits.get(slot.id)
                if fit is None or slot.kind == "placeholder":
                    continue
                words = plan.get(slot.id)
                cut = 0
                if slot.kind == "story" and words is not None and words.end is not None:
                    cut = max(0, state.words.get(slot.id, 0) - words.end)
                on = jumps.get(slot.id) if slot.jumps and slot.kind == "story" and cut else None
                result.append(judge(slot, fit, self.limits, self.full_height(page, slot),
                                    cut_words=0 if on else cut, continued_on=on,
                                    page=fit.page))  # fmt: skip
        return result


@dataclass
class FitResult:
    laid_out: LaidOut
    overset: list[Overset]
    warnings: list[Problem]
    statuses: list[StoryStatus]
    layouts: int = 0
    suggestions: list[Suggestion] = field(default_factory=list)


def fit_edition(
    prepared: Prepared, lay_out_html: Callable[[str], LaidOut], suggest: bool = False
) -> FitResult:
    """Lay the edition out (``lay_out_html``) until every box keeps the rules it can keep:
    cut and continued stories hold what fits, auto headlines are sized, fit stories fixed,
    finished stories balanced. Returns the stories' statuses, what was cut or left out, and
    (``suggest``: for ``sahifa check``) the verified fixes of every story over or under."""
    from sahifa import render

    # The layouts of one fitting share their line splits (the same lines at the same widths).
    with render.shared_line_splits(prepared.fonts.identity):
        return _fit(prepared, lay_out_html, suggest)


def _fit(prepared: Prepared, lay_out_html: Callable[[str], LaidOut], suggest: bool) -> FitResult:
    from sahifa.copyfit import search

    edition = prepared.edition
    assert edition is not None
    limits = Limits.of(prepared.layout.settings)
    environment = _environment(prepared, edition)
    fitter = Fitter(prepared, lay_out_html, edition, limits, environment=environment)
    if len(fitter.measured) > MAX_MEASURED:  # bounded; never emptied inside a fitting
        fitter.measured.clear()
        _entangled.clear()
    if REUSE_BOXES:  # what earlier runs measured (the desk renders again after a late change)
        measures, entangled = store.load(environment)
        fitter.measured.update(measures)
        _entangled.update(entangled)
    sizes = _AutoSizes(edition, limits)
    sizes.start(fitter.tweaks)
    changes: dict[str, str] = {}
    fit_rounds = passes = 0
    state = fitter.run()
    while passes < MAX_FIT_PASSES:
        passes += 1
        laid = dict(fitter.plan)  # the words of the layout that worked
        resized = sizes.refine(state.fits, fitter.tweaks)
        for story in resized:  # a new headline size: search its words afresh
            fitter.bounds.pop(story, None)
        changed = _refit(fitter, state, skip=resized) or bool(resized)
        if fit_rounds < 2 and (not changed or passes == MAX_FIT_PASSES):
            # overflow: fit — once headlines and cuts are settled (or the passes ran out):
            # fix or fall back, then (once cut or continued) give a story short of body
            # lines its lines. What a round changes gets passes of its own to settle.
            fit_rounds += 1
            fitter.edition, fitted = search.apply_fits(fitter, state, changes)
            passes = 0 if fitted else passes
            changed = changed or fitted
        if not changed:
            break
        state = _run(fitter, laid, state)
    state = _settle(fitter, state)
    state = _balance(fitter, state)
    state = fitter.run(whole=True)  # the pages to write, every box on them
    statuses = fitter.statuses(state)
    statuses = [replace(s, changed=changes.get(s.story, "")) for s in statuses]
    suggestions = search.suggest(fitter, state, statuses) if suggest else []
    assert state.laid_out is not None
    if REUSE_BOXES:
        store.save(environment, {key: fitter.measured[key] for key in fitter.touched
                                 if key in fitter.measured}, _entangled)  # fmt: skip
    _fitted[prepared.source.resolve()] = _Fitted(edition, fitter.edition, dict(fitter.plan),
                                                 dict(fitter.tweaks), dict(changes))  # fmt: skip
    return FitResult(state.laid_out, _overset(fitter.edition, state),
                     _warnings(fitter, state, changes), statuses, fitter.layouts, suggestions)


@dataclass(frozen=True)
class _Fitted:
    """The outcome of a fitting: the edition as written, with fallbacks applied, and the
    words and tweaks of each box (``provisional_fit`` lays them out again)."""

    source: Edition
    edition: Edition
    plan: dict[str, WordRange]
    tweaks: dict[str, SlotTweak]
    changes: dict[str, str]


# The last fitting of each edition file in this process (the preview's worker).
_fitted: dict[Path, _Fitted] = {}


def provisional_fit(prepared: Prepared, lay_out_html: Callable[[str], LaidOut]) -> FitResult | None:
    """The preview's first look after a save that changed no story (a stylesheet, the layout,
    the fonts, the settings): the last fitting's words and tweaks, laid out once as they are
    now. Not a fitting (a box may now be over or under): the fitted pages follow. None when
    this process has not fitted the edition as it now reads."""
    from sahifa import render

    edition = prepared.edition
    fitted = _fitted.get(prepared.source.resolve())
    if edition is None or fitted is None or fitted.source != edition:
        return None
    fitter = Fitter(prepared, lay_out_html, fitted.edition, Limits.of(prepared.layout.settings),
                    plan=dict(fitted.plan), tweaks=dict(fitted.tweaks),
                    environment=_environment(prepared, edition))  # fmt: skip
    with render.shared_line_splits(prepared.fonts.identity):
        state = fitter.run(whole=True)
    assert state.laid_out is not None
    statuses = [replace(s, changed=fitted.changes.get(s.story, ""))
                for s in fitter.statuses(state)]  # fmt: skip
    return FitResult(state.laid_out, _overset(fitter.edition, state),
                     _warnings(fitter, state, fitted.changes), statuses, fitter.layouts)


# Measured boxes by key (``_slot_key``), for every fitting in this process; bounded.
_measured: dict[str, BoxFit | None] = {}
MAX_MEASURED = 20_000


def _environment(prepared: Prepared, edition: Edition) -> str:
    """What every box's layout depends on besides its own context: the edition's pages
    without their boxes (generated CSS, fonts, furniture), the layout's files (templates,
    stylesheets), the fonts, the press bleed, sahifa's code and the engine."""
    from sahifa import render

    digest = hashlib.sha256(f"{store.code_identity()} {render.engine_identity()}".encode())
    empty = [{**page, "slots": []} for page in edition_pages(
        edition, prepared.settings, prepared.layout, {}).pages]  # fmt: skip
    html = edition_html(edition, prepared.settings, prepared.layout, prepared.fonts, empty)
    digest.update(html.encode("utf-8"))
    for folder in prepared.layout.folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            # file_sha256 hashes a file once per version in a process (the preview fits often)
            digest.update(f"{path}\0{file_sha256(path)}\n".encode())
    press = prepared.press
    digest.update(repr((prepared.fonts.identity, press.bleed_pt if press else None)).encode())
    return digest.hexdigest()


# Pages (by their boxes' keys) where a box spilled: their boxes are keyed as a whole.
_entangled: set[str] = set()


@dataclass
class _PageBoxes:
    """The boxes of each page and their keys: a box's own, or its page's where a box spilled
    (its neighbours' layout then depends on it)."""

    pages: list[dict[str, Any]]
    own: dict[str, str]  # each box's key (``_slot_key``)
    by_page: dict[int, list[str]] = field(init=False)

    def __post_init__(self) -> None:
        self.by_page = {page["number"]: [s["id"] for s in page["slots"]] for page in self.pages}

    def signature(self, page: int) -> str:
        text = " ".join(self.own[s] for s in self.by_page[page])
        return hashlib.sha256(text.encode()).hexdigest()

    def keys(self) -> dict[str, str]:
        keys = {}
        for page, stories in self.by_page.items():
            signature = self.signature(page)
            for story in stories:
                key = self.own[story]
                if signature in _entangled:
                    key = hashlib.sha256(f"{signature} {key}".encode()).hexdigest()
                keys[story] = key
        return keys

    def spilled(self, fits: dict[str, BoxFit], laid: set[str]) -> set[int]:
        """The pages where a laid box spilled (marked: keyed as a whole from now on)."""
        pages = {page for page, stories in self.by_page.items()
                 if any((fit := fits.get(s)) is not None and fit.spilled
                        for s in stories if s in laid)}  # fmt: skip
        _entangled.update(self.signature(page) for page in pages)
        return pages


def _slot_key(environment: str, page: dict[str, Any], slot: dict[str, Any],
              roots: Collection[Path]) -> str:  # fmt: skip
    """What a box's layout depends on: the environment, its page and its context (its words
    as HTML, its place and size on the grid, its tweaks), and the files it shows (a photo
    saved again under the same name)."""
    text = repr((environment, page["number"], page["template"], sorted(slot.items())))
    files = []
    for uri in sorted(set(_FILE_URI.findall(text))):
        path = Path(url2pathname(urlparse(uri).path))
        # Only files a render may read (the story's photo): an article's text that names
        # another path makes no look at it.
        if not any(path.is_relative_to(root) for root in roots):
            continue
        try:
            stat = path.stat()
            files.append((uri, stat.st_mtime_ns, stat.st_size))
        except OSError:
            files.append((uri, None, None))
    return hashlib.sha256(repr((text, files)).encode("utf-8")).hexdigest()


_FILE_URI = re.compile(r"file://[^\s'\"<>()]+")


def _linked(edition: Edition, stories: set[str]) -> set[str]:
    """The other halves of continued stories among ``stories``: a jump line prints the page
    its other half is on, so both are laid out together."""
    linked = set()
    for page in edition.pages:
        for slot in page.slots:
            if slot.kind == "continued" and (slot.id in stories or slot.continues in stories):
                linked |= {slot.id, slot.continues}
    return linked


def _jumps(edition: Edition) -> dict[str, int]:
    """The page each continued story goes on to."""
    return {slot.continues: page.number for page in edition.pages for slot in page.slots
            if slot.kind == "continued"}  # fmt: skip


def _overset(edition: Edition, state: Layout) -> list[Overset]:
    overset = []
    for page in edition.pages:
        for slot in page.slots:
            fit = state.fits.get(slot.id)
            if fit is not None and fit.overset:
                overset.append(Overset(slot.id, page.number, fit.overflow_lines,
                                       fit.overflow_words, slot.line))  # fmt: skip
    return overset


def _warnings(fitter: Fitter, state: Layout, changes: dict[str, str]) -> list[Problem]:
    """What was cut or left out, and what overflow: fit changed."""
    edition, plan = fitter.edition, fitter.plan
    warnings: list[Problem] = []
    for page in edition.pages:
        for slot in page.slots:
            if slot.id in changes:
                warnings.append(Problem("fitting", f"page {page.number}: story {slot.id!r} "
                                        f"fitted (overflow: fit): {changes[slot.id]}",
                                        file=edition.path, line=slot.line))  # fmt: skip
            if slot.id not in plan or state.fits.get(slot.id) is None:
                continue
            if slot.kind == "briefs":
                dropped = len(slot.articles) - (plan[slot.id].end or 0)
                message = (f"page {page.number}: {slot.id!r}: {dropped} brief(s) that did "
                           "not fit the box were left out")  # fmt: skip
                warnings.append(Problem("overset", message, file=edition.path, line=slot.line))
            elif slot.kind == "story" and slot.overflow == "cut" and _cutting(
                    fitter, state, slot):  # fmt: skip
                cut = state.words.get(slot.id, 0) - (plan[slot.id].end or 0)
                warnings.append(Problem(
                    "overset", f"page {page.number}: story {slot.id!r} cut: {cut} words that "
                    "did not fit its box were left out", file=edition.path,
                    line=slot.line))  # fmt: skip
    return warnings


def _refit(fitter: Fitter, state: Layout, skip: frozenset[str] | set[str] = frozenset()) -> bool:
    """Narrow (or widen) the words of boxes that cut or continue; True if the plan changed.

    ``bounds[id]`` is [most words known to fit, fewest known not to]: each pass moves the
    count between them, first by what was measured, then by halving."""
    edition, plan, bounds = fitter.edition, fitter.plan, fitter.bounds
    changed = False
    for page in edition.pages:
        for slot in page.slots:
            fit = state.fits.get(slot.id)
            # overflow: fit is settled first (sahifa.copyfit.search.apply_fits): a fitted box
            # keeps "fit", one that falls back takes its fallback's mode.
            if (fit is None or slot.kind == "continued" or slot.id in skip
                    or slot.id in fitter.stuck
                    or slot.overflow not in ("cut", "continue")):  # fmt: skip
                continue
            if slot.kind == "briefs":  # briefs are cut whole, from the last one
                if fit.overset or fit.furniture_overflow:
                    shown = plan.get(slot.id, WordRange(0, len(slot.articles))).end or 0
                    if shown > 1:
                        plan[slot.id] = WordRange(0, shown - 1)
                        changed = True
                continue
            if fit.line_mm and fit.words_per_line:
                fitter.measures[slot.id] = (fit.line_mm, fit.words_per_line)
            elif slot.id in fitter.measures:
                line_mm, per_line = fitter.measures[slot.id]
                fit = replace(fit, line_mm=line_mm, words_per_line=per_line)
            total = state.words.get(slot.id, 0)
            current = plan.get(slot.id, WordRange())
            end = total if current.end is None else current.end
            low, high = bounds.setdefault(slot.id, [0, total + 1])
            over = fit.overset or fit.furniture_overflow
            if over:
                high = min(high, end)
                if fit.line_mm and fit.box_mm - fit.head_mm < 2 * fit.line_mm:
                    guess = high = 0  # its head fills the box: short, whatever is cut
                elif fit.spilled and not fit.fitting_words:
                    guess = _estimate(fit)  # none of its columns stayed on its page
                elif not fit.overset:  # only the jump line fell out: give it a line
                    guess = end - max(1, math.ceil(fit.words_per_line))
                else:
                    guess = fit.fitting_words
                    if fit.furniture_overflow:  # and a line for the jump line
                        guess -= max(1, math.ceil(fit.words_per_line))
            else:
                low = max(low, end)
                white = max((w for w in fit.column_white_mm), default=0.0)
                lines = white / fit.line_mm if fit.line_mm else 0
                if end >= total or lines <= FULL_COLUMN_WHITE + 0.05:
                    bounds[slot.id] = [low, high]
                    continue
                last = fit.column_white_mm[-1] / fit.line_mm if fit.line_mm else 0.0
                if (high <= end + 1 and last >= FULL_COLUMN_WHITE + 0.95
                        and fitter.reopened.get(slot.id) != end):  # fmt: skip
                    # "end + 1 does not fit" was measured on another page: a box whose
                    # head or photo changed since, or another box that spilled and moved
                    # the grid. Two lines of white in the last column say more fits now
                    # (one may be paragraph spacing): search above again (once per count,
                    # so it converges).
                    fitter.reopened[slot.id] = end
                    high = total + 1
                guess = end + max(1, int((lines - 0.5) * fit.words_per_line))
            if not low < guess < high:
                guess = (low + high) // 2
            bounds[slot.id] = [low, high]
            if guess <= low and not over:
                continue  # converged: the most that fits
            guess = max(0, min(guess, total))
            if guess == end:
                continue
            plan[slot.id] = WordRange(current.start, guess)
            if slot.overflow == "continue":
                plan[f"{slot.id}-continued"] = WordRange(guess, None)
            changed = True
    return changed


def _run(fitter: Fitter, laid: dict[str, WordRange], state: Layout) -> Layout:
    """Lay the edition out with the plan's new words. WeasyPrint 70 fails on some boxes
    whose head fills them once their body is cut short (a grid item with a near-empty
    multi-column box): those boxes keep the words of the last layout that worked, and their
    words are not searched again (the story is short: ``check`` says so, and a fix of its
    head is searched)."""
    try:
        return fitter.run()
    except RenderError:
        moved = {k for k in set(fitter.plan) | set(laid) if fitter.plan.get(k) != laid.get(k)}
        if not moved:
            raise
        full = {k for k in moved if (fit := state.fits.get(k.removesuffix("-continued")))
                and (fit.spilled or fit.box_mm - fit.head_mm < 2 * fit.line_mm)}  # fmt: skip
        moved = full or moved
        for key in moved:
            if key in laid:
                fitter.plan[key] = laid[key]
            else:
                fitter.plan.pop(key, None)
            fitter.stuck.add(key)
        return fitter.run()


def _settle(fitter: Fitter, state: Layout) -> Layout:
    """Passes ran out with a cut or continued box still over (its head or photo changed
    late): keep the most words seen to fit it, else those measured inside it less a line,
    and lay out once more."""
    changed = False
    for page in fitter.edition.pages:
        for slot in page.slots:
            fit = state.fits.get(slot.id)
            if (fit is None or slot.kind != "story" or not fit.overset
                    or slot.overflow not in ("cut", "continue")):  # fmt: skip
                continue
            current = fitter.plan.get(slot.id, WordRange())
            end = current.start + max(0, fit.fitting_words - math.ceil(fit.words_per_line))
            known = fitter.bounds.get(slot.id, [0])[0]  # the most words seen to fit
            if 0 < known < (current.end if current.end is not None else math.inf):
                end = known  # (measured words may count a figure's or a list's text)
            fitter.plan[slot.id] = WordRange(current.start, end)
            if slot.overflow == "continue":
                fitter.plan[f"{slot.id}-continued"] = WordRange(end, None)
            changed = True
    return fitter.run() if changed else state


def _estimate(fit: BoxFit) -> int:
    """Words that would fill the box's columns under its head, from its lines' measure."""
    if not fit.line_mm:
        return 0
    lines = int((fit.box_mm - fit.head_mm) / fit.line_mm) * fit.columns
    return max(0, int(lines * fit.words_per_line * 0.9))


class _AutoSizes:
    """``size: auto`` headlines: the largest size of the scale in at most max-lines lines."""

    def __init__(self, edition: Edition, limits: Limits) -> None:
        self.limits = limits
        self.slots = [s.id for p in edition.pages for s in p.slots
                      if s.size == "auto" and s.kind == "story"]  # fmt: skip
        self.too_big: dict[str, float] = {}  # the smallest size seen to take too many lines

    def start(self, tweaks: dict[str, SlotTweak]) -> None:
        for slot in self.slots:
            tweaks[slot] = replace(tweaks.get(slot, SlotTweak()),
                                   headline_pt=self.limits.headline_scale[0])  # fmt: skip

    def refine(self, fits: dict[str, BoxFit], tweaks: dict[str, SlotTweak]) -> set[str]:
        """Resize the headlines that take too many lines, or could be larger; the ids of
        those resized."""
        changed = set()
        scale = self.limits.headline_scale
        most = self.limits.headline_max_lines
        for slot in self.slots:
            fit = fits.get(slot)
            size = tweaks[slot].headline_pt
            if fit is None or size is None or not fit.headline_lines:
                continue
            if fit.headline_lines > most:
                self.too_big[slot] = min(self.too_big.get(slot, size), size)
            ceiling = self.too_big.get(slot, math.inf)
            # Text length grows with the size; a line holds the box's width.
            width = fit.rect[2] or 1
            wanted = [s for s in scale if s < ceiling
                      and math.ceil(fit.headline_width * s / size / width - 0.02) <= most]
            choice = wanted[0] if wanted else scale[-1]
            if fit.headline_lines <= most and choice <= size:
                continue  # fits, and nothing larger is predicted to
            if choice != size:
                tweaks[slot] = replace(tweaks[slot], headline_pt=choice)
                changed.add(slot)
        return changed


def _balance(fitter: Fitter, state: Layout) -> Layout:
    """Balance every finished story across its columns: the column height from the
    unbalanced pass's line count, then one more layout; a box that overflows at that height
    (paragraph spacing differs from column to column) or ends unevenly is corrected by up to
    two more layouts, every box in the same ones. A box that never balances keeps its
    unbalanced height."""
    heights: dict[str, float] = {}
    low: dict[str, float] = {}
    high: dict[str, float] = {}
    for page in fitter.edition.pages:
        for slot in page.slots:
            fit = state.fits.get(slot.id)
            if fit is None or slot.kind == "briefs" or _cutting(fitter, state, slot):
                continue
            height = balanced_height(fit)
            if height is not None:
                heights[slot.id], low[slot.id], high[slot.id] = height, 0.0, fit.box_mm
    if not heights:
        return state
    best: dict[str, float] = {}
    trial, tried = state, dict(heights)
    kept: tuple[dict[str, float], Layout] | None = None  # a trial where every box fitted
    for _ in range(BALANCE_LAYOUTS):
        tried = {**best, **heights}
        trial = fitter.run(tweaks=_with_heights(fitter.tweaks, tried))
        if not any(trial.fits.get(s) is None or trial.fits[s].overset for s in tried):
            kept = (tried, trial)
        following: dict[str, float] = {}
        for story, height in heights.items():
            fit = trial.fits.get(story)
            line = state.fits[story].line_mm
            if fit is None or fit.overset:
                low[story] = height
                following[story] = min(high[story], height + line / 2)
                continue
            high[story] = height
            best[story] = height
            ends = [fit.box_mm - white for white in fit.column_white_mm]
            spread = max(ends) - min(ends)
            if spread > line * 1.05:  # the last column ends too high: shorter columns
                following[story] = max(height - spread / 2, (low[story] + height) / 2)
        heights = {s: h for s, h in following.items() if abs(h - tried[s]) > 0.1}
        if not heights:
            break
    fitter.tweaks = _with_heights(fitter.tweaks, best)
    if kept is not None and kept[0] == best:
        return kept[1]
    return fitter.run()


def _cutting(fitter: Fitter, state: Layout, slot: Slot) -> bool:
    """The box prints part of its story's words (a cut box that turned out to hold every
    word is a finished story: it is balanced)."""
    words = fitter.plan.get(slot.id)
    if words is None:
        return False
    if slot.kind != "story" or slot.overflow != "cut" or words.end is None:
        return True
    return words.end < state.words.get(slot.id, 0)


def _with_heights(tweaks: dict[str, SlotTweak], heights: dict[str, float]) -> dict[str, SlotTweak]:
    result = dict(tweaks)
    for story, height in heights.items():
        result[story] = replace(result.get(story, SlotTweak()), height_mm=height)
    return result
