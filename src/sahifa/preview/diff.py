"""Page-by-page visual comparison of two PDFs, with the changed areas highlighted.

Designers run it on the sample edition before and after a CSS change: which pages moved, and
where. Pixels count as changed when any channel differs by more than ``threshold`` (so
anti-aliasing noise from identical input does not count).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw

from sahifa.output import write_atomic
from sahifa.preview.raster import png_bytes, rasterize

HIGHLIGHT = (230, 0, 40)


@dataclass(frozen=True)
class PageDiff:
    page: int
    changed_share: float  # of the page's pixels
    image: Path | None  # the highlighted new page, when changed


@dataclass(frozen=True)
class DiffResult:
    pages_a: int
    pages_b: int
    pages: list[PageDiff]

    @property
    def changed(self) -> list[PageDiff]:
        return [p for p in self.pages if p.changed_share > 0]

    @property
    def identical(self) -> bool:
        return self.pages_a == self.pages_b and not self.changed


def diff_pdfs(
    a: bytes, b: bytes, out_dir: Path, dpi: float = 60, threshold: int = 24
) -> DiffResult:
    return diff_pages(rasterize(a, dpi, "A"), rasterize(b, dpi, "B"), out_dir, threshold)


def diff_pages(
    pages_a: list[Image.Image], pages_b: list[Image.Image], out_dir: Path, threshold: int = 24
) -> DiffResult:
    """Page images compared (the golden pages of the tests are images already)."""
    results = []
    for number in range(1, max(len(pages_a), len(pages_b)) + 1):
        old = pages_a[number - 1] if number <= len(pages_a) else None
        new = pages_b[number - 1] if number <= len(pages_b) else None
        if old is None or new is None or old.size != new.size:
            shown = new or old
            assert shown is not None
            path = out_dir / f"diff-{number}.png"
            write_atomic(path, png_bytes(_tinted(shown, None)))
            results.append(PageDiff(number, 1.0, path))
            continue
        mask = _changed_mask(old, new, threshold)
        changed = sum(mask.histogram()[1:]) / (mask.width * mask.height)
        path = None
        if changed:
            path = out_dir / f"diff-{number}.png"
            write_atomic(path, png_bytes(_tinted(new, mask)))
        results.append(PageDiff(number, changed, path))
    return DiffResult(len(pages_a), len(pages_b), results)


def _changed_mask(old: Image.Image, new: Image.Image, threshold: int) -> Image.Image:
    difference = ImageChops.difference(old, new).convert("L")
    return difference.point(lambda v: 255 if v > threshold else 0)


CELL = 24  # px: changed areas are outlined cell by cell, so separate changes stay separate


def _tinted(page: Image.Image, mask: Image.Image | None) -> Image.Image:
    """The new page, faded, with changed pixels in red and outlines around changed areas."""
    base = Image.blend(page, Image.new("RGB", page.size, "white"), 0.55)
    if mask is None:  # the whole page is new or gone
        mask = Image.new("L", page.size, 255)
    base.paste(Image.new("RGB", page.size, HIGHLIGHT), (0, 0), mask)
    draw = ImageDraw.Draw(base)
    for top in range(0, page.height, CELL):
        for left in range(0, page.width, CELL):
            cell = (left, top, min(left + CELL, page.width), min(top + CELL, page.height))
            if mask.crop(cell).getbbox():
                draw.rectangle(cell, outline=HIGHLIGHT, width=1)
    return base
