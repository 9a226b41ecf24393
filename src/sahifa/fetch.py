"""The one place resources are loaded from: confined, typed by content, size-capped.

Articles come from many hands and from scraped archives; a body or a layout must not make a
render read (or embed in the PDF) a file outside the project, or reach the network. Each
allowed folder says what kinds of file it may serve: the article's folder images only,
``layouts/`` stylesheets, images and fonts, ``fonts/`` fonts only. Kinds are judged by the
bytes, not by the name. Paths are resolved to real paths first, so ``..``, percent-encoded
traversal and symlinks out of a folder are refused. No network unless ``allow_remote``.
"""

from __future__ import annotations

import io
import mimetypes
import os
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

IMAGE, FONT, CSS = "image", "font", "css"
MAX_DATA_URI = 10 * 1024 * 1024
MAX_REMOTE = 10 * 1024 * 1024
REMOTE_TIMEOUT = 10
_RASTER = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg",
           b"GIF87a": "image/gif", b"GIF89a": "image/gif"}  # fmt: skip
_FONTS = (b"\x00\x01\x00\x00", b"OTTO", b"true", b"ttcf", b"wOFF", b"wOF2")


class Refused(ValueError):
    """A resource the render may not load; the message says why."""


class Fatal(Refused):
    """A resource that must fail the render whatever the strictness (a decompression bomb)."""


def sniff(data: bytes) -> tuple[str | None, str]:
    """(kind, media type) judged by content: image, font, css, or None."""
    head = data[:512]
    for magic, mime in _RASTER.items():
        if head.startswith(magic):
            return IMAGE, mime
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return IMAGE, "image/webp"
    if head.startswith(_FONTS):
        return FONT, "font/ttf"
    if b"\x00" in head:
        return None, "application/octet-stream"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<svg", b"<?xml")) and b"<svg" in data[:4096].lower():
        return IMAGE, "image/svg+xml"
    if text.startswith(b"<"):
        return None, "text/html"  # HTML or other markup: never loaded
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None, "application/octet-stream"
    return CSS, "text/css"


@dataclass
class Fetcher:
    """Loads what a render asks for, within ``roots``; remembers what it refused."""

    roots: Mapping[Path, frozenset[str]]
    allow_remote: bool = False
    max_image_pixels: int = 80_000_000
    rgb_images: bool = False  # PDF/A: an sRGB output intent allows no CMYK image
    refused: list[tuple[str, str]] = field(default_factory=list)
    fatal: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.roots = {Path(os.path.realpath(r)): kinds for r, kinds in self.roots.items()}

    def load(self, url: str) -> tuple[bytes, str]:
        """(bytes, media type) of ``url``, or ``Refused`` saying why not (also recorded)."""
        try:
            return self._load(url)
        except Fatal as exc:
            self.fatal.append((url, str(exc)))
            raise
        except Refused as exc:
            self.refused.append((url, str(exc)))
            raise

    def _load(self, url: str) -> tuple[bytes, str]:
        scheme = urllib.parse.urlsplit(url).scheme.lower()
        if scheme == "data":
            if len(url) > MAX_DATA_URI:
                raise Refused(f"data: URI over {MAX_DATA_URI} bytes")
            with urllib.request.urlopen(url) as response:
                return self._typed(bytes(response.read()), {IMAGE, FONT})
        if scheme in ("http", "https"):
            if not self.allow_remote:
                raise Refused("network access is off (--allow-remote turns it on)")
            return self._typed(self._remote(url), {IMAGE, FONT, CSS})
        if scheme != "file":
            raise Refused(f"{scheme or 'relative'} URLs are not allowed")
        raw_path = urllib.request.url2pathname(urllib.parse.urlsplit(url).path)
        real = Path(os.path.realpath(raw_path))
        kinds = next((k for root, k in self.roots.items() if real.is_relative_to(root)), None)
        if kinds is None:
            raise Refused("outside the project's asset folders")
        if not real.is_file():
            raise Refused("no such file")
        return self._typed(real.read_bytes(), kinds, real.name)

    def _remote(self, url: str) -> bytes:
        request = urllib.request.Request(url, headers={"User-Agent": "sahifa"})
        try:
            with urllib.request.urlopen(request, timeout=REMOTE_TIMEOUT) as response:
                data = response.read(MAX_REMOTE + 1)
        except OSError as exc:
            raise Refused(f"could not fetch: {exc}") from None
        if len(data) > MAX_REMOTE:
            raise Refused(f"over the {MAX_REMOTE}-byte limit for remote resources")
        return bytes(data)

    def _typed(
        self, data: bytes, kinds: frozenset[str] | set[str], name: str = ""
    ) -> tuple[bytes, str]:
        kind, mime = sniff(data)
        if kind is None or kind not in kinds:
            allowed = ", ".join(sorted(kinds))
            raise Refused(f"content is {kind or mime}, not one of: {allowed}")
        if kind == IMAGE and mime != "image/svg+xml":
            mode = self._check_pixels(data)
            if self.rgb_images and mode in ("CMYK", "YCCK"):
                data, mime = _rgb_jpeg(data), "image/jpeg"
        if kind == FONT and name:
            mime = mimetypes.guess_type(name)[0] or mime
        return data, mime

    def _check_pixels(self, data: bytes) -> str:
        """The image's colour mode, after checking its size from the header."""
        from PIL import Image

        try:
            with Image.open(io.BytesIO(data)) as image:  # reads the header only
                width, height = image.size
                mode = str(image.mode)
        except Exception as exc:  # a broken image: WeasyPrint reports it as unreadable
            raise Refused(f"unreadable image: {exc}") from None
        if width * height > self.max_image_pixels:
            raise Fatal(
                f"image of {width} x {height} pixels is over the "
                f"{self.max_image_pixels // 1_000_000}-megapixel limit (decompression bomb?)"
            )
        return mode


def _rgb_jpeg(data: bytes) -> bytes:
    """A CMYK JPEG (print photos often are) as an RGB JPEG, for archives whose output intent
    is sRGB. Pillow undoes Adobe's inverted CMYK; the conversion is naive, fine on screen."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        out = io.BytesIO()
        image.convert("RGB").save(out, "JPEG", quality=92, dpi=image.info.get("dpi", (72, 72)))
        return out.getvalue()
