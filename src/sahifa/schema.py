"""One way to declare and check every YAML file sahifa reads: fields, kinds, all errors.

Each kind of file (an article, an edition, ``sahifa.yaml``, ``layout.yaml``, ``fonts.yaml``,
an import profile) declares a ``Schema``: its fields, each with a kind that turns the text
written into a typed value. Checking a file reports **every** problem of the file in one run,
each with its file, line and key (``pages[2].stories[1].span``: lists count from 1, as the
desk counts pages), and applies one rule for keys
the schema does not know, stated per kind of file:

- content (articles, editions: written by many hands) — an unknown key **warns**, as the
  README promises; the render goes on;
- configuration (``sahifa.yaml``, ``layout.yaml``, ``fonts.yaml``, profiles, ``press:``) — an
  unknown key **fails**: a typo there silently changes every page.

Why a small module of our own rather than pydantic or msgspec: those check Python objects,
and the YAML has already become them — the line of each key (``YamlMap.line_of``) would have
to be carried through their error paths by hand; the strict reader keeps every scalar a
string on purpose, so every kind here is a parser from text anyway; and the error text is
the product (the desk reads it at night). About 200 lines, no dependency.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sahifa.content.yamlfile import YamlMap
from sahifa.errors import Problem, SahifaError

CONTENT, CONFIG = "content", "config"


class Invalid(ValueError):
    """A value a kind cannot take; the message says what was expected."""


class SchemaError(SahifaError):
    """Every problem found in one file: printed one line each."""

    def __init__(self, problems: list[Problem]) -> None:
        first = problems[0]
        super().__init__(first.category, first.message, file=first.file, key=first.key,
                         line=first.line)  # fmt: skip
        self.problems = list(problems)
        self.args = ("\n".join(str(p) for p in problems),)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


@dataclass
class Found:
    """The problems found while checking one file."""

    file: Path
    category: str  # printed first on each line: article, edition, config
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def error(self, message: str, key: str | None, line: int | None) -> None:
        self.errors.append(Problem(self.category, message, self.file, key or None, line))

    def warn(self, message: str, key: str | None, line: int | None) -> None:
        self.warnings.append(Problem(self.category, message, self.file, key or None, line))

    def raise_errors(self) -> None:
        if self.errors:  # in the order of the file's lines, as the user reads it
            raise SchemaError(sorted(self.errors, key=lambda p: p.line or 0))


# A kind reads one value: (value, found, key, line) → typed value, or raises Invalid.
Kind = Callable[[Any, Found, str, "int | None"], Any]
class _Missing:
    """A field that could not be read (already reported): false, empty, never a value."""

    def __bool__(self) -> bool:
        return False

    def __iter__(self) -> Any:
        return iter(())

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


@dataclass(frozen=True)
class Field:
    kind: Kind
    required: bool = False
    default: Any = None
    doc: str = ""


@dataclass(frozen=True)
class Schema:
    """A mapping's fields; ``unknown`` keys warn (content) or fail (configuration)."""

    fields: dict[str, Field]
    unknown: str = CONFIG
    sparse: bool = False  # only the keys written (a layout merges over its parent's)

    def check(self, data: Any, found: Found, key: str = "", line: int | None = None) -> dict:
        """The typed values of ``data``; problems go to ``found`` (failed fields: MISSING)."""
        if not isinstance(data, YamlMap):
            found.error(f"expected a mapping of keys, not {describe(data)}", key, line)
            return dict.fromkeys(self.fields, MISSING)
        for name in data:
            if name not in self.fields:
                known = ", ".join(sorted(self.fields))
                where = _join(key, name)
                if self.unknown == CONTENT:
                    found.warn(f"unknown key (known: {known}); ignored", where, data.line_of(name))
                else:
                    found.error(f"unknown key (known: {known})", where, data.line_of(name))
        values: dict[str, Any] = {}
        for name, spec in self.fields.items():
            where, at = _join(key, name), data.line_of(name) or line
            raw = data.get(name)
            if raw is None or raw == "":
                if spec.required:
                    found.error(f"{name} is required", where, at)
                    values[name] = MISSING
                elif not (self.sparse and name not in data):
                    values[name] = spec.default
                continue
            try:
                values[name] = spec.kind(raw, found, where, at)
            except Invalid as exc:
                found.error(str(exc), where, at)
                values[name] = MISSING
        return values


def _join(key: str, name: str | int) -> str:
    if isinstance(name, int):  # lists count from 1, as the desk does: pages[1] is page 1
        return f"{key}[{name + 1}]"
    return f"{key}.{name}" if key else name


def describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"{value!r}"


# -- kinds ------------------------------------------------------------------------------------
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
# Bidi embeddings, overrides and isolates (LRE RLE PDF LRO RLO, LRI RLI FSI PDI): invisible,
# and they reorder what prints — an RLO turns "2023" into "3202" on the page. The marks
# (LRM, RLM, ALM) stay: they only set the direction of neutral characters.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def text(*, one_line: bool = False) -> Kind:
    def kind(value: Any, found: Found, key: str, line: int | None) -> str:
        if not isinstance(value, str):
            raise Invalid(f"expected text, got {describe(value)}")
        bad = _CONTROLS.search(value)
        if bad:
            raise Invalid(f"contains an unprintable character U+{ord(bad.group()):04X}")
        return " ".join(value.split()) if one_line else value

    return kind


def choice(*allowed: str) -> Kind:
    def kind(value: Any, found: Found, key: str, line: int | None) -> str:
        if value not in allowed:
            raise Invalid(f"expected one of {', '.join(allowed)}, got {describe(value)}")
        return str(value)

    return kind


def whole(low: int = 1, high: int | None = None) -> Kind:
    def kind(value: Any, found: Found, key: str, line: int | None) -> int:
        # ASCII digits only, and few of them: str.isdigit() also takes "²" and "①" (which
        # int() refuses) and 5000 digits (which int() refuses to convert).
        digits = isinstance(value, str) and re.fullmatch(r"[0-9]{1,9}", value) is not None
        number = int(value) if digits else None
        if number is None or number < low or (high is not None and number > high):
            bound = f"from {low} to {high}" if high is not None else f">= {low}"
            raise Invalid(f"expected a whole number {bound}, got {describe(value)}")
        return number

    return kind


_LENGTH = re.compile(r"^-?\d+(\.\d+)?(mm|cm|in|pt|px)$|^0$")


def lengths(count: tuple[int, int] = (1, 1)) -> Kind:
    """CSS lengths in absolute units (``5mm``, ``0.5pt``; margins: 1 to 4 of them); kept as
    written, since the stylesheet reads them as custom properties."""

    def kind(value: Any, found: Found, key: str, line: int | None) -> str:
        parts = value.split() if isinstance(value, str) else []
        if not (count[0] <= len(parts) <= count[1]) or not all(_LENGTH.match(p) for p in parts):
            many = "a length" if count == (1, 1) else f"{count[0]} to {count[1]} lengths"
            raise Invalid(f"expected {many} such as 12mm, got {describe(value)}")
        return str(value)

    return kind


def name(what: str) -> Kind:
    from sahifa.trust import is_name

    def kind(value: Any, found: Found, key: str, line: int | None) -> str:
        if not is_name(value):
            raise Invalid(f"{what} must be a plain name (letters, digits, '-' or '_', no "
                          f"path), got {describe(value)}")  # fmt: skip
        return str(value)

    return kind


def layout_name(value: Any, found: Found, key: str, line: int | None) -> str:
    """A layout's name, or ``builtin:NAME`` for one that ships with sahifa."""
    from sahifa.trust import BUILTIN_PREFIX

    plain = value.removeprefix(BUILTIN_PREFIX) if isinstance(value, str) else value
    name("a layout")(plain, found, key, line)
    return str(value)


def list_of(item: Kind, *, nonempty: bool = False, what: str = "items") -> Kind:
    def kind(value: Any, found: Found, key: str, line: int | None) -> list[Any]:
        if not isinstance(value, list) or (nonempty and not value):
            raise Invalid(f"expected a list of {what}" + (", not empty" if nonempty else ""))
        result = []
        for index, element in enumerate(value):
            try:
                result.append(item(element, found, _join(key, index), line))
            except Invalid as exc:
                found.error(str(exc), _join(key, index), line)
                result.append(MISSING)
        return result

    return kind


def mapping(schema: Schema) -> Kind:
    def kind(value: Any, found: Found, key: str, line: int | None) -> dict:
        return schema.check(value, found, key, line)

    return kind


def network(value: Any, found: Found, key: str, line: int | None) -> Any:
    try:  # strict: 10.1.2.0/16 (host bits set) is a typo, not 10.1.0.0/16
        return ipaddress.ip_network(str(value).strip())
    except ValueError as exc:
        raise Invalid(f"not a network: {exc}") from None


def sha256(value: Any, found: Found, key: str, line: int | None) -> str:
    if not (isinstance(value, str) and re.fullmatch(r"[0-9a-f]{64}", value)):
        raise Invalid(f"expected a sha256 (64 hex digits), got {describe(value)}")
    return value


def read(schema: Schema, data: Any, file: Path, category: str) -> tuple[dict, list[Problem]]:
    """Check a whole file: its values and warnings, or a ``SchemaError`` with every error."""
    found = Found(file, category)
    values = schema.check(data, found, "", 1)
    found.raise_errors()
    return values, found.warnings
