"""The golden pages: how the sample edition is rendered and read back for comparison.

Shared by tests/test_golden.py and scripts/update_golden.py, so both make the pages the same
way. Pixels at GOLDEN_DPI (small PNGs, still every line of text), text by PDFium per page.
"""

from __future__ import annotations

from pathlib import Path

from PIL.Image import Image

REPO = Path(__file__).resolve().parent.parent
EDITION = REPO / "articles/2023/05/02/edition.yaml"
GOLDEN = Path(__file__).resolve().parent / "golden"
GOLDEN_DPI = 40


def render_edition() -> tuple[list[Image], bytes]:
    from sahifa.pipeline import RenderJob, build
    from sahifa.preview.raster import rasterize

    _, data = build(RenderJob(source=EDITION, root=REPO, allow_overset=True))
    return rasterize(data, GOLDEN_DPI), data


def page_texts(data: bytes) -> list[str]:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    try:
        return [f"--- page {n} ---\n" + page.get_textpage().get_text_range().replace("\r", "")
                + "\n" for n, page in enumerate(document, start=1)]  # fmt: skip
    finally:
        document.close()
