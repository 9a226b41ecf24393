"""Is a PDF left in a batch's output folder whole, and from which inputs was it made?

``--resume`` may take a PDF that was finished just before a kill but never recorded in the
manifest. Its name and its tail prove nothing: a file damaged in the middle keeps both. So it
is accepted only after a full parse: the cross-reference table and every object read without
recovery (qpdf's syntax check), and every Flate stream inflated by zlib, which checks the
Adler-32 sum that qpdf does not (zeros written into a font stream pass qpdf's check). The
input hash the batch wrote into the PDF's ``/ID`` must then match the item's inputs.
"""

from __future__ import annotations

import zlib
from pathlib import Path

_FLATE, _DCT = "/FlateDecode", "/DCTDecode"


def verified_input_hash(path: Path) -> str | None:
    """The input hash in the ``/ID`` of a whole, undamaged PDF; None for anything else."""
    import pikepdf

    try:
        with pikepdf.open(path, attempt_recovery=False) as pdf:
            if pdf.check_pdf_syntax() or pdf.get_warnings():
                return None
            for obj in pdf.objects:
                if isinstance(obj, pikepdf.Stream) and not _stream_whole(obj):
                    return None
            ids = pdf.trailer.get("/ID")
            if not isinstance(ids, pikepdf.Array) or len(ids) < 1:
                return None
            identifier = bytes(ids[0])
    except (pikepdf.PdfError, OSError, ValueError, RuntimeError):
        return None
    try:
        text = identifier.decode("ascii")
    except UnicodeDecodeError:
        return None
    return text if len(text) == 64 and all(c in "0123456789abcdef" for c in text) else None


def _stream_whole(stream: object) -> bool:
    """A Flate stream inflates completely with a correct checksum; others decode in qpdf."""
    import pikepdf

    assert isinstance(stream, pikepdf.Stream)
    filters = stream.get("/Filter")
    try:
        if filters == pikepdf.Name(_FLATE):
            zlib.decompress(stream.read_raw_bytes())
        elif filters == pikepdf.Name(_DCT):  # a JPEG photo: qpdf does not decode those
            return _jpeg_whole(stream.read_raw_bytes())
        else:
            stream.read_bytes()
    except (zlib.error, pikepdf.PdfError, RuntimeError, ValueError):
        return False
    return True


def _jpeg_whole(data: bytes) -> bool:
    """Start and end markers in place and the whole image decodes (Pillow)."""
    import io

    from PIL import Image

    if not (data.startswith(b"\xff\xd8") and data.rstrip(b"\0\r\n ").endswith(b"\xff\xd9")):
        return False
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
    except Exception:  # Pillow raises many types for a damaged JPEG; all mean "not whole"
        return False
    return True
