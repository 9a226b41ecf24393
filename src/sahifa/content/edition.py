"""Edition files: a whole issue — its pages, and the stories placed on each page's grid.

An edition file (``edition.yaml`` by convention) is recognised by its top-level ``pages`` key.
Stories are article files referenced relative to the edition file — confined, after symlinks,
to the project and the folder the user named (``sahifa.trust``); each is placed on the
layout's page grid (start column from the right, column span, start row, row span) and says
what happens to text that does not fit its box: ``error`` (default), ``cut``, or ``continue``
into a ``continued:`` slot on a later page.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sahifa.content.article import Article, HijriDate
from sahifa.content.reader import read_article
from sahifa.content.yamlfile import YamlMap, parse_yaml, read_text
from sahifa.errors import Problem, SahifaError
from sahifa.trust import check_name, confined, nested_project

OVERFLOW_MODES = ("error", "cut", "continue")
HEADLINE_SIZES = ("lead", "normal", "small")
EDITION_KEYS = {"issue", "date", "hijri_date", "layout", "paper", "pages"}
PAGE_KEYS = {"template", "section", "stories"}
SLOT_KEYS = {"article", "briefs", "continued", "id", "title", "column", "span", "row", "rows",
             "size", "overflow"}  # fmt: skip
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Controls (but tab and newline), lone surrogates and bidi embeddings/overrides/isolates.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")


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
    kind: str = "story"  # story | briefs | continued
    title: str = ""
    size: str = "normal"
    overflow: str = "error"
    continues: str = ""  # for kind == "continued": the id of the story it continues
    line: int | None = None


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
    """Read an edition and every article it references. Raises ``SahifaError``.

    Story files must resolve inside ``roots`` (default: the edition's own folder) and not in
    a project nested inside ``project``."""
    path = Path(path)
    where = _Where(path, tuple(roots) or (path.parent,), project)
    data = parse_yaml(read_text(path, category="edition"), path, category="edition")
    if not isinstance(data, YamlMap):
        raise SahifaError("edition", "expected a mapping with pages:", file=path, line=1)
    warnings = [
        Problem("edition", "unknown key; ignored", file=path, key=k, line=data.line_of(k))
        for k in data
        if k not in EDITION_KEYS
    ]
    pages_data = data.get("pages")
    if not isinstance(pages_data, list) or not pages_data:
        raise SahifaError(
            "edition",
            "pages: must be a list of pages",
            file=path,
            key="pages",
            line=data.line_of("pages"),
        )
    pages = []
    for number, page in enumerate(pages_data, start=1):
        page_obj, page_warnings = _page(page, number, where, data.line_of("pages"))
        pages.append(page_obj)
        warnings += page_warnings
    edition = Edition(
        path=path,
        pages=tuple(pages),
        issue=_text(data, "issue", path),
        date=_date(data, path),
        hijri_date=_hijri(data, path),
        layout=_layout(data, path),
        layout_line=data.line_of("layout"),
        paper=_text(data, "paper", path) or None,
        warnings=tuple(warnings),
    )
    _check_ids_and_jumps(edition)
    return edition


def _text(data: YamlMap, key: str, path: Path) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise SahifaError("edition", "expected text", file=path, key=key, line=data.line_of(key))
    bad = _UNPRINTABLE.search(value)
    if bad:  # masthead, banner and PDF title: no control or bidi override characters
        raise SahifaError("edition", f"contains an unprintable character U+{ord(bad.group()):04X}",
                          file=path, key=key, line=data.line_of(key))  # fmt: skip
    return value.strip()


def _layout(data: YamlMap, path: Path) -> str | None:
    """``layout:`` is a name looked up in the project's layouts/, never a path."""
    value = _text(data, "layout", path)
    if not value:
        return None
    return check_name(value, what="layout", category="edition", file=path, key="layout",
                      line=data.line_of("layout"))  # fmt: skip


def _date(data: YamlMap, path: Path) -> dt.date | None:
    value = _text(data, "date", path)
    if not value:
        return None
    try:
        if not _ISO_DATE.match(value):
            raise ValueError("expected yyyy-mm-dd")
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise SahifaError(
            "edition",
            f"bad date {value!r}: {exc}",
            file=path,
            key="date",
            line=data.line_of("date"),
        ) from None


def _hijri(data: YamlMap, path: Path) -> HijriDate | None:
    value = _text(data, "hijri_date", path)
    if not value:
        return None
    if not _ISO_DATE.match(value):
        raise SahifaError(
            "edition",
            "expected a Hijri date as yyyy-mm-dd",
            file=path,
            key="hijri_date",
            line=data.line_of("hijri_date"),
        )
    year, month, day = (int(p) for p in value.split("-"))
    if not (1200 <= year <= 1700 and 1 <= month <= 12 and 1 <= day <= 30):
        raise SahifaError(
            "edition", "a Hijri date has years 1200-1700, months 1-12 and days 1-30",
            file=path, key="hijri_date", line=data.line_of("hijri_date"),
        )  # fmt: skip
    return HijriDate(year, month, day)


def _page(
    page: Any, number: int, place: _Where, line: int | None
) -> tuple[EditionPage, list[Problem]]:
    path = place.path
    where = f"pages[{number}]"
    if not isinstance(page, YamlMap):
        raise SahifaError("edition", "each page is a mapping", file=path, key=where, line=line)
    warnings = [
        Problem(
            "edition", "unknown key; ignored", file=path, key=f"{where}.{k}", line=page.line_of(k)
        )
        for k in page
        if k not in PAGE_KEYS
    ]
    template = _text(page, "template", path) or ("front" if number == 1 else "inside")
    check_name(template, what="a page template", category="edition", file=path,
               key=f"{where}.template", line=page.line_of("template"))  # fmt: skip
    stories = page.get("stories") or []
    if not isinstance(stories, list):
        raise SahifaError(
            "edition",
            "stories: must be a list",
            file=path,
            key=f"{where}.stories",
            line=page.line_of("stories"),
        )
    slots = tuple(
        _slot(s, f"{where}.stories[{i}]", place, page.line_of("stories"))
        for i, s in enumerate(stories, start=1)
    )
    page_line = page.line_of("template") or page.line_of("stories") or line
    section = _text(page, "section", path)
    return EditionPage(number, template, section, slots, page_line), warnings


def _slot_error(slot: YamlMap, where: str, key: str, path: Path, message: str) -> SahifaError:
    """An error about one key of a story slot, at that key's line (else the slot's)."""
    line = slot.line_of(key) or slot.line_of("article") or slot.line_of("briefs")
    return SahifaError("edition", message, file=path, key=f"{where}.{key}", line=line)


def _int(slot: YamlMap, key: str, where: str, path: Path) -> int:
    value = slot.get(key)
    if value is None:
        raise _slot_error(slot, where, key, path, f"{key} is required (a whole number)")
    if not isinstance(value, str) or not value.isdigit() or int(value) < 1:
        raise _slot_error(slot, where, key, path, f"expected a whole number >= 1, got {value!r}")
    return int(value)


def _choice(
    slot: YamlMap, key: str, allowed: tuple[str, ...], default: str, where: str, path: Path
) -> str:
    value = slot.get(key, default)
    if value not in allowed:
        message = f"expected one of {', '.join(allowed)}, got {value!r}"
        raise _slot_error(slot, where, key, path, message)
    return str(value)


def _article(ref: Any, key: str, slot: YamlMap, place: _Where) -> Article:
    path = place.path
    line = slot.line_of(key.rsplit(".", 1)[-1])
    if not isinstance(ref, str) or not ref.strip():
        raise SahifaError("edition", "expected an article path", file=path, key=key, line=line)
    target = confined(path.parent, ref.strip(), place.roots, category="edition",
                      what="story file", file=path, key=key, line=line)  # fmt: skip
    nested = nested_project(target, place.project)
    if nested is not None:
        raise SahifaError(
            "edition", f"story file {ref.strip()!r} lies in {nested}, a folder with its own "
            "sahifa.yaml inside the project: a folder of articles cannot bring its own "
            "settings, layouts or fonts", file=path, key=key, line=line,
        )  # fmt: skip
    if not target.is_file():
        raise SahifaError(
            "edition",
            f"article not found: {ref}",
            file=path,
            key=key,
            line=slot.line_of(key.rsplit(".", 1)[-1]),
        )
    return read_article(target)[0]  # its own errors name the article's file and line


def _slot(slot: Any, where: str, place: _Where, line: int | None) -> Slot:
    path = place.path
    if not isinstance(slot, YamlMap):
        raise SahifaError("edition", "each story is a mapping", file=path, key=where, line=line)
    unknown = [k for k in slot if k not in SLOT_KEYS]
    if unknown:
        raise SahifaError(
            "edition",
            f"unknown key {unknown[0]!r}",
            file=path,
            key=f"{where}.{unknown[0]}",
            line=slot.line_of(unknown[0]),
        )
    geometry = {
        "column": _int(slot, "column", where, path),
        "span": _int(slot, "span", where, path),
        "row": _int(slot, "row", where, path),
        "rows": _int(slot, "rows", where, path),
    }
    kinds = [k for k in ("article", "briefs", "continued") if k in slot]
    if len(kinds) != 1:
        raise SahifaError(
            "edition",
            "a story slot has exactly one of article:, briefs:, continued:",
            file=path,
            key=where,
            line=slot.line_of(kinds[0]) if kinds else line,
        )
    kind = kinds[0]
    common = {
        "size": _choice(slot, "size", HEADLINE_SIZES, "normal", where, path),
        "title": _text(slot, "title", path),
        "line": slot.line_of(kind),
        **geometry,
    }
    if kind == "article":
        article = _article(slot["article"], f"{where}.article", slot, place)
        return Slot(
            id=_text(slot, "id", path) or article.path.stem,
            articles=(article,),
            kind="story",
            overflow=_choice(slot, "overflow", OVERFLOW_MODES, "error", where, path),
            **common,
        )
    if kind == "briefs":
        refs = slot["briefs"]
        if not isinstance(refs, list) or not refs:
            raise SahifaError(
                "edition",
                "briefs: is a list of article paths",
                file=path,
                key=f"{where}.briefs",
                line=slot.line_of("briefs"),
            )
        articles = tuple(_article(r, f"{where}.briefs", slot, place) for r in refs)
        overflow = _choice(slot, "overflow", OVERFLOW_MODES, "error", where, path)
        if overflow == "continue":
            raise SahifaError(
                "edition",
                "a column of briefs cannot continue on another page",
                file=path,
                key=f"{where}.overflow",
                line=slot.line_of("overflow"),
            )
        return Slot(
            id=_text(slot, "id", path) or f"briefs-{where}",
            articles=articles,
            kind="briefs",
            overflow=overflow,
            **common,
        )
    target = _text(slot, "continued", path)
    return Slot(id=f"{target}-continued", kind="continued", continues=target, **common)


def _check_ids_and_jumps(edition: Edition) -> None:
    seen: dict[str, int] = {}
    for page in edition.pages:
        for slot in page.slots:
            if slot.kind == "continued":
                continue
            if slot.id in seen:
                raise SahifaError(
                    "edition",
                    f"story id {slot.id!r} is used twice (pages {seen[slot.id]} "
                    f"and {page.number}); give one an id:",
                    file=edition.path,
                    line=slot.line,
                )
            seen[slot.id] = page.number
    jumps: dict[str, int] = {}
    for page in edition.pages:
        for slot in page.slots:
            if slot.kind != "continued":
                continue
            found = edition.slot(slot.continues)
            if found is None or found[1].overflow != "continue":
                raise SahifaError(
                    "edition",
                    f"continued: {slot.continues!r} names no story with overflow: continue "
                    "(continued: takes a story id, not a path)",
                    file=edition.path,
                    key=f"pages[{page.number}].continued",
                    line=slot.line,
                )
            if found[0].number >= page.number:
                raise SahifaError(
                    "edition",
                    f"{slot.continues!r} must continue on a later page than page {found[0].number}",
                    file=edition.path,
                    line=slot.line,
                )
            if slot.continues in jumps:
                raise SahifaError(
                    "edition",
                    f"{slot.continues!r} continues twice",
                    file=edition.path,
                    line=slot.line,
                )
            jumps[slot.continues] = page.number
    for page in edition.pages:
        for slot in page.slots:
            if slot.kind == "story" and slot.overflow == "continue" and slot.id not in jumps:
                raise SahifaError(
                    "edition",
                    f"story {slot.id!r} has overflow: continue but no later page has "
                    f"a 'continued: {slot.id}' slot",
                    file=edition.path,
                    line=slot.line,
                )
