"""Page geometry from ``layout.yaml``: named and explicit page sizes, margins, in millimetres.

Edition pages are fixed grids whose height must be the page area's height; CSS cannot derive
it from ``@page`` values, so it is computed here and handed to the stylesheet as
``--page-content-height``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

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


@dataclass(frozen=True)
class PageGrid:
    """An edition page's grid, in mm: its columns and its fixed-height rows."""

    width: float
    height: float
    columns: int
    rows: int
    gap: float
    row_gap: float
    headers: dict[str, float]  # page kind (front, inside) → height of its first row

    def column_width(self) -> float:
        return (self.width - (self.columns - 1) * self.gap) / self.columns

    def row_height(self, kind: str) -> float:
        header = self.headers[kind]
        return (self.height - header - self.rows * self.row_gap) / self.rows


def page_grid(settings: dict[str, Any]) -> PageGrid:
    """The grid of a layout's ``page`` and ``grid`` settings."""
    page = settings.get("page") or {}
    grid = settings.get("grid") or {}
    size, margin = str(page.get("size", "A4")), str(page.get("margin", "15mm"))
    top, right, bottom, left = margins_mm(margin)
    inner = length_mm(str(page.get("inner", f"{right}mm")), "page inner")
    outer = length_mm(str(page.get("outer", f"{left}mm")), "page outer")
    width, height = page_size_mm(size)
    return PageGrid(
        width=width - inner - outer,
        height=height - top - bottom,
        columns=int(grid.get("columns", 5)),
        rows=int(grid.get("rows", 12)),
        gap=length_mm(str(grid.get("gap", "5mm")), "grid gap"),
        row_gap=length_mm(str(grid.get("row-gap", "4mm")), "grid row-gap"),
        headers={
            "front": length_mm(str(grid.get("masthead", "60mm")), "grid masthead"),
            "inside": length_mm(str(grid.get("banner", "14mm")), "grid banner"),
        },
    )
