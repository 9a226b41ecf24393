"""``sahifa extract``: get back the files a PDF/A archive carries (its sources).

The PDF may come from anywhere, so its attachments are untrusted:

- a name that is empty, ``.``, absolute, contains ``..`` or otherwise resolves outside (or to)
  the target folder is refused, never written; so are names that several attachments share
  (which one would be the source?), each of them;
- what is written is capped per file and in total: a few hundred kilobytes of PDF can hold a
  Flate stream that inflates to gigabytes. Streams are inflated in pieces, so memory stays
  within the cap too, and a file over it is not written at all. Only Flate (what sahifa,
  WeasyPrint and pikepdf write) and unfiltered streams are decoded: other filters (LZW …)
  could not be inflated under a cap, and no archive of ours uses them.
"""

from __future__ import annotations

import io
import zlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from sahifa.content.yamlfile import read_bytes
from sahifa.errors import SahifaError, visible
from sahifa.output import write_atomic

if TYPE_CHECKING:
    import pikepdf

MAX_FILE_BYTES = 100 * 1024 * 1024  # one source file: an article, a photo
MAX_TOTAL_BYTES = 200 * 1024 * 1024  # all the sources of one edition
_CHUNK = 1024 * 1024


class _Refused(Exception):
    """An attachment not written; the message says why."""


class _OverTotal(_Refused):
    """An attachment that passes what is left of the total limit: extraction stops."""


@dataclass
class _Attachment:
    name: str
    stream: object  # a pikepdf.Stream, or what a damaged PDF has in its place


def _open(pdf: Path) -> pikepdf.Pdf:
    import pikepdf

    try:
        return pikepdf.open(io.BytesIO(read_bytes(pdf, category="extract")))
    except pikepdf.PdfError as exc:
        raise SahifaError("extract", f"not a readable PDF: {_reason(exc)}", file=pdf) from None


def attachments(document: pikepdf.Pdf, pdf: Path) -> list[_Attachment]:
    """The embedded files of ``document`` (read from ``pdf``), in name-tree order, named as
    a viewer names them; their streams live as long as the document is open."""
    import pikepdf

    try:
        return [_Attachment(_name(spec, key), _stream(spec))
                for key, spec in document.attachments.items()]  # fmt: skip
    except pikepdf.PdfError as exc:  # a damaged /EmbeddedFiles name tree
        raise SahifaError("extract", f"damaged attachment list: {_reason(exc)}", file=pdf) from None


# What pikepdf raises on a file spec of the wrong shape (no /EF, a number for a name, …).
_BROKEN = (KeyError, AttributeError, TypeError, ValueError)


def _name(spec: object, key: str) -> str:
    """The file name (/UF, else /F), else the name-tree key."""
    try:
        return str(spec.filename) or key  # type: ignore[attr-defined]
    except _BROKEN:
        return key


def _stream(spec: object) -> object:
    try:
        return spec.get_file().obj  # type: ignore[attr-defined]
    except _BROKEN:
        return None  # refused when its turn comes: no data to extract


def _reason(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text.split(">: ", 1)[-1]  # qpdf's "stream <_io.BytesIO object at 0x…>: " prefix


def safe_target(out_dir: Path, name: str) -> Path | None:
    """Where ``name`` may be written under ``out_dir``, or None when it would escape or name
    no file (``""``, ``.``, ``a/..``)."""
    if not name or visible(name) != name:  # a control character (NUL: no such path at all)
        return None
    pure = PurePosixPath(name.replace("\\", "/"))
    if not pure.parts or pure.is_absolute() or ".." in pure.parts or ":" in pure.parts[0]:
        return None
    try:
        target = (out_dir / Path(*pure.parts)).resolve()
        root = out_dir.resolve()
    except (OSError, RuntimeError):  # a symlink loop in out_dir
        return None
    return target if target.is_relative_to(root) and target != root else None


def extract(pdf: Path, out_dir: Path) -> tuple[list[Path], list[tuple[str, str]]]:
    """(files written, (name, why) of each attachment not written)."""
    document = _open(pdf)
    try:
        return _write_all(attachments(document, pdf), out_dir)
    finally:
        document.close()


def _write_all(
    found: list[_Attachment], out_dir: Path
) -> tuple[list[Path], list[tuple[str, str]]]:
    targets = {id(a): safe_target(out_dir, a.name) for a in found}
    shared = Counter(t for t in targets.values() if t is not None)
    written: list[Path] = []
    refused: list[tuple[str, str]] = []
    budget = MAX_TOTAL_BYTES
    for attachment in found:
        target = targets[id(attachment)]
        if budget < 0:  # the total limit was passed: nothing more from this PDF
            refused.append((attachment.name, "not extracted: the total limit was reached"))
        elif target is None:
            refused.append((attachment.name, "outside the folder (or no file name)"))
        elif shared[target] > 1:
            refused.append((attachment.name, f"{shared[target]} attachments share this name"))
        else:
            try:
                data = _decoded(attachment.stream, min(MAX_FILE_BYTES, budget))
                write_atomic(target, data)
            except _OverTotal as exc:
                refused.append((attachment.name, str(exc)))
                budget = -1
                continue
            except _Refused as exc:
                refused.append((attachment.name, str(exc)))
                continue
            except SahifaError as exc:  # "a" and "a/b": a file where a folder must go
                refused.append((attachment.name, exc.problem.message))
                continue
            budget -= len(data)
            written.append(target)
    return written, refused


def _decoded(stream: object, cap: int) -> bytes:
    """The stream's data, refused once it passes ``cap`` bytes (inflated in pieces)."""
    import pikepdf

    if not isinstance(stream, pikepdf.Stream):
        raise _Refused("no embedded file data")
    try:
        filters = stream.get("/Filter")
        names = [str(f) for f in filters] if isinstance(filters, pikepdf.Array) else (
            [str(filters)] if filters is not None else []
        )  # fmt: skip
        raw = stream.read_raw_bytes()
    except pikepdf.PdfError as exc:
        raise _Refused(f"unreadable: {_reason(exc)}") from None
    if names == []:
        data = raw
    elif names == ["/FlateDecode"] and stream.get("/DecodeParms") is None:
        data = _inflate(raw, cap)
    else:  # what sahifa and WeasyPrint write is Flate; other filters inflate without a bound
        raise _Refused(f"encoded with {' '.join(names)}, which extract does not decode")
    if len(data) > cap:
        raise _over(cap)
    return data


def _inflate(raw: bytes, cap: int) -> bytes:
    """Flate-decode ``raw`` without ever holding more than ``cap`` + 1 MB of output."""
    inflater = zlib.decompressobj()
    out = bytearray()
    pending = raw
    try:
        while not inflater.eof:
            piece = inflater.decompress(pending, min(_CHUNK, cap + 1 - len(out)))
            out += piece
            if len(out) > cap:
                raise _over(cap)
            if not piece and len(inflater.unconsumed_tail) == len(pending):
                break  # no progress: the data ends before the stream does
            pending = inflater.unconsumed_tail
    except zlib.error as exc:
        raise _Refused(f"damaged compressed data ({exc})") from None
    if not inflater.eof:
        raise _Refused("compressed data cut short")
    return bytes(out)


def _over(cap: int) -> _Refused:
    """The refusal for data over ``cap``: the per-file limit, or what is left of the total."""
    if cap < MAX_FILE_BYTES:
        return _OverTotal(f"over the {MAX_TOTAL_BYTES / 2**20:g} MB limit for all files of "
                          "one PDF; extraction stopped")  # fmt: skip
    return _Refused(f"over the {MAX_FILE_BYTES / 2**20:g} MB limit for one file; not written")
