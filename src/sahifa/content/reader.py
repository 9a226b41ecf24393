"""Article files (YAML, or Markdown with YAML front matter) → ``Article`` + warnings.

Every problem names the file, the key and the line, because the print desk fixes files at
night under time pressure and must not have to hunt.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from sahifa.content.article import Article, HijriDate, Image
from sahifa.content.yamlfile import YamlMap, parse_yaml, read_text
from sahifa.errors import ArticleError, Problem
from sahifa.trust import confined

ARTICLE_SUFFIXES = (".yaml", ".yml", ".md")
TEXT_KEYS = ("headline", "kicker", "deck", "byline", "section", "body")
KNOWN_KEYS = {*TEXT_KEYS, "date", "hijri_date", "image", "tags"}
IMAGE_KEYS = {"src", "caption", "credit"}
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
# Text that cannot print: C0/C1 controls (but tab and newline) and lone surrogates.
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
# Bidi embeddings, overrides and isolates (LRE RLE PDF LRO RLO, LRI RLI FSI PDI): invisible,
# and they reorder what prints — an RLO turns "2023" into "3202" on the page. The marks
# (LRM, RLM, ALM) stay: they only set the direction of neutral characters.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
YEARS = range(1800, 2201)  # the Gregorian years a paper's issues can carry
# Image formats WeasyPrint embeds, recognised by content rather than by name.
_IMAGE_MAGIC = {
    b"\x89PNG\r\n\x1a\n": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"GIF87a": "GIF",
    b"GIF89a": "GIF",
}
_FRONT_MATTER_END = re.compile(r"^---\s*$", re.M)


def read_article(path: Path) -> tuple[Article, list[Problem]]:
    """Read and validate one article file. Raises ``ArticleError``; returns warnings."""
    path = Path(path)
    if path.suffix.lower() not in ARTICLE_SUFFIXES:
        raise ArticleError(
            f"unknown article type {path.suffix or '(no extension)'!r}; use .yaml, .yml or .md",
            file=path,
        )
    text = read_text(path)
    if path.suffix.lower() == ".md":
        data, body, body_line = _split_front_matter(text, path)
        if "body" in data:
            raise ArticleError(
                "a Markdown article has its body after the front matter, not as a key",
                file=path,
                key="body",
                line=data.line_of("body"),
            )
        data["body"] = body
        data.lines["body"] = body_line
    else:
        data = parse_yaml(text, path)
        if data is None:
            raise ArticleError("empty file: an article needs at least a headline", file=path)
        if not isinstance(data, YamlMap):
            raise ArticleError(
                f"an article is a mapping of keys (headline: …), not {_kind(data)}",
                file=path,
                line=1,
            )
    return _build(data, path)


def _split_front_matter(text: str, path: Path) -> tuple[YamlMap, str, int]:
    if not text.startswith("---"):
        raise ArticleError(
            "a Markdown article starts with YAML front matter between '---' lines "
            "(headline: … at least)",
            file=path,
            line=1,
        )
    first_nl = text.find("\n")
    end = _FRONT_MATTER_END.search(text, first_nl + 1) if first_nl >= 0 else None
    if end is None:
        raise ArticleError("front matter is not closed by a '---' line", file=path, line=1)
    front = text[first_nl + 1 : end.start()]
    data = parse_yaml(front, path, first_line=2)
    if data is None:
        data = YamlMap()
    if not isinstance(data, YamlMap):
        raise ArticleError(
            f"front matter is a mapping of keys, not {_kind(data)}", file=path, line=2
        )
    body_start = text.find("\n", end.start())
    body = text[body_start + 1 :] if body_start >= 0 else ""
    body_line = text.count("\n", 0, body_start + 1) + 1
    return data, body, body_line


def _build(data: YamlMap, path: Path) -> tuple[Article, list[Problem]]:
    warnings: list[Problem] = []
    for key in data:
        if key not in KNOWN_KEYS:
            warnings.append(
                Problem(
                    "article",
                    f"unknown key (known: {', '.join(sorted(KNOWN_KEYS))}); ignored",
                    file=path,
                    key=key,
                    line=data.line_of(key),
                )
            )
    text = {
        key: _without_bidi_controls(_text(data, key, path), path, key, data.line_of(key), warnings)
        for key in TEXT_KEYS
    }
    if not text["headline"].strip():
        raise ArticleError(
            "missing headline (required)" if "headline" not in data else "headline is empty",
            file=path,
            key="headline",
            line=data.line_of("headline"),
        )
    image, image_warnings = _image(data, path)
    warnings += image_warnings
    if image is not None:
        line = data.line_of("image")
        image = Image(
            src=image.src,
            caption=_without_bidi_controls(image.caption, path, "image.caption", line, warnings),
            credit=_without_bidi_controls(image.credit, path, "image.credit", line, warnings),
        )
    if data.get("hijri_date") and not data.get("date"):
        warnings.append(
            Problem(
                "article",
                "hijri_date without date: the date line needs the Gregorian date; ignored",
                file=path,
                key="hijri_date",
                line=data.line_of("hijri_date"),
            )
        )
    article = Article(
        path=path,
        headline=_one_line(text["headline"]),
        kicker=_one_line(text["kicker"]),
        deck=text["deck"].strip(),
        byline=_one_line(text["byline"]),
        section=_one_line(text["section"]),
        body=text["body"],
        date=_date(data, path),
        hijri_date=_hijri(data, path),
        image=image,
        tags=tuple(
            _without_bidi_controls(tag, path, "tags", data.line_of("tags"), warnings)
            for tag in _tags(data, path)
        ),
        body_line=data.line_of("body") or 1,
        key_lines=dict(data.lines),
    )
    return article, warnings


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "text"


def _text(data: YamlMap, key: str, path: Path) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ArticleError(
            f"expected text, got {_kind(value)}", file=path, key=key, line=data.line_of(key)
        )
    _check_printable(value, path, key, data.line_of(key))
    return value


def _check_printable(value: str, path: Path, key: str, line: int | None) -> None:
    bad = _UNPRINTABLE.search(value)
    if bad:
        raise ArticleError(
            f"contains an unprintable character U+{ord(bad.group()):04X}",
            file=path,
            key=key,
            line=line,
        )


def _without_bidi_controls(
    value: str, path: Path, key: str, line: int | None, warnings: list[Problem]
) -> str:
    """``value`` without bidi embedding/override/isolate controls; a warning if it had any."""
    cleaned, count = _BIDI_CONTROLS.subn("", value)
    if count:
        warnings.append(Problem(
            "article", f"{count} bidi control character(s) (U+202A-U+202E, U+2066-U+2069) "
            "removed: they reorder printed text", file=path, key=key, line=line,
        ))  # fmt: skip
    return cleaned


def _one_line(text: str) -> str:
    """Titles are single lines; YAML block scalars may have left newlines in them."""
    return " ".join(text.split())


def _parse_iso(value: Any, data: YamlMap, key: str, path: Path) -> tuple[int, int, int] | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _ISO_DATE.match(value.strip()):
        raise ArticleError(
            f"expected a date as yyyy-mm-dd, got {value!r}",
            file=path,
            key=key,
            line=data.line_of(key),
        )
    year, month, day = (int(part) for part in value.strip().split("-"))
    return year, month, day


def _date(data: YamlMap, path: Path) -> dt.date | None:
    parts = _parse_iso(data.get("date"), data, "date", path)
    if parts is None:
        return None
    try:
        date = dt.date(*parts)
    except ValueError as exc:
        raise ArticleError(
            f"not a real date: {exc}", file=path, key="date", line=data.line_of("date")
        ) from None
    if date.year not in YEARS:
        raise ArticleError(
            f"year {date.year} is outside {YEARS.start}-{YEARS.stop - 1}",
            file=path,
            key="date",
            line=data.line_of("date"),
        )
    return date


def _hijri(data: YamlMap, path: Path) -> HijriDate | None:
    """An explicit Hijri date overrides the computed one (the official date can differ)."""
    parts = _parse_iso(data.get("hijri_date"), data, "hijri_date", path)
    if parts is None:
        return None
    year, month, day = parts
    if not (1200 <= year <= 1700 and 1 <= month <= 12 and 1 <= day <= 30):
        raise ArticleError(
            "a Hijri date has years 1200-1700, months 1-12 and days 1-30",
            file=path,
            key="hijri_date",
            line=data.line_of("hijri_date"),
        )
    return HijriDate(year, month, day)


def _image(data: YamlMap, path: Path) -> tuple[Image | None, list[Problem]]:
    value = data.get("image")
    if value is None or value == "":
        return None, []
    line = data.line_of("image")
    if not isinstance(value, YamlMap):
        raise ArticleError(
            f"expected a mapping with src, caption, credit; got {_kind(value)}",
            file=path,
            key="image",
            line=line,
        )
    warnings = [
        Problem(
            "article",
            f"unknown key (known: {', '.join(sorted(IMAGE_KEYS))}); ignored",
            file=path,
            key=f"image.{key}",
            line=value.line_of(key),
        )
        for key in value
        if key not in IMAGE_KEYS
    ]
    fields = {}
    for key in IMAGE_KEYS:
        item = value.get(key)
        if item is not None and not isinstance(item, str):
            raise ArticleError(
                f"expected text, got {_kind(item)}",
                file=path,
                key=f"image.{key}",
                line=value.line_of(key),
            )
        fields[key] = (item or "").strip()
        _check_printable(fields[key], path, f"image.{key}", value.line_of(key))
    src: Path | None = None
    if fields["src"]:
        where = {"file": path, "key": "image.src", "line": value.line_of("src")}
        # An article's image lies in its folder (or below), symlinks followed: a contributor
        # must not make the render read, or an archive attach, a file from elsewhere.
        src = confined(path.parent, fields["src"], [path.parent], category="article",
                       what="image", **where).resolve()  # fmt: skip
        if not src.is_file():
            raise ArticleError(f"image file not found: {fields['src']} (looked for {src})", **where)
        kind = _image_kind(src)
        if kind is None:
            raise ArticleError(
                f"{fields['src']} is not a PNG, JPEG, GIF, WebP or SVG image", **where
            )
    else:
        warnings.append(
            Problem(
                "article",
                "image has no src: printing a placeholder frame with the caption",
                file=path,
                key="image",
                line=line,
            )
        )
    image = Image(src=src, caption=_one_line(fields["caption"]), credit=_one_line(fields["credit"]))
    return image, warnings


def _image_kind(path: Path) -> str | None:
    """The image's format judged by its first bytes, not its name."""
    with path.open("rb") as handle:
        head = handle.read(512)
    for magic, kind in _IMAGE_MAGIC.items():
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WebP"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<svg", b"<?xml")) and b"<svg" in head.lower():
        return "SVG"
    return None


def _tags(data: YamlMap, path: Path) -> tuple[str, ...]:
    value = data.get("tags")
    if value is None or value == "":
        return ()
    if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
        raise ArticleError(
            "expected a list of text (tags: [a, b])",
            file=path,
            key="tags",
            line=data.line_of("tags"),
        )
    for tag in value:  # tags reach the PDF's /Keywords: no control characters there either
        _check_printable(tag, path, "tags", data.line_of("tags"))
    return tuple(tag.strip() for tag in value if tag.strip())
