"""Guessing the encoding of scraped Arabic text.

Windows-1256 decodes any byte sequence, so "it decoded" proves nothing: each candidate is
judged by how much of it is Arabic letters and how little is control characters or symbols.

For the same reason a file that is UTF-8 in some lines and something else in others (a
paragraph pasted in from an old page, a byte-order mark put in front of Windows-1256 text)
would "decode" as Windows-1256 into mojibake. Such a file is refused, naming the lines that
are not UTF-8, instead: the user fixes them or names the encoding with ``--encoding``.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from sahifa.errors import SahifaError

CANDIDATES = ("utf-8", "cp1256")
MIN_ARABIC_SHARE = 0.5  # of the letters
MIN_LETTER_SHARE = 0.6  # of the non-space characters
MAX_LINES_NAMED = 10  # the error stays one readable line however many lines are bad
NAME_IT = "name the encoding with --encoding"


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
    """(text, encoding name). Raises ``SahifaError`` when no encoding gives readable Arabic,
    or when the file mixes UTF-8 lines with lines in another encoding."""
    # The mark is never text, whatever the rest is (Windows-1256 would make it "ï»؟"). Offsets
    # in messages still count it: they are offsets in the file the user has.
    bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    body = data[bom:]
    if encoding:
        try:
            codecs.lookup(encoding)
            return body.decode(encoding), encoding
        except LookupError:
            raise SahifaError("import", f"unknown encoding {encoding!r}", file=path) from None
        except UnicodeDecodeError as exc:
            where = _where(data, bom + exc.start)
            raise SahifaError("import", f"not {encoding}: {where}", file=path) from None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        _refuse_mixed(body, path, bool(bom), _where(data, bom + exc.start))
    else:
        if bom:  # the mark says UTF-8 and the whole file is: no need to judge the content
            return text, "utf-8-sig"
    return _judge(body, path)


def _where(data: bytes, offset: int) -> str:
    """A bad byte as the user can find it: its value, offset and line."""
    # Lines counted as in _classify_lines (and editors): \n, \r\n or a lone \r ends one.
    line = len(data[: offset + 1].splitlines())
    return f"byte 0x{data[offset]:02x} at offset {offset}, line {line}"


def _refuse_mixed(body: bytes, path: Path, has_bom: bool, first_bad: str) -> None:
    """Raise if the file claims or shows UTF-8 in part (a byte-order mark, lines of UTF-8
    beyond ASCII): a whole-file Windows-1256 decoding would turn those to mojibake.
    Returns when nothing says UTF-8, so the file is judged as a single other encoding."""
    utf8_lines, bad_lines = _classify_lines(body)
    if not bad_lines or not (has_bom or utf8_lines):
        return
    mark = "the file starts with a UTF-8 byte-order mark but"
    if has_bom and not utf8_lines:  # another encoding behind the mark: no line is worth naming
        problem, fix = f"{mark} its text is not UTF-8", "remove the mark"
    elif has_bom:
        problem, fix = f"{mark} {_lines(bad_lines)} not UTF-8", "fix those lines"
    else:
        problem, fix = f"{_lines(bad_lines)} not UTF-8 while the rest is", "fix those lines"
    raise SahifaError(
        "import",
        f"mixed encodings: {problem} (first bad {first_bad}); {fix} or {NAME_IT}",
        file=path,
    )


def _classify_lines(data: bytes) -> tuple[list[int], list[int]]:
    """(numbers of the lines that are UTF-8 with non-ASCII text, numbers of the lines that
    are not UTF-8). ASCII-only lines are both and count as neither.

    Splitting the bytes is safe: no byte of a UTF-8 or Windows-1256 letter is a line end.
    Windows-1256 Arabic is practically never valid UTF-8 by accident: its letters are bytes
    0xC1-0xFE, which UTF-8 allows only as the lead of a sequence continued by 0x80-0xBF.
    """
    utf8_lines, bad_lines = [], []
    for number, line in enumerate(data.splitlines(), start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            bad_lines.append(number)
        else:
            utf8_lines.append(number)
    return utf8_lines, bad_lines


def _lines(numbers: list[int]) -> str:
    """'line 7 is', 'lines 7, 12 are', or the first few of many and how many in all."""
    if len(numbers) == 1:
        return f"line {numbers[0]} is"
    shown = ", ".join(str(n) for n in numbers[:MAX_LINES_NAMED])
    if len(numbers) > MAX_LINES_NAMED:
        shown += f", … ({len(numbers)} lines)"
    return f"lines {shown} are"


def _judge(data: bytes, path: Path) -> tuple[str, str]:
    """The first candidate decoding that reads as Arabic."""
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
