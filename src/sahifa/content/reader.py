"""Article files (YAML, or Markdown with YAML front matter) → ``Article`` + warnings.

Every problem names the file, the key and the line, because the print desk fixes files at
night under time pressure and must not have to hunt.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from sahifa import schema
from sahifa.content.article import Article, HijriDate, Image
from sahifa.content.yamlfile import YamlMap, parse_yaml, read_text
from sahifa.errors import ArticleError, Problem, SahifaError
from sahifa.trust import confined, missing_file

ARTICLE_SUFFIXES = (".yaml", ".yml", ".md")
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
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


def _content_text(*, one_line: bool = False, strip: bool = False) -> schema.Kind:
    """Text of an article field: printable, bidi controls removed (with a warning)."""
    plain = schema.text()

    def kind(value: Any, found: schema.Found, key: str, line: int | None) -> str:
        cleaned, count = schema.BIDI_CONTROLS.subn("", plain(value, found, key, line))
        if count:
            found.warn(f"{count} bidi control character(s) (U+202A-U+202E, U+2066-U+2069) "
                       "removed: they reorder printed text", key, line)  # fmt: skip
        if one_line:
            return _one_line(cleaned)
        return cleaned.strip() if strip else cleaned

    return kind


def _iso(value: Any) -> tuple[int, int, int]:
    if not isinstance(value, str) or not _ISO_DATE.match(value.strip()):
        raise schema.Invalid(f"expected a date as yyyy-mm-dd, got {value!r}")
    year, month, day = (int(part) for part in value.strip().split("-"))
    return year, month, day


def _date(value: Any, found: schema.Found, key: str, line: int | None) -> dt.date:
    try:
        date = dt.date(*_iso(value))
    except ValueError as exc:
        if isinstance(exc, schema.Invalid):
            raise
        raise schema.Invalid(f"not a real date: {exc}") from None
    if date.year not in YEARS:
        raise schema.Invalid(f"year {date.year} is outside {YEARS.start}-{YEARS.stop - 1}")
    return date


def _hijri(value: Any, found: schema.Found, key: str, line: int | None) -> HijriDate:
    """An explicit Hijri date overrides the computed one (the official date can differ)."""
    year, month, day = _iso(value)
    if not (1200 <= year <= 1700 and 1 <= month <= 12 and 1 <= day <= 30):
        raise schema.Invalid("a Hijri date has years 1200-1700, months 1-12 and days 1-30")
    return HijriDate(year, month, day)


def _image_src(path: Path) -> schema.Kind:
    """An image file in the article's folder (or below), symlinks followed: a contributor must
    not make the render read, or an archive attach, a file from elsewhere."""

    def kind(value: Any, found: schema.Found, key: str, line: int | None) -> Path:
        ref = schema.text()(value, found, key, line).strip()
        try:
            src = confined(path.parent, ref, [path.parent], category="article", what="image",
                           file=path, key=key, line=line).resolve()  # fmt: skip
        except SahifaError as exc:
            raise schema.Invalid(exc.problem.message) from None
        why = missing_file(src)
        if why:
            raise schema.Invalid(f"image file {why}: {ref[:200]} (looked for {src})")
        if _image_kind(src) is None:
            raise schema.Invalid(f"{ref} is not a PNG, JPEG, GIF, WebP or SVG image")
        return src

    return kind


def _tag(value: Any, found: schema.Found, key: str, line: int | None) -> str:
    # Tags reach the PDF's /Keywords: no control characters there either.
    return _content_text(strip=True)(value, found, key, line)


def article_schema(path: Path) -> schema.Schema:
    """The article format (README, "Article format"): content, so an unknown key warns."""
    image = schema.Schema({
        "src": schema.Field(_image_src(path), doc="an image file next to the article"),
        "caption": schema.Field(_content_text(one_line=True), default=""),
        "credit": schema.Field(_content_text(one_line=True), default=""),
    }, unknown=schema.CONTENT)  # fmt: skip
    return schema.Schema({
        "headline": schema.Field(_content_text(one_line=True), doc="required, one line"),
        "kicker": schema.Field(_content_text(one_line=True), default=""),
        "deck": schema.Field(_content_text(strip=True), default=""),
        "byline": schema.Field(_content_text(one_line=True), default=""),
        "section": schema.Field(_content_text(one_line=True), default=""),
        "body": schema.Field(_content_text(), default="", doc="Markdown"),
        "date": schema.Field(_date, doc="yyyy-mm-dd"),
        "hijri_date": schema.Field(_hijri, doc="yyyy-mm-dd (Hijri)"),
        "image": schema.Field(_image_field(image)),
        "tags": schema.Field(schema.list_of(_tag, what="text (tags: [a, b])"), default=[]),
    }, unknown=schema.CONTENT)  # fmt: skip


def _image_field(image: schema.Schema) -> schema.Kind:
    def kind(value: Any, found: schema.Found, key: str, line: int | None) -> dict[str, Any]:
        if not isinstance(value, YamlMap):
            raise schema.Invalid(
                f"expected a mapping with src, caption, credit; got {_kind(value)}"
            )
        return image.check(value, found, key, line)

    return kind


def _build(data: YamlMap, path: Path) -> tuple[Article, list[Problem]]:
    """The article of ``data``, or one error with every problem of the file."""
    found = schema.Found(path, "article")
    values = article_schema(path).check(data, found, "", 1)
    headline = values["headline"]
    if headline is None or (isinstance(headline, str) and not headline.strip()):
        found.error("missing headline (required)" if "headline" not in data
                    else "headline is empty", "headline", data.line_of("headline"))  # fmt: skip
    image = None
    if isinstance(values["image"], dict):
        fields = values["image"]
        if fields["src"] is None:
            found.warn("image has no src: printing a placeholder frame with the caption",
                       "image", data.line_of("image"))  # fmt: skip
        src = fields["src"] if isinstance(fields["src"], Path) else None
        image = Image(src=src, caption=_value(fields["caption"]), credit=_value(fields["credit"]))
    if data.get("hijri_date") and not data.get("date"):
        found.warn("hijri_date without date: the date line needs the Gregorian date; ignored",
                   "hijri_date", data.line_of("hijri_date"))  # fmt: skip
    found.raise_errors()
    article = Article(
        path=path,
        headline=values["headline"],
        kicker=values["kicker"],
        deck=values["deck"],
        byline=values["byline"],
        section=values["section"],
        body=values["body"],
        date=values["date"],
        hijri_date=values["hijri_date"] if values["date"] else None,
        image=image,
        tags=tuple(tag for tag in values["tags"] if tag),
        body_line=data.line_of("body") or 1,
        key_lines=dict(data.lines),
    )
    return article, found.warnings


def _value(value: Any) -> str:
    return "" if value is None or value is schema.MISSING else str(value)


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "text"


def _one_line(text: str) -> str:
    """Titles are single lines; YAML block scalars may have left newlines in them."""
    return " ".join(text.split())


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
