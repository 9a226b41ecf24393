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

from sahifa.content.yamlfile import YamlMap
from sahifa.errors import ConfigError

VARIANTS = ("pdf/x-4", "pdf/x-1a")
MARKS = ("crop", "registration")
DEFAULT_PATTERN = "{paper}-{date}-{edition}-p{page:02}.pdf"
PATTERN_FIELDS = {"paper", "date", "edition", "page"}
KNOWN_KEYS = {"variant", "bleed", "marks", "icc", "ink_limit", "split_pattern", "paper_code"}
ICC_KEYS = {"path", "sha256", "condition", "info"}
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


def read_press(data: YamlMap, path: Path) -> PressSettings | None:
    """Validate ``press:`` of ``sahifa.yaml`` (``data`` is the whole file's mapping)."""
    value = data.get("press")
    if value is None:
        return None
    at = Where(path, data.line_of("press"))
    if not isinstance(value, YamlMap):
        raise ConfigError("expected a mapping", file=path, key="press", line=at.line)

    def where(key: str, inside: YamlMap = value) -> Where:
        return Where(path, inside.line_of(key))

    def fail(message: str, key: str, inside: YamlMap = value, prefix: str = "press") -> None:
        raise ConfigError(message, file=path, key=f"{prefix}.{key}", line=inside.line_of(key))

    for key in value:
        if key not in KNOWN_KEYS:
            fail(f"unknown key (known: {', '.join(sorted(KNOWN_KEYS))})", key)
    variant = value.get("variant", "pdf/x-4")
    if variant not in VARIANTS:
        fail(f"expected one of {', '.join(VARIANTS)}, got {variant!r}", "variant")
    bleed = value.get("bleed", "3mm")
    if not isinstance(bleed, str):
        fail("expected a length such as 3mm", "bleed")
    bleed_points(bleed, "press.bleed", where("bleed"))
    marks = value.get("marks", list(MARKS))
    if not isinstance(marks, list) or any(m not in MARKS for m in marks):
        fail(f"expected a list of {', '.join(MARKS)} (or [])", "marks")
    limit = value.get("ink_limit", "300")
    if not (isinstance(limit, str) and limit.isdigit() and 100 <= int(limit) <= 400):
        fail("expected a total ink limit in percent, 100 to 400 (newsprint: 240)", "ink_limit")
    pattern = value.get("split_pattern", DEFAULT_PATTERN)
    if not isinstance(pattern, str) or (problem := pattern_problem(pattern)):
        fail(problem if isinstance(pattern, str) else "expected text", "split_pattern")
    code = value.get("paper_code")
    if code is not None and not (isinstance(code, str) and re.fullmatch(r"[\w.-]+", code)):
        fail("expected letters, digits, '-', '_' or '.'", "paper_code")
    return PressSettings(
        variant=variant,
        bleed=bleed,
        marks=tuple(marks),
        icc=_read_icc(value, path),
        ink_limit=int(limit),
        split_pattern=pattern,
        paper_code=code,
        at=at,
    )


def _read_icc(press: YamlMap, path: Path) -> IccSettings | None:
    icc = press.get("icc")
    if icc is None:
        return None
    if not isinstance(icc, YamlMap):
        raise ConfigError("expected {path: …, sha256: …, condition: …}", file=path,
                          key="press.icc", line=press.line_of("icc"))  # fmt: skip
    for key in icc:
        if key not in ICC_KEYS:
            raise ConfigError(f"unknown key (known: {', '.join(sorted(ICC_KEYS))})", file=path,
                              key=f"press.icc.{key}", line=icc.line_of(key))  # fmt: skip
    for key in ("path", "sha256"):
        if not isinstance(icc.get(key), str) or not icc[key].strip():
            raise ConfigError("required", file=path, key=f"press.icc.{key}",
                              line=icc.line_of(key) or press.line_of("icc"))  # fmt: skip
    sha = icc["sha256"].strip().lower()
    if not re.fullmatch(r"[0-9a-f]{64}", sha):
        raise ConfigError("expected 64 hex digits", file=path, key="press.icc.sha256",
                          line=icc.line_of("sha256"))  # fmt: skip
    profile = Path(icc["path"].strip())
    if not profile.is_absolute():
        profile = path.parent / profile  # relative to the project, like layouts/ and fonts/
    condition = str(icc.get("condition") or profile.stem)
    return IccSettings(
        path=profile,
        sha256=sha,
        condition=condition,
        info=str(icc.get("info") or condition),
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
