"""Printer's marks: crop marks and registration targets, drawn outside the bleed.

WeasyPrint's own ``marks: crop cross`` are RGB and drawn inside the bleed, where they would
print on a full-bleed picture; these are drawn in registration colour (every ink at 100%:
the ``/Separation /All`` colour space) in the slug area beyond the BleedBox, so the plant's
RIP puts them on every plate. Geometry in PDF points, origin at the trim box's lower left.
"""

from __future__ import annotations

GAP = 3.0  # between the bleed edge and the start of a crop mark
LENGTH = 18.0  # a crop mark (~6 mm)
SLUG = GAP + LENGTH + 3.0  # the area beyond the bleed that the marks need
LINE = 0.3  # hairline: the plant trims on its centre
TARGET = 6.0  # registration target radius

# The registration colour space: one tint that puts every separation (C, M, Y, K and any
# spot) at the same value; /All is reserved for exactly this by the PDF specification.
COLOR_SPACE_NAME = "/SahifaRegistration"


def slug(marks: tuple[str, ...]) -> float:
    """How far the media box reaches beyond the bleed box for these marks."""
    return SLUG if marks else 0.0


def _n(value: float) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _line(x1: float, y1: float, x2: float, y2: float) -> str:
    return f"{_n(x1)} {_n(y1)} m {_n(x2)} {_n(y2)} l S"


def _circle(cx: float, cy: float, r: float) -> str:
    """A circle as four Bézier arcs."""
    k = 0.5523 * r
    return (
        f"{_n(cx + r)} {_n(cy)} m "
        f"{_n(cx + r)} {_n(cy + k)} {_n(cx + k)} {_n(cy + r)} {_n(cx)} {_n(cy + r)} c "
        f"{_n(cx - k)} {_n(cy + r)} {_n(cx - r)} {_n(cy + k)} {_n(cx - r)} {_n(cy)} c "
        f"{_n(cx - r)} {_n(cy - k)} {_n(cx - k)} {_n(cy - r)} {_n(cx)} {_n(cy - r)} c "
        f"{_n(cx + k)} {_n(cy - r)} {_n(cx + r)} {_n(cy - k)} {_n(cx + r)} {_n(cy)} c S"
    )


def marks_content(
    trim: tuple[float, float, float, float], bleed: float, marks: tuple[str, ...]
) -> bytes:
    """The content stream that draws ``marks`` around ``trim`` (llx, lly, urx, ury)."""
    if not marks:
        return b""
    x0, y0, x1, y1 = trim
    start, end = bleed + GAP, bleed + GAP + LENGTH
    # An artifact of the tagged page (PDF 32000 14.8.2.2): printer's marks are no content.
    ops = ["/Artifact BMC", "q", f"{COLOR_SPACE_NAME} CS 1 SCN", f"{_n(LINE)} w 0 J 0 j []0 d"]
    if "crop" in marks:
        for x, sx in ((x0, -1), (x1, 1)):
            for y, sy in ((y0, -1), (y1, 1)):
                # Each corner: a horizontal mark on the trim's horizontal edge and a vertical
                # one on its vertical edge, both starting beyond the bleed.
                ops.append(_line(x + sx * start, y, x + sx * end, y))
                ops.append(_line(x, y + sy * start, x, y + sy * end))
    if "registration" in marks:
        middle = bleed + GAP + LENGTH / 2
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        for tx, ty in ((cx, y1 + middle), (cx, y0 - middle), (x0 - middle, cy),
                       (x1 + middle, cy)):  # fmt: skip
            ops.append(_circle(tx, ty, TARGET))
            ops.append(_circle(tx, ty, TARGET / 2))
            reach = TARGET + 3
            ops.append(_line(tx - reach, ty, tx + reach, ty))
            ops.append(_line(tx, ty - reach, tx, ty + reach))
    ops += ["Q", "EMC"]
    return ("\n".join(ops) + "\n").encode("ascii")

