"""The ``press:`` section of ``sahifa.yaml`` and the command line's overrides of it.

The section is read and checked with the rest of the settings (so a typo is reported even on
a plain render), but the plant's ICC profile is opened only when press output is asked for:
a plain ``sahifa render`` must work on a machine without the profile.
"""

from __future__ import annotations

import hashlib
import re
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sahifa import schema
from sahifa.content.yamlfile import YamlMap
from sahifa.errors import ConfigError

VARIANTS = ("pdf/x-4", "pdf/x-1a")
MARKS = ("crop", "registration")
DEFAULT_PATTERN = "{paper}-{date}-{edition}-p{page:02}.pdf"
PATTERN_FIELDS = {"paper", "date", "edition", "page"}
_BLEED = re.compile(r"^(\d+(?:\.\d+)?)(mm|pt)$")
MAX_BLEED_MM = 20.0  # a plant asks 3-5 mm; more is a typo (3cm for 3mm)


@dataclass(frozen=True)
class Where:
    """Where a press setting was written, for errors raised long after reading."""

    file: Path
    line: int | None


@dataclass(frozen=True)
class IccSettings:
    path: Path
    sha256: str
    condition: str  # the OutputConditionIdentifier, e.g. the plant's characterisation name
    info: str
    path_at: Where
    sha_at: Where


@dataclass(frozen=True)
class PressSettings:
    """The paper's press preset (``sahifa render --press``)."""

    variant: str = "pdf/x-4"
    bleed: str = "3mm"
    marks: tuple[str, ...] = MARKS
    icc: IccSettings | None = None
    ink_limit: int = 300
    split_pattern: str = DEFAULT_PATTERN
    paper_code: str | None = None  # the paper's name in file names (plants want ASCII)
    at: Where | None = None


@dataclass(frozen=True)
class PressRequest:
    """What the command line asked for; ``None`` means "the preset's value". Plain data, so
    a job carrying it crosses process boundaries."""

    variant: str | None = None
    bleed: str | None = None
    marks: tuple[str, ...] | None = None
    split_pages: bool = False


@dataclass(frozen=True)
class PressOptions:
    """The resolved press output: preset and flags merged, the ICC profile read and checked."""

    variant: str
    bleed_pt: float
    marks: tuple[str, ...]
    icc: bytes
    condition: str
    info: str
    ink_limit: int
    split_pages: bool
    split_pattern: str
    paper_code: str | None


def bleed_points(value: str, where: str = "--bleed", at: Where | None = None) -> float:
    """``3mm`` or ``8.5pt`` → points; a bad value is a ``ConfigError`` naming where it was."""
    match = _BLEED.match(str(value).strip())
    mm = None
    if match:
        mm = float(match[1]) * (1.0 if match[2] == "mm" else 25.4 / 72)
    if mm is None or mm > MAX_BLEED_MM:
        message = f"expected a bleed such as 3mm (0 to {MAX_BLEED_MM:g}mm), got {value!r}"
        if at is None:
            raise ConfigError(f"{where}: {message}")
        raise ConfigError(message, file=at.file, key=where, line=at.line)
    return mm * 72 / 25.4


def _bleed(value: Any, found: schema.Found, key: str, line: int | None) -> str:
    if not isinstance(value, str):
        raise schema.Invalid("expected a length such as 3mm")
    try:
        bleed_points(value, key, Where(found.file, line))
    except ConfigError as exc:
        raise schema.Invalid(exc.problem.message) from None
    return value


def _marks(value: Any, found: schema.Found, key: str, line: int | None) -> tuple[str, ...]:
    if not isinstance(value, list) or any(m not in MARKS for m in value):
        raise schema.Invalid(f"expected a list of {', '.join(MARKS)} (or [])")
    return tuple(value)


def _ink_limit(value: Any, found: schema.Found, key: str, line: int | None) -> int:
    if not (isinstance(value, str) and value.isdigit() and 100 <= int(value) <= 400):
        raise schema.Invalid("expected a total ink limit in percent, 100 to 400 (newsprint: 240)")
    return int(value)


def _pattern(value: Any, found: schema.Found, key: str, line: int | None) -> str:
    if not isinstance(value, str):
        raise schema.Invalid("expected text")
    problem = pattern_problem(value)
    if problem:
        raise schema.Invalid(problem)
    return value


def _paper_code(value: Any, found: schema.Found, key: str, line: int | None) -> str:
    if not (isinstance(value, str) and re.fullmatch(r"[\w.-]+", value)):
        raise schema.Invalid("expected letters, digits, '-', '_' or '.'")
    return value


def _icc_sha(value: Any, found: schema.Found, key: str, line: int | None) -> str:
    sha = value.strip().lower() if isinstance(value, str) else ""
    if not re.fullmatch(r"[0-9a-f]{64}", sha):
        raise schema.Invalid("expected 64 hex digits")
    return sha


_ICC = schema.Schema({
    "path": schema.Field(schema.text(), required=True, doc="the plant's ICC profile"),
    "sha256": schema.Field(_icc_sha, required=True, doc="its pinned hash"),
    "condition": schema.Field(schema.text(), doc="OutputConditionIdentifier"),
    "info": schema.Field(schema.text()),
})  # fmt: skip
# press: of sahifa.yaml: configuration, so an unknown key fails.
PRESS_SCHEMA = schema.Schema({
    "variant": schema.Field(schema.choice(*VARIANTS), default="pdf/x-4"),
    "bleed": schema.Field(_bleed, default="3mm"),
    "marks": schema.Field(_marks, default=MARKS),
    "icc": schema.Field(schema.mapping(_ICC)),
    "ink_limit": schema.Field(_ink_limit, default=300),
    "split_pattern": schema.Field(_pattern, default=DEFAULT_PATTERN),
    "paper_code": schema.Field(_paper_code, doc="the paper's name in plate file names"),
})  # fmt: skip


def read_press(value: Any, found: schema.Found, key: str, line: int | None) -> PressSettings:
    """``press:`` of ``sahifa.yaml``, checked with the rest of the file (every problem)."""
    values = PRESS_SCHEMA.check(value, found, key, line)
    if any(v is schema.MISSING for v in values.values()):
        return PressSettings()  # reported; never used, the file fails
    return PressSettings(
        variant=values["variant"],
        bleed=values["bleed"],
        marks=tuple(values["marks"]),
        icc=_icc(values["icc"], value, found.file),
        ink_limit=values["ink_limit"],
        split_pattern=values["split_pattern"],
        paper_code=values["paper_code"],
        at=Where(found.file, line),
    )


def _icc(values: dict[str, Any] | None, press: YamlMap, path: Path) -> IccSettings | None:
    if values is None:
        return None
    icc = press["icc"]
    profile = Path(values["path"].strip())
    if not profile.is_absolute():
        profile = path.parent / profile  # relative to the project, like layouts/ and fonts/
    condition = str(values["condition"] or profile.stem)
    return IccSettings(
        path=profile,
        sha256=values["sha256"],
        condition=condition,
        info=str(values["info"] or condition),
        path_at=Where(path, icc.line_of("path")),
        sha_at=Where(path, icc.line_of("sha256")),
    )


def pattern_problem(pattern: str) -> str | None:
    """Why a split pattern cannot name plate files, or None."""
    try:
        parts = [(name, conversion) for _, name, _, conversion in string.Formatter().parse(pattern)
                 if name is not None]  # fmt: skip
    except ValueError as exc:
        return f"not a valid pattern ({exc}); fields: {{paper}} {{date}} {{edition}} {{page}}"
    fields = {name for name, _ in parts}
    # Only the bare names: "{date.year}" or "{page[0]}" would reach into the values.
    if fields - PATTERN_FIELDS:
        return (f"unknown field(s) {', '.join(sorted(fields - PATTERN_FIELDS))}; fields: "
                "{paper} {date} {edition} {page}")  # fmt: skip
    if any(conversion for _, conversion in parts):
        return "no conversions (!r, !s, !a) in the pattern"
    try:
        sample = pattern.format(paper="p", date="2000-01-01", edition="1", page=1)
    except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
        return f"not a valid pattern ({exc}); fields: {{paper}} {{date}} {{edition}} {{page}}"
    if not sample.endswith(".pdf"):
        return "plate names end in .pdf"
    if "page" not in fields:
        return "the pattern needs {page}: every plate needs its own name"
    if "/" in sample or "\\" in sample or sample.startswith("."):
        return "a file name only: no folders, no leading dot"
    return None


def resolve(settings_press: PressSettings | None, request: PressRequest,
            settings_file: Path) -> PressOptions:  # fmt: skip
    """Merge the preset and the flags, and read the plant's ICC profile, checked by sha256."""
    preset = settings_press or PressSettings()
    variant = request.variant or preset.variant
    bleed = request.bleed if request.bleed is not None else preset.bleed
    if request.bleed is not None:
        bleed_pt = bleed_points(bleed)
    else:
        bleed_pt = bleed_points(bleed, "press.bleed", preset.at)
    icc = preset.icc
    if icc is None:
        line = preset.at.line if preset.at else None
        raise ConfigError(
            "press output needs the plant's CMYK ICC profile: set press.icc.path and "
            "press.icc.sha256", file=settings_file, key="press.icc", line=line,
        )  # fmt: skip
    try:
        data = icc.path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read the ICC profile {icc.path}: {exc.strerror or exc}",
                          file=icc.path_at.file, key="press.icc.path",
                          line=icc.path_at.line) from None  # fmt: skip
    actual = hashlib.sha256(data).hexdigest()
    if actual != icc.sha256:
        raise ConfigError(f"the ICC profile {icc.path} has sha256 {actual}, not the pinned one",
                          file=icc.sha_at.file, key="press.icc.sha256",
                          line=icc.sha_at.line)  # fmt: skip
    if data[16:20] != b"CMYK":  # the profile header's data colour space
        raise ConfigError(f"{icc.path} is not a CMYK output profile",
                          file=icc.path_at.file, key="press.icc.path", line=icc.path_at.line)
    return PressOptions(
        variant=variant,
        bleed_pt=bleed_pt,
        marks=request.marks if request.marks is not None else preset.marks,
        icc=data,
        condition=icc.condition,
        info=icc.info,
        ink_limit=preset.ink_limit,
        split_pages=request.split_pages,
        split_pattern=preset.split_pattern,
        paper_code=preset.paper_code,
    )
