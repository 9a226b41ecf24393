"""PDF bytes → page images, in-process with PDFium (no external binary)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

from sahifa.errors import SahifaError
from sahifa.output import write_atomic

if TYPE_CHECKING:
    from PIL.Image import Image


def rasterize(data: bytes, dpi: float, source: Path | str = "PDF") -> list[Image]:
    """Every page of a PDF as an RGB image at ``dpi``."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise SahifaError("pdf", f"not a readable PDF: {exc}", file=source) from None
    try:
        return [page.render(scale=dpi / 72).to_pil().convert("RGB") for page in document]
    finally:
        document.close()


def png_bytes(image: Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()


def write_proofs(data: bytes, out_dir: Path, dpi: float, stem: str = "page") -> list[Path]:
    """One PNG per page in ``out_dir`` (``page-1.png`` …); returns the paths."""
    paths = []
    for number, image in enumerate(rasterize(data, dpi), start=1):
        path = out_dir / f"{stem}-{number}.png"
        write_atomic(path, png_bytes(image))
        paths.append(path)
    return paths
