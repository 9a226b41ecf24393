"""Tonight's plan from yesterday's edition (``sahifa new edition DATE --from PREVIOUS``).

A desk starts each night from the previous night's plan: the same pages, page templates and
story slots (geometry, headline size, overflow, ids, ``continued:`` links, so jump lines
survive), the issue number plus one, the new date, and every story replaced by a placeholder
slot (``placeholder: true``) that ``sahifa check`` reports until an editor assigns an article.

The previous edition is a contributor's file: it is read with the strict reader
(``content.yamlfile``) and only the keys of the edition format are carried over; its articles
are not read (yesterday's files may have moved on). The plan is written as plain YAML text
with comments of its own; yesterday's comments described yesterday's stories and are dropped.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sahifa.content.yamlfile import YamlMap, parse_yaml, read_text
from sahifa.errors import Problem, SahifaError, visible
from sahifa.scaffold import yaml_text
from sahifa.schema import BIDI_CONTROLS

# The slot keys a plan keeps, in the order it writes them (README, "Editions").
_SLOT_KEYS = ("column", "span", "row", "rows", "size", "overflow", "fallback", "min-body-lines",
              "title")
_STORY_KINDS = ("article", "briefs", "continued", "placeholder")
# Digit sets an issue number may be written in: the plan counts on in the same one.
_DIGIT_SETS = ("0123456789", "٠١٢٣٤٥٦٧٨٩", "۰۱۲۳۴۵۶۷۸۹")
_DATED_FOLDER = (r"\d{4}", r"\d{2}", r"\d{2}")  # articles/2023/05/02/edition.yaml


@dataclass
class Plan:
    """The plan's YAML text and what the command reports about it."""

    text: str
    issue: str
    pages: int
    placeholders: int
    warnings: list[Problem] = field(default_factory=list)


def default_output(previous: Path, date: dt.date) -> Path:
    """Where the plan goes unless ``-o`` says: the new date's folder beside the previous
    edition's, under the same file name. A ``yyyy/mm/dd`` folder (``articles/2023/05/02``)
    gives ``articles/2023/05/03``; any other folder ``F`` gives ``F/../2023-05-03``."""
    folder = Path(os.path.abspath(previous)).parent
    tail = folder.parts[-3:]
    if len(tail) == 3 and all(re.fullmatch(p, t) for p, t in zip(_DATED_FOLDER, tail, strict=True)):
        target = folder.parent.parent.parent / f"{date:%Y}" / f"{date:%m}" / f"{date:%d}"
    else:
        target = folder.parent / date.isoformat()
    output = target / Path(previous).name
    # Named as the previous one was: relative to the working directory when it was.
    return output if Path(previous).is_absolute() else Path(os.path.relpath(output))


def next_issue(issue: str) -> str:
    """``issue`` plus one, in its own digits and width ("0099" → "0100", "٤٥١٢" → "٤٥١٣").
    Raises ``ValueError`` when it is not a number."""
    for digits in _DIGIT_SETS:
        if issue and all(c in digits for c in issue):
            number = int("".join(str(digits.index(c)) for c in issue)) + 1
            return "".join(digits[int(c)] for c in str(number).rjust(len(issue), "0"))
    raise ValueError(issue)


def plan_from(previous: Path, date: dt.date, output: Path) -> Plan:
    """The plan for ``date`` from the edition file ``previous``, to be written at ``output``.
    Raises ``SahifaError`` (one line) when the previous edition cannot be planned from."""
    data = parse_yaml(read_text(previous, category="edition"), previous, category="edition")
    reader = _Reader(previous)
    if not isinstance(data, YamlMap) or not isinstance(data.get("pages"), list):
        raise reader.error("not an edition: expected a mapping with a pages: list", "pages",
                           data.line_of("pages") if isinstance(data, YamlMap) else 1)  # fmt: skip
    issue = _issue(data, reader)
    head = _head(data, reader, date, issue)
    body: list[str] = ["pages:"]
    placeholders = 0
    for number, page in enumerate(data["pages"], start=1):
        lines, count = _page(page, number, data.line_of("pages"), reader)
        body += lines
        placeholders += count
    source = os.path.relpath(os.path.abspath(previous), os.path.abspath(output.parent))
    intro = [
        f"# Tonight's plan: issue {issue or '(none)'} of {date.isoformat()}, made by "
        f"'sahifa new edition' from {_comment(source)}.",
        "# Same pages and slots; every story is a placeholder until the desk assigns it:",
        "# replace 'placeholder: true' with article: FILE (or briefs: [FILES]) and keep the",
        "# id: (continued: slots name it). 'sahifa check' lists the slots still to fill.",
    ]
    text = "\n".join([*intro, *head, *body]) + "\n"
    _check_plan(text, previous, output)
    warnings = sorted(reader.warnings, key=lambda p: p.line or 0)  # as the file reads
    return Plan(text, issue, len(data["pages"]), placeholders, warnings)


def _check_plan(text: str, previous: Path, output: Path) -> None:
    """The plan must read back as an edition (ids, jumps, placeholders): a value carried over
    from yesterday that tonight's reader refuses (an id with a control character) is named
    now, in the previous edition, rather than after the plan is written."""
    from sahifa.content.edition import edition_of
    from sahifa.schema import SchemaError

    try:
        edition_of(parse_yaml(text, output, category="edition"), output)
    except SchemaError as exc:
        first = exc.problems[0]
        raise SahifaError("edition", f"cannot plan from it: the plan would not read back: "
                          f"{first.key + ': ' if first.key else ''}{first.message}",
                          file=previous) from None  # fmt: skip


@dataclass
class _Reader:
    """Problems met while reading the previous edition, each naming its file, line and key."""

    file: Path
    warnings: list[Problem] = field(default_factory=list)

    def error(self, message: str, key: str, line: int | None) -> SahifaError:
        return SahifaError("edition", message, file=self.file, key=key, line=line)

    def warn(self, message: str, key: str, line: int | None) -> None:
        self.warnings.append(Problem("new", message, file=self.file, key=key, line=line))

    def text(self, mapping: YamlMap, name: str, where: str) -> str:
        value = mapping[name]
        if not isinstance(value, str):
            raise self.error("expected text, not a list or mapping", where,
                             mapping.line_of(name))  # fmt: skip
        return value.strip()

    def dropped(self, mapping: YamlMap, known: tuple[str, ...], where: str) -> None:
        for name in mapping:
            if name not in known:
                key = f"{where}.{name}" if where else name
                self.warn("not an edition key; not carried over", key, mapping.line_of(name))


def _issue(data: YamlMap, reader: _Reader) -> str:
    if "issue" not in data or data["issue"] in (None, ""):
        reader.warn("the previous edition has no issue number; the plan has none either",
                    "issue", None)  # fmt: skip
        return ""
    issue = reader.text(data, "issue", "issue")
    try:
        return next_issue(issue)
    except ValueError:
        raise reader.error(f"{issue!r} is not a number, so there is no next one: write the "
                           "plan's issue: by hand, or number this one", "issue",
                           data.line_of("issue")) from None  # fmt: skip


def _head(data: YamlMap, reader: _Reader, date: dt.date, issue: str) -> list[str]:
    """The plan's top-level keys: issue, date, then layout and paper as they were."""
    reader.dropped(data, ("issue", "date", "hijri_date", "layout", "paper", "pages"), "")
    if "date" in data and isinstance(data["date"], str):
        try:
            if dt.date.fromisoformat(data["date"].strip()) >= date:
                reader.warn(f"the plan's date {date.isoformat()} is not after this edition's",
                            "date", data.line_of("date"))  # fmt: skip
        except ValueError:
            pass  # yesterday's bad date is yesterday's problem: the plan has a good one
    if data.get("hijri_date") not in (None, ""):
        reader.warn("not carried over: Hijri months are 29 or 30 days by sighting, so the "
                    "plan's Hijri date is computed from its date (write hijri_date: in the "
                    "plan if the official date differs)", "hijri_date",
                    data.line_of("hijri_date"))  # fmt: skip
    head = [f"issue: {json.dumps(issue, ensure_ascii=False)}"] if issue else []
    head.append(f"date: {date.isoformat()}")
    for name in ("layout", "paper"):
        if data.get(name) not in (None, ""):
            head.append(f"{name}: {yaml_text(reader.text(data, name, name))}")
    return head


def _page(page: Any, number: int, line: int | None, reader: _Reader) -> tuple[list[str], int]:
    where = f"pages[{number}]"
    if not isinstance(page, YamlMap):
        raise reader.error("expected a page (a mapping with template: and stories:)", where,
                           line)  # fmt: skip
    reader.dropped(page, ("template", "section", "stories"), where)
    lines: list[str] = []
    for name in ("template", "section"):
        if page.get(name) not in (None, ""):
            value = yaml_text(reader.text(page, name, f"{where}.{name}"))
            lines.append(f"{'  - ' if not lines else '    '}{name}: {value}")
    stories = page.get("stories")
    if stories in (None, ""):
        stories = []
    if not isinstance(stories, list):
        raise reader.error("expected a list of story slots", f"{where}.stories",
                           page.line_of("stories"))  # fmt: skip
    lines.append(f"{'  - ' if not lines else '    '}stories:" + ("" if stories else " []"))
    count = 0
    for index, slot in enumerate(stories, start=1):
        slot_where = f"{where}.stories[{index}]"
        if not isinstance(slot, YamlMap):
            raise reader.error("expected a story slot (a mapping)", slot_where,
                               page.line_of("stories"))  # fmt: skip
        slot_lines, placeholder = _slot(slot, slot_where, number, index, reader)
        lines += slot_lines
        count += placeholder
    return lines, count


def _slot(slot: YamlMap, where: str, page: int, index: int,
          reader: _Reader) -> tuple[list[str], bool]:  # fmt: skip
    """A slot of the plan: ``continued:`` as it was, anything else a placeholder keeping the
    story's id (written out, so the slot keeps it whatever the desk puts in it)."""
    reader.dropped(slot, (*_STORY_KINDS, "id", *_SLOT_KEYS), where)
    kinds = [k for k in _STORY_KINDS if k in slot]
    line = slot.line_of(kinds[0]) if kinds else next(iter(slot.lines.values()), None)
    if len(kinds) != 1:
        raise reader.error("a story slot has exactly one of article:, briefs:, continued:, "
                           "placeholder:", where, line)  # fmt: skip
    kind = kinds[0]
    if kind == "continued":
        first = f"continued: {yaml_text(reader.text(slot, 'continued', f'{where}.continued'))}"
        ident = None
    else:
        ident = reader.text(slot, "id", f"{where}.id") if slot.get("id") else ""
        if not ident and kind == "article":  # the id the edition reader gives the story
            ident = Path(reader.text(slot, "article", f"{where}.article")).stem
        if not ident:  # a column of briefs: an id of its own, for the desk to name it by
            ident = f"{'briefs' if kind == 'briefs' else 'slot'}-{page}-{index}"
        first = f"placeholder: true  # previous: {kind}: {_previous(slot[kind])}"
    lines = [f"      - {first}"]
    if ident is not None:
        lines.append(f"        id: {yaml_text(ident)}")
    for name in _SLOT_KEYS:
        if slot.get(name) not in (None, ""):
            lines.append(f"        {name}: {yaml_text(reader.text(slot, name, f'{where}.{name}'))}")
    return lines, kind != "continued"


def _previous(value: Any) -> str:
    """What filled the slot, for a comment: one line, no control or bidi characters."""
    text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    text = f"[{text}]" if isinstance(value, list) else text
    return _comment(text)


def _comment(text: str) -> str:
    return visible(BIDI_CONTROLS.sub("", " ".join(text.split())))
