"""What a PDF/A archive carries so it can be re-rendered from itself."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sahifa.archive.inputs import archive_name, input_files, input_hash
from sahifa.trust import real

if TYPE_CHECKING:
    from sahifa.pipeline import Prepared

# Attachments carry the edition's or article's date, or this fixed date when there is none:
# never the clock, never a file's mtime (a fresh clone changes those).
FIXED_DATE = dt.datetime(2000, 1, 1)
ARCHIVE_MANIFEST = "sahifa-inputs.json"


def archive_attachments(prepared: Prepared, loaded: set[Path]) -> list[Any]:
    """What a PDF/A archive carries to be re-rendered from itself: the source file, its
    articles and the images the render loaded (``loaded``: real paths the fetcher served; an
    image it refused is never attached), by path under the project, and a JSON record of the
    input hash and of every layout and font file's sha256 (those are pinned, not copied)."""
    from sahifa import __version__
    from sahifa.render import Embedded

    source_date = prepared.edition.date if prepared.edition else prepared.article.date  # type: ignore[union-attr]
    date = dt.datetime.combine(source_date, dt.time()) if source_date else FIXED_DATE
    root = prepared.settings.root.resolve()
    pinned: dict[str, str] = {}
    embedded = []
    images = _image_files(prepared)
    for path in input_files(prepared):
        name = archive_name(path, root)
        if path in images and real(path) not in loaded:
            continue  # refused by the fetcher: not the render's input, never attached
        data = path.read_bytes()
        if name.startswith(("layouts/", "fonts/", "builtin:")):  # pinned, never attached
            pinned[name] = hashlib.sha256(data).hexdigest()
        else:
            embedded.append(Embedded(name, data, date))
    record = {"sahifa": __version__, "input_hash": input_hash(prepared), "pinned": pinned}
    data = json.dumps(record, indent=1, sort_keys=True).encode()
    embedded.append(
        Embedded(ARCHIVE_MANIFEST, data, date, "Data", "input hash, layout and font hashes")
    )
    # A PDF name tree must be sorted by key; WeasyPrint keeps the order it is given.
    return sorted(embedded, key=lambda item: item.name.encode("utf-8"))


def _image_files(prepared: Prepared) -> set[Path]:
    articles = [prepared.article] if prepared.article else []
    if prepared.edition is not None:
        articles += [a for page in prepared.edition.pages for s in page.slots for a in s.articles]
    return {a.image.src for a in articles if a.image is not None and a.image.src is not None}
