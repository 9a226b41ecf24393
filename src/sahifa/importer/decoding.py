"""Guessing the encoding of scraped Arabic text.

Windows-1256 decodes any byte sequence, so "it decoded" proves nothing: each candidate is
judged by how much of it is Arabic letters and how little is control characters or symbols.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from sahifa.errors import SahifaError

CANDIDATES = ("utf-8", "cp1256")
MIN_ARABIC_SHARE = 0.5  # of the letters
MIN_LETTER_SHARE = 0.6  # of the non-space characters


def arabic_share(text: str) -> tuple[float, float]:
    """(share of letters that are Arabic, share of non-space characters that are letters)."""
    visible = [c for c in text if not c.isspace()]
    letters = [c for c in visible if c.isalpha()]
    if not letters:
        return 0.0, 0.0
    arabic = sum(1 for c in letters if "\u0600" <= c <= "\u06ff" or "\u0750" <= c <= "\u077f")
    return arabic / len(letters), len(letters) / len(visible)


def readable(text: str) -> bool:
    if any(ord(c) < 32 and c not in "\t\n\r\f" for c in text):
        return False
    arabic, letters = arabic_share(text)
    return arabic >= MIN_ARABIC_SHARE and letters >= MIN_LETTER_SHARE


def decode(data: bytes, path: Path, encoding: str | None = None) -> tuple[str, str]:
    """(text, encoding name). Raises ``SahifaError`` when no encoding gives readable Arabic."""
    if encoding:
        try:
            codecs.lookup(encoding)
            return data.decode(encoding), encoding
        except LookupError:
            raise SahifaError("import", f"unknown encoding {encoding!r}", file=path) from None
        except UnicodeDecodeError as exc:
            raise SahifaError(
                "import", f"not {encoding}: byte 0x{data[exc.start]:02x} at {exc.start}", file=path
            ) from None
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict"), "utf-8-sig"
    tried = []
    for name in CANDIDATES:
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            tried.append(f"{name}: does not decode")
            continue
        if readable(text):
            return text, name
        arabic, letters = arabic_share(text)
        tried.append(f"{name}: {arabic:.0%} Arabic letters, {letters:.0%} letters")
    raise SahifaError(
        "import",
        "no encoding gives readable Arabic (" + "; ".join(tried) + "); name it with --encoding",
        file=path,
    )
