"""Page geometry from ``layout.yaml``: named and explicit page sizes, margins, in millimetres.

Edition pages are fixed grids whose height must be the page area's height; CSS cannot derive
it from ``@page`` values, so it is computed here and handed to the stylesheet as
``--page-content-height``.
"""

from __future__ import annotations

import re

from sahifa.errors import ConfigError

# Portrait width x height in mm (CSS named sizes, plus the usual newspaper formats).
PAGE_SIZES = {
    "a5": (148, 210), "a4": (210, 297), "a3": (297, 420), "a2": (420, 594),
    "b5": (176, 250), "b4": (250, 353), "letter": (215.9, 279.4), "legal": (215.9, 355.6),
    "ledger": (279.4, 431.8), "berliner": (315, 470), "broadsheet": (375, 597),
}  # fmt: skip
_UNITS = {"mm": 1.0, "cm": 10.0, "in": 25.4, "pt": 25.4 / 72, "px": 25.4 / 96}
_LENGTH = re.compile(r"^(-?\d+(?:\.\d+)?)(mm|cm|in|pt|px)$")


def length_mm(value: str, what: str = "length") -> float:
    match = _LENGTH.match(value.strip())
    if not match:
        raise ConfigError(f"{what}: expected a length such as 12mm, got {value!r}")
    return float(match[1]) * _UNITS[match[2]]


def page_size_mm(size: str) -> tuple[float, float]:
    """``A3``, ``A4 landscape``, ``380mm 578mm`` → (width, height) in mm."""
    parts = str(size).lower().split()
    landscape = "landscape" in parts
    parts = [p for p in parts if p not in ("portrait", "landscape")]
    if len(parts) == 1 and parts[0] in PAGE_SIZES:
        width, height = PAGE_SIZES[parts[0]]
    elif len(parts) == 2:
        width, height = (length_mm(p, "page size") for p in parts)
    else:
        raise ConfigError(f"page size: expected a name ({', '.join(PAGE_SIZES)}) or two lengths")
    return (height, width) if landscape else (width, height)


def margins_mm(margin: str) -> tuple[float, float, float, float]:
    """CSS margin shorthand (1 to 4 lengths) → (top, right, bottom, left) in mm."""
    values = [length_mm(v, "page margin") for v in str(margin).split()]
    if not 1 <= len(values) <= 4:
        raise ConfigError(f"page margin: expected 1 to 4 lengths, got {margin!r}")
    top = values[0]
    right = values[1] if len(values) > 1 else top
    bottom = values[2] if len(values) > 2 else top
    left = values[3] if len(values) > 3 else right
    return top, right, bottom, left


def content_height_mm(size: str, margin: str) -> float:
    top, _, bottom, _ = margins_mm(margin)
    return page_size_mm(size)[1] - top - bottom
