"""The one place resources are loaded from: confined, typed by content, size-capped.

Articles come from many hands and from scraped archives; a body or a layout must not make a
render read (or embed in the PDF) a file outside the project, or reach the network. Each
allowed folder says what kinds of file it may serve: the article's folder images only,
``layouts/`` stylesheets, images and fonts, ``fonts/`` fonts only. Kinds are judged by the
bytes, not by the name. Paths are resolved to real paths first, so ``..``, percent-encoded
traversal and symlinks out of a folder are refused. No network unless ``allow_remote``;
even then only public addresses, judged after DNS resolution on every connection (redirects
included), so an article cannot reach the preview server, the LAN or a cloud metadata service;
``allow_networks`` (the project's ``remote.allow_networks``) opens named internal networks.
"""

from __future__ import annotations

import http.client
import io
import ipaddress
import mimetypes
import os
import re
import socket
import ssl
import urllib.parse
import urllib.request
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

IMAGE, FONT, CSS = "image", "font", "css"
MAX_DATA_URI = 10 * 1024 * 1024
MAX_REMOTE = 10 * 1024 * 1024
REMOTE_TIMEOUT = 10
MAX_REDIRECTS = 5
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
    allow_networks: tuple[Network, ...] = ()  # internal networks remote fetches may reach
    refused: list[tuple[str, str]] = field(default_factory=list)
    loaded: set[Path] = field(default_factory=set)  # real paths served: what an archive attaches
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
        try:
            scheme = urllib.parse.urlsplit(url).scheme.lower()
        except ValueError as exc:  # "http://[::1/": a broken URL is the article's problem
            raise Refused(f"malformed URL: {exc}") from None
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
        served = self._typed(real.read_bytes(), kinds, real.name)
        self.loaded.add(real)
        return served

    def _remote(self, url: str) -> bytes:
        redirects = _Redirects()
        opener = _opener(self.allow_networks, redirects)
        try:
            request = urllib.request.Request(url, headers={"User-Agent": "sahifa"})
            with opener.open(request, timeout=REMOTE_TIMEOUT) as response:
                data = response.read(MAX_REMOTE + 1)
        except Refused as exc:
            if redirects.hops:  # say where the refused address came from
                raise Refused(f"redirected to {redirects.hops[-1]}: {exc}") from None
            raise
        except (OSError, http.client.HTTPException, ValueError, OverflowError) as exc:
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
            with warnings.catch_warnings():
                # Pillow warns on stderr past ~89 MP, in three lines; the limit below decides.
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                with Image.open(io.BytesIO(data)) as image:  # reads the header only
                    width, height = image.size
                    mode = str(image.mode)
        except Image.DecompressionBombError as exc:
            # Pillow's own cap (~179 MP) refuses to open it at all: the same bomb, found sooner.
            pixels = _bomb_pixels(exc)
            if pixels is None or pixels > self.max_image_pixels:
                raise Fatal(self._over_limit(f"{pixels or 'too many'} pixels")) from None
            raise Refused(f"unreadable image: {exc}") from None  # under our limit, over Pillow's
        except Exception as exc:  # a broken image: WeasyPrint reports it as unreadable
            raise Refused(f"unreadable image: {exc}") from None
        if width * height > self.max_image_pixels:
            raise Fatal(self._over_limit(f"{width} x {height} pixels"))
        return mode

    def _over_limit(self, size: str) -> str:
        limit = self.max_image_pixels // 1_000_000
        return f"image of {size} is over the {limit}-megapixel limit (decompression bomb?)"


def _bomb_pixels(exc: Exception) -> int | None:
    """The pixel count in Pillow's DecompressionBombError ("Image size (900000000 pixels)
    exceeds limit of …"), None if its wording changes."""
    match = re.search(r"\((\d+) pixels\)", str(exc))
    return int(match.group(1)) if match else None


def _rgb_jpeg(data: bytes) -> bytes:
    """A CMYK JPEG (print photos often are) as an RGB JPEG, for archives whose output intent
    is sRGB. Pillow undoes Adobe's inverted CMYK; the conversion is naive, fine on screen."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        out = io.BytesIO()
        image.convert("RGB").save(out, "JPEG", quality=92, dpi=image.info.get("dpi", (72, 72)))
        return out.getvalue()


# Remote fetches. Every connection — the first and each redirect's — resolves the host once,
# judges every address it resolves to, and connects to one of those very addresses: no second
# lookup a rebinding DNS server could answer differently.

_KINDS = (
    ("unspecified", "is_unspecified"), ("loopback", "is_loopback"),
    ("link-local", "is_link_local"), ("multicast", "is_multicast"),
    ("reserved", "is_reserved"), ("private", "is_private"), ("site-local", "is_site_local"),
)  # fmt: skip
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # the well-known prefix: an IPv4 inside


def address_kind(address: Address) -> str | None:
    """Why ``address`` is no public address ("loopback", "link-local", …), or None."""
    inner = _as_ipv4(address)
    if inner is not None:  # ::ffff:127.0.0.1 is 127.0.0.1, whatever ::ffff:0:0/96 is
        return address_kind(inner)
    carried = address.sixtofour if isinstance(address, ipaddress.IPv6Address) else None
    kind = address_kind(carried) if carried is not None else None  # 6to4 to a private one
    if kind is not None:
        return kind
    for kind, test in _KINDS:
        if getattr(address, test, False):
            return kind
    return None if address.is_global else "non-public"  # e.g. 100.64.0.0/10, carrier NAT


def _as_ipv4(address: Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one stands for: IPv4-mapped, or NAT64's well-known prefix
    (an IPv6-only network reaches IPv4 hosts through it)."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def check_address(host: str, address: Address, allow_networks: tuple[Network, ...]) -> None:
    """Refuse ``address`` (``host`` resolved to it) unless public or in ``allow_networks``."""
    candidates = [address, _as_ipv4(address) or address]
    if any(a in network for a in candidates for network in allow_networks):
        return
    kind = address_kind(address)
    if kind is not None:
        article = "an" if kind[0] in "aeiou" else "a"
        raise Refused(
            f"{host} resolves to {address}, {article} {kind} address; not fetched "
            "(remote.allow_networks in sahifa.yaml opens an internal network)"
        )


def _connect_checked(
    address: tuple[str, int], timeout: Any = None, source_address: Any = None, *,
    allow_networks: tuple[Network, ...],
) -> socket.socket:  # fmt: skip
    """``socket.create_connection`` that connects only to addresses ``check_address`` passed."""
    host, port = address
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    for *_, sockaddr in found:  # all of them: a host may not mix a public and a private one
        check_address(host, ipaddress.ip_address(sockaddr[0]), allow_networks)
    error: OSError = OSError(f"{host} has no address")
    for family, kind, proto, _, sockaddr in found:
        sock = socket.socket(family, kind, proto)
        try:
            if isinstance(timeout, int | float):
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)  # the checked address itself, not the name again
            return sock
        except OSError as exc:
            sock.close()
            error = exc
    raise error


class _CheckedConnection:
    """Mixin for http.client connections: connect through ``_connect_checked``."""

    def __init__(self, *args: Any, allow_networks: tuple[Network, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # http.client calls this attribute to open the socket (HTTPS wraps it afterwards,
        # verifying the certificate for the host name as usual).
        self._create_connection = partial(_connect_checked, allow_networks=allow_networks)


class _HTTPConnection(_CheckedConnection, http.client.HTTPConnection):
    pass


class _HTTPSConnection(_CheckedConnection, http.client.HTTPSConnection):
    pass


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, allow_networks: tuple[Network, ...]) -> None:
        super().__init__()
        self.allow_networks = allow_networks

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        connection = partial(_HTTPConnection, allow_networks=self.allow_networks)
        return self.do_open(connection, req)  # type: ignore[arg-type]


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, allow_networks: tuple[Network, ...]) -> None:
        super().__init__(context=ssl.create_default_context())  # verifies host and chain
        self.allow_networks = allow_networks

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        connection = partial(_HTTPSConnection, allow_networks=self.allow_networks)
        return self.do_open(connection, req, context=self._context)  # type: ignore[arg-type, attr-defined]


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follows http(s) redirects only (never ftp: or file:), and remembers them."""

    max_redirections = MAX_REDIRECTS

    def __init__(self) -> None:
        self.hops: list[str] = []

    def redirect_request(self, req: urllib.request.Request, fp: Any, code: int, msg: str,
                         headers: Any, newurl: str) -> urllib.request.Request | None:  # fmt: skip
        if urllib.parse.urlsplit(newurl).scheme.lower() not in ("http", "https"):
            fp.close()
            raise Refused(f"redirected to {newurl}: only http and https are followed")
        self.hops.append(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener(allow_networks: tuple[Network, ...], redirects: _Redirects) -> Any:
    """An opener with only checked http(s) handlers: no proxy (it would resolve the host
    itself, past the check), no ftp:, file: or data: for a redirect to land on."""
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.UnknownHandler(), _HTTPHandler(allow_networks),
        _HTTPSHandler(allow_networks), redirects, urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):  # fmt: skip
        opener.add_handler(handler)
    return opener
