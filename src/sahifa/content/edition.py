"""Edition files: a whole issue — its pages, and the stories placed on each page's grid.

An edition file (``edition.yaml`` by convention) is recognised by its top-level ``pages`` key.
Stories are article files referenced relative to the edition file — confined, after symlinks,
to the project and the folder the user named (``sahifa.trust``); each is placed on the
layout's page grid (start column from the right, column span, start row, row span) and says
what happens to text that does not fit its box: ``error`` (default), ``cut``, or ``continue``
into a ``continued:`` slot on a later page. A slot may also be ``placeholder: true`` (tonight's
plan, ``sahifa new edition``): read here, refused before composing (``content.placeholders``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sahifa import schema
from sahifa.content.article import Article, HijriDate
from sahifa.content.reader import read_article
from sahifa.content.yamlfile import YamlMap, parse_yaml, read_text
from sahifa.errors import Problem, SahifaError
from sahifa.trust import confined, missing_file, nested_project

OVERFLOW_MODES = ("error", "cut", "continue", "fit")
FALLBACKS = ("error", "cut", "continue")  # overflow: fit, when no fix within the limits works
HEADLINE_SIZES = ("lead", "normal", "small", "auto")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Slot:
    """A box on a page's grid and what fills it: a story, a column of briefs, or the
    continuation of a story that jumped from an earlier page."""

    id: str
    column: int
    span: int
    row: int
    rows: int
    articles: tuple[Article, ...] = ()
    kind: str = "story"  # story | briefs | continued | placeholder (no story assigned yet)
    title: str = ""
    size: str = "normal"
    overflow: str = "error"
    continues: str = ""  # for kind == "continued": the id of the story it continues
    line: int | None = None
    key: str = ""  # placeholders: where the slot is written (pages[1].stories[2])
    fallback: str = "error"  # overflow: fit — what happens when no fix works
    min_body_lines: int | None = None  # per column; None: the layout's fitting.min-body-lines

    @property
    def jumps(self) -> bool:
        """Its text may continue on a later page (``continue``, or ``fit`` falling back to it)."""
        return self.overflow == "continue" or (
            self.overflow == "fit" and self.fallback == "continue"
        )


@dataclass(frozen=True)
class EditionPage:
    number: int
    template: str
    section: str
    slots: tuple[Slot, ...]
    line: int | None = None  # the page's line in the edition file


@dataclass(frozen=True)
class Edition:
    path: Path
    pages: tuple[EditionPage, ...]
    issue: str = ""
    date: dt.date | None = None
    hijri_date: HijriDate | None = None
    layout: str | None = None
    paper: str | None = None
    warnings: tuple[Problem, ...] = field(default=(), compare=False)
    layout_line: int | None = None  # where layout: is written, for the error naming it

    def slot(self, slot_id: str) -> tuple[EditionPage, Slot] | None:
        for page in self.pages:
            for slot in page.slots:
                if slot.id == slot_id and slot.kind != "continued":
                    return page, slot
        return None


def is_edition(path: Path) -> bool:
    """An edition is a YAML mapping with a top-level ``pages`` key."""
    if path.suffix.lower() not in (".yaml", ".yml") or not path.is_file():
        return False  # (is_file: never block reading a FIFO)
    try:
        head = path.read_text(encoding="utf-8-sig", errors="replace")[:200_000]
    except OSError:
        return False
    return re.search(r"^pages\s*:", head, re.M) is not None


@dataclass(frozen=True)
class _Where:
    """Where an edition may take its stories from: ``roots`` (the project and the folder the
    user named), never a nested project inside ``project``."""

    path: Path
    roots: tuple[Path, ...]
    project: Path | None


def read_edition(
    path: Path, roots: Sequence[Path] = (), project: Path | None = None
) -> Edition:
    """Read an edition and every article it references. Raises ``SahifaError`` with every
    problem of the file (one line each).

    Story files must resolve inside ``roots`` (default: the edition's own folder) and not in
    a project nested inside ``project``."""
    path = Path(path)
    data = parse_yaml(read_text(path, category="edition"), path, category="edition")
    return edition_of(data, path, roots, project)


def edition_of(
    data: Any, path: Path, roots: Sequence[Path] = (), project: Path | None = None
) -> Edition:
    """The edition of parsed YAML ``data`` written at ``path`` (``read_edition``'s work; also
    how ``sahifa new edition`` checks a plan before writing it)."""
    place = _Where(path, tuple(roots) or (path.parent,), project)
    found = schema.Found(path, "edition")
    values = _edition_schema(place).check(data, found, "", 1)
    pages = tuple(_page(page, number, place, found)
                  for number, page in enumerate(values["pages"] or [], start=1)
                  if isinstance(page, dict))  # fmt: skip
    found.raise_errors()
    edition = Edition(
        path=path,
        pages=pages,
        issue=values["issue"],
        date=values["date"],
        hijri_date=values["hijri_date"],
        layout=values["layout"],
        layout_line=data.line_of("layout"),
        paper=values["paper"] or None,
        warnings=tuple(found.warnings),
    )
    _check_ids_and_jumps(edition, found)
    found.raise_errors()
    return edition


def _text(value: Any, found: schema.Found, key: str, line: int | None) -> str:
    """Masthead, banner and PDF title: text without control or bidi override characters."""
    text = schema.text()(value, found, key, line)  # text, no control characters
    bad = schema.BIDI_CONTROLS.search(text)
    if bad:
        raise schema.Invalid(f"contains an unprintable character U+{ord(bad.group()):04X}")
    return text.strip()


def _date(value: Any, found: schema.Found, key: str, line: int | None) -> dt.date:
    text = _text(value, found, key, line)
    try:
        if not _ISO_DATE.match(text):
            raise ValueError("expected yyyy-mm-dd")
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise schema.Invalid(f"bad date {text!r}: {exc}") from None


def _hijri(value: Any, found: schema.Found, key: str, line: int | None) -> HijriDate:
    text = _text(value, found, key, line)
    if not _ISO_DATE.match(text):
        raise schema.Invalid("expected a Hijri date as yyyy-mm-dd")
    year, month, day = (int(p) for p in text.split("-"))
    if not (1200 <= year <= 1700 and 1 <= month <= 12 and 1 <= day <= 30):
        raise schema.Invalid("a Hijri date has years 1200-1700, months 1-12 and days 1-30")
    return HijriDate(year, month, day)


def _true(value: Any, found: schema.Found, key: str, line: int | None) -> bool:
    """``placeholder: true``; anything else is a typo, not a way to switch the slot off."""
    if value != "true":
        raise schema.Invalid(f"expected true, got {schema.describe(value)} (to fill the slot, "
                             "replace placeholder: true with article: or briefs:)")  # fmt: skip
    return True


def _story_file(place: _Where) -> schema.Kind:
    """An article file named by the edition: inside the allowed folders (``sahifa.trust``),
    not in a nested project, and a readable article (its own errors name its file)."""

    def kind(value: Any, found: schema.Found, key: str, line: int | None) -> Article:
        if not isinstance(value, str) or not value.strip():
            raise schema.Invalid("expected an article path")
        ref = value.strip()
        try:
            target = confined(place.path.parent, ref, place.roots, category="edition",
                              what="story file", file=place.path, key=key, line=line)  # fmt: skip
        except SahifaError as exc:
            raise schema.Invalid(exc.problem.message) from None
        nested = nested_project(target, place.project)
        if nested is not None:
            raise schema.Invalid(
                f"story file {ref!r} lies in {nested}, a folder with its own sahifa.yaml "
                "inside the project: a folder of articles cannot bring its own settings, "
                "layouts or fonts"
            )
        why = missing_file(target)
        if why:
            raise schema.Invalid(f"article {why}: {ref[:200]}")
        try:
            return read_article(target)[0]
        except SahifaError as exc:  # the article's own file, line and key
            found.errors.extend(getattr(exc, "problems", [exc.problem]))
            return schema.MISSING

    return kind


def _edition_schema(place: _Where) -> schema.Schema:
    """The edition format (README, "Editions"): content, so an unknown key warns."""
    story = _story_file(place)
    slot = schema.Schema({
        "article": schema.Field(story),
        "briefs": schema.Field(schema.list_of(story, nonempty=True, what="article paths")),
        "continued": schema.Field(_text, doc="the id of a story with overflow: continue"),
        "placeholder": schema.Field(_true, doc="a slot waiting for its story (needs an id:)"),
        "id": schema.Field(_text, default=""),
        "title": schema.Field(_text, default=""),
        **{key: schema.Field(schema.whole(1), required=True)
           for key in ("column", "span", "row", "rows")},
        "size": schema.Field(schema.choice(*HEADLINE_SIZES), default="normal"),
        "overflow": schema.Field(schema.choice(*OVERFLOW_MODES), default="error"),
        "fallback": schema.Field(schema.choice(*FALLBACKS), default="",
                                 doc="overflow: fit — when no fix within the limits works"),
        "min-body-lines": schema.Field(schema.whole(0, 200), doc="per column of the box"),
    }, unknown=schema.CONTENT)  # fmt: skip
    page = schema.Schema({
        "template": schema.Field(schema.name("a page template"), doc="front, inside, back"),
        "section": schema.Field(_text, default=""),
        "stories": schema.Field(schema.list_of(schema.mapping(slot), what="stories"),
                                default=[]),
    }, unknown=schema.CONTENT)  # fmt: skip
    return schema.Schema({
        "issue": schema.Field(_text, default=""),
        "date": schema.Field(_date),
        "hijri_date": schema.Field(_hijri),
        # A plain name: builtin:NAME is for the project's own files (layout.yaml, sahifa.yaml)
        # and the command line, so an edition cannot step around the paper's own layouts.
        "layout": schema.Field(schema.name("layout")),
        "paper": schema.Field(_text, default=""),
        "pages": schema.Field(schema.list_of(_page_entry(page), nonempty=True,
                                             what="pages"), required=True),
    }, unknown=schema.CONTENT)  # fmt: skip


def _page_entry(page: schema.Schema) -> schema.Kind:
    """A page: its checked values, with the raw mapping kept for lines and key presence."""

    def kind(value: Any, found: schema.Found, key: str, line: int | None) -> dict[str, Any]:
        values = page.check(value, found, key, line)
        values["_raw"] = value if isinstance(value, YamlMap) else YamlMap()
        values["_key"] = key
        return values

    return kind


def _page(values: dict[str, Any], number: int, place: _Where, found: schema.Found) -> EditionPage:
    raw: YamlMap = values["_raw"]
    where = values["_key"]
    template = values["template"] or ("front" if number == 1 else "inside")
    stories = raw.get("stories") if isinstance(raw.get("stories"), list) else []
    slots = []
    for index, (slot, slot_raw) in enumerate(zip(values["stories"] or [], stories, strict=False),
                                             start=1):  # fmt: skip
        if isinstance(slot, dict) and isinstance(slot_raw, YamlMap):
            made = _slot(slot, slot_raw, f"{where}.stories[{index}]", place, found)
            if made is not None:
                slots.append(made)
    line = raw.line_of("template") or raw.line_of("stories")
    section = values["section"] if isinstance(values["section"], str) else ""
    return EditionPage(number, str(template), section, tuple(slots), line)


def _slot(values: dict[str, Any], raw: YamlMap, where: str, place: _Where,
          found: schema.Found) -> Slot | None:  # fmt: skip
    """A story slot from its checked values: exactly one of article, briefs, continued,
    placeholder."""
    kinds = [k for k in ("article", "briefs", "continued", "placeholder") if k in raw]
    line = raw.line_of(kinds[0]) if kinds else next(iter(raw.lines.values()), None)
    if len(kinds) != 1:
        found.error("a story slot has exactly one of article:, briefs:, continued:, "
                    "placeholder:", where, line)  # fmt: skip
        return None
    if any(v is schema.MISSING for v in values.values()):
        return None  # reported where it was read
    kind = kinds[0]
    if values[kind] is None:  # written, but empty: "article:" with nothing after it
        what = {"article": "an article path", "briefs": "a list of article paths",
                "continued": "the id of a story with overflow: continue",
                "placeholder": "true"}[kind]  # fmt: skip
        found.error(f"{kind}: is empty; expected {what}", f"{where}.{kind}", line)
        return None
    common = {key: values[key] for key in ("column", "span", "row", "rows", "size", "title")}
    if values["fallback"] and values["overflow"] != "fit":
        found.error(f"fallback: is for overflow: fit (this slot has overflow: "
                    f"{values['overflow']})", f"{where}.fallback",
                    raw.line_of("fallback"))  # fmt: skip
        return None
    common["fallback"] = values["fallback"] or "error"
    common["min_body_lines"] = values["min-body-lines"]
    if kind == "article":
        article = values["article"]
        return Slot(id=values["id"] or article.path.stem, articles=(article,), kind="story",
                    overflow=values["overflow"], line=line, **common)  # fmt: skip
    if kind == "briefs":
        if values["overflow"] == "continue" or values["fallback"] == "continue":
            found.error("a column of briefs cannot continue on another page",
                        f"{where}.overflow", raw.line_of("overflow"))  # fmt: skip
            return None
        articles = tuple(a for a in values["briefs"] if a is not schema.MISSING)
        return Slot(id=values["id"] or f"briefs-{where}", articles=articles, kind="briefs",
                    overflow=values["overflow"], line=line, **common)  # fmt: skip
    if kind == "placeholder":  # its id is what continued: slots and the desk name it by
        if not values["id"]:
            found.error("a placeholder needs an id: (the story id continued: slots name)",
                        f"{where}.id", line)  # fmt: skip
            return None
        return Slot(id=values["id"], kind="placeholder", overflow=values["overflow"],
                    line=line, key=where, **common)  # fmt: skip
    target = values["continued"]
    return Slot(id=f"{target}-continued", kind="continued", continues=target, line=line,
                **common)  # fmt: skip


def _check_ids_and_jumps(edition: Edition, found: schema.Found) -> None:
    """Story ids are unique; every continued: names a story with overflow: continue on an
    earlier page, once; every story that continues has its continuation."""

    def error(message: str, slot: Slot, key: str | None = None) -> None:
        found.errors.append(Problem("edition", message, file=edition.path, key=key,
                                    line=slot.line))  # fmt: skip

    seen: dict[str, int] = {}
    for page in edition.pages:
        for slot in page.slots:
            if slot.kind == "continued":
                continue
            if slot.id in seen:
                error(f"story id {slot.id!r} is used twice (pages {seen[slot.id]} and "
                      f"{page.number}); give one an id:", slot)  # fmt: skip
            seen.setdefault(slot.id, page.number)
    jumps: dict[str, int] = {}
    for page in edition.pages:
        for slot in page.slots:
            if slot.kind != "continued":
                continue
            found_slot = edition.slot(slot.continues)
            if found_slot is None or not found_slot[1].jumps:
                error(f"continued: {slot.continues!r} names no story with overflow: continue "
                      "(continued: takes a story id, not a path)", slot,
                      f"pages[{page.number}].continued")  # fmt: skip
            elif found_slot[0].number >= page.number:
                error(f"{slot.continues!r} must continue on a later page than page "
                      f"{found_slot[0].number}", slot)  # fmt: skip
            elif slot.continues in jumps:
                error(f"{slot.continues!r} continues twice", slot)
            else:
                jumps[slot.continues] = page.number
    for page in edition.pages:
        for slot in page.slots:
            if (slot.kind in ("story", "placeholder") and slot.jumps
                    and slot.id not in jumps):  # fmt: skip
                error(f"story {slot.id!r} may continue (overflow: {slot.overflow}"
                      f"{', fallback: continue' if slot.overflow == 'fit' else ''}) but no "
                      "later page has a "
                      f"'continued: {slot.id}' slot", slot)  # fmt: skip
