"""The flat plan: every page as a thumbnail, every story box outlined where it lies and
labelled — story id, words, status (fits / over N lines / under N lines / cut / continued →
page) — overset and short boxes in red, underset in amber. What an editor looks at instead
of reading a report (``sahifa plan``; the preview page shows the same overview).

Pages come from the rendered PDF (``sahifa.preview.raster``), boxes from the laid-out pages
(``StoryStatus.rect``, in CSS px of the page), so the outlines are where the boxes are.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sahifa.copyfit.rules import StoryStatus

if TYPE_CHECKING:
    from PIL.Image import Image
    from PIL.ImageFont import FreeTypeFont, ImageFont

# Outline colours (RGB) by status: red is what stops a page, amber what a desk would fix.
COLOURS = {
    "over": (215, 25, 32),
    "short": (215, 25, 32),
    "under": (240, 160, 0),
    "cut": (90, 90, 90),
    "continued": (40, 90, 200),
    "fits": (30, 140, 60),
}
THUMB_DPI = 40
GAP = 16  # px between thumbnails
CAPTION = 22  # px under each thumbnail for its page number
_FONT_FILE = Path(__file__).resolve().parents[1] / "builtin" / "fonts" / "DejaVuSans.ttf"


def draw_plan(pages: list[Image], statuses: list[StoryStatus], title: str = "") -> Image:
    """One image: the pages side by side (up to four a row), each box outlined and labelled."""
    from PIL import Image as PILImage
    from PIL import ImageDraw

    per_row = min(4, max(1, len(pages)))
    width = max(p.width for p in pages)
    height = max(p.height for p in pages)
    rows = (len(pages) + per_row - 1) // per_row
    top = 30 if title else 0
    sheet = PILImage.new("RGB", (GAP + per_row * (width + GAP),
                                 top + GAP + rows * (height + CAPTION + GAP)), "white")  # fmt: skip
    draw = ImageDraw.Draw(sheet, "RGBA")
    font, small = _font(13), _font(11)
    if title:
        draw.text((GAP, 8), title, fill=(0, 0, 0), font=font)
    for index, page in enumerate(pages):
        x0 = GAP + (index % per_row) * (width + GAP)
        y0 = top + GAP + (index // per_row) * (height + CAPTION + GAP)
        faded = PILImage.blend(page.convert("RGB"), PILImage.new("RGB", page.size, "white"), 0.55)
        sheet.paste(faded, (x0, y0))
        draw.rectangle((x0, y0, x0 + page.width - 1, y0 + page.height - 1), outline=(0, 0, 0))
        draw.text((x0, y0 + page.height + 4), f"page {index + 1}", fill=(0, 0, 0), font=font)
        for status in statuses:
            if status.page != index + 1 or not status.page_size[0]:
                continue
            _box(draw, status, x0, y0, page.width / status.page_size[0], font, small)
    return sheet


def _box(draw: object, status: StoryStatus, x0: int, y0: int, scale: float,
         font: FreeTypeFont | ImageFont, small: FreeTypeFont | ImageFont) -> None:  # fmt: skip
    from PIL import ImageDraw

    assert isinstance(draw, ImageDraw.ImageDraw)
    colour = COLOURS[status.status]
    x, y, w, h = (v * scale for v in status.rect)
    box = (x0 + x, y0 + y, x0 + x + w, y0 + y + h)
    if status.status in ("over", "short", "under"):
        draw.rectangle(box, fill=(*colour, 60))
    draw.rectangle(box, outline=colour, width=3)
    label = [status.story, f"{status.words_shown} words", status.label]
    tx, ty = box[0] + 5, box[1] + 5
    for number, line in enumerate(label):
        face = font if number == 0 else small
        left, top, right, bottom = draw.textbbox((tx, ty), line, font=face)
        draw.rectangle((left - 2, top - 1, right + 2, bottom + 1), fill=(255, 255, 255, 230))
        draw.text((tx, ty), line, fill=colour if number == 2 else (0, 0, 0), font=face)
        ty = bottom + 3


def _font(size: int) -> FreeTypeFont | ImageFont:
    from PIL import ImageFont

    try:
        return ImageFont.truetype(str(_FONT_FILE), size)
    except OSError:  # the wheel without the fonts: Pillow's own face
        return ImageFont.load_default(size)


def plan_image(pdf: bytes, statuses: list[StoryStatus], title: str = "",
               source: Path | str = "PDF") -> Image:  # fmt: skip
    """The flat plan of a rendered edition (its PDF bytes and its stories' statuses)."""
    from sahifa.preview.raster import rasterize

    return draw_plan(rasterize(pdf, THUMB_DPI, source), statuses, title)
