"""``sahifa extract``: get back the files a PDF/A archive carries (its sources).

Attachment names come from the PDF, so they are untrusted: a name that is absolute, contains
``..`` or otherwise resolves outside the target folder is refused, never written.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from sahifa.content.yamlfile import read_bytes
from sahifa.errors import SahifaError
from sahifa.output import write_atomic


def attachments(pdf: Path) -> list[tuple[str, bytes]]:
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(read_bytes(pdf, category="extract"))
    except pdfium.PdfiumError as exc:
        raise SahifaError("extract", f"not a readable PDF: {exc}", file=pdf) from None
    try:
        found = []
        for index in range(document.count_attachments()):
            attachment = document.get_attachment(index)
            found.append((attachment.get_name(), bytes(attachment.get_data())))
        return found
    finally:
        document.close()


def safe_target(out_dir: Path, name: str) -> Path | None:
    """Where ``name`` may be written under ``out_dir``, or None when it would escape."""
    pure = PurePosixPath(name.replace("\\", "/"))
    if not name or pure.is_absolute() or ".." in pure.parts or ":" in pure.parts[0]:
        return None
    target = (out_dir / Path(*pure.parts)).resolve()
    return target if target.is_relative_to(out_dir.resolve()) else None


def extract(pdf: Path, out_dir: Path) -> tuple[list[Path], list[str]]:
    """(files written, names refused)."""
    written, refused = [], []
    for name, data in attachments(pdf):
        target = safe_target(out_dir, name)
        if target is None:
            refused.append(name)
            continue
        write_atomic(target, data)
        written.append(target)
    return written, refused
