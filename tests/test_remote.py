"""--allow-remote reaches public addresses only: judged after DNS, on every redirect.

The machine running the tests has no network but loopback, so the "allowed" server is a
loopback one opened with ``remote.allow_networks`` (the trusted setting a newsroom with an
internal image server uses); everything else must be refused before any connection.
"""

from __future__ import annotations

import io
import ipaddress
import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PIL import Image

from conftest import loopback_server, run_cli
from sahifa.fetch import Fetcher, Refused, address_kind

LOOPBACK_ONLY = (ipaddress.ip_network("127.0.0.1/32"),)


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


PNG = _png()


@pytest.fixture
def server() -> Iterator[tuple[str, list[str]]]:
    """A loopback HTTP server that records every request: ``/x.png`` is an image,
    ``/to?<url>`` redirects to ``<url>``."""
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            if self.path.startswith("/to?"):
                self.send_response(302)
                self.send_header("Location", self.path.split("?", 1)[1])
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            self.wfile.write(PNG)

        def log_message(self, *args: object) -> None:
            pass

    with loopback_server(Handler) as base:
        yield base, requests


def _certificate(folder: Path, subject_alt_name: str) -> tuple[Path, Path]:
    """A self-signed certificate (and its key) for ``subject_alt_name`` (openssl: installed by
    scripts/setup.sh)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "1", "-subj", "/CN=sahifa test", "-addext",
         f"subjectAltName={subject_alt_name}", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def tls_server(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[str, Path]]:
    """A loopback HTTPS server with a self-signed certificate for ``request.param``."""
    cert, key = _certificate(tmp_path, request.param)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.end_headers()
            self.wfile.write(PNG)

        def log_message(self, *args: object) -> None:
            pass

    class Server(ThreadingHTTPServer):
        def handle_error(self, *args: object) -> None:
            pass  # the client refusing the certificate is what some tests want

    httpd = Server(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{httpd.server_address[1]}", cert
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize("tls_server", ["IP:127.0.0.1"], indirect=True)
def test_https_verifies_the_certificate(
    tls_server: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    base, cert = tls_server
    fetcher = Fetcher({}, allow_remote=True, allow_networks=LOOPBACK_ONLY)
    why = _refusal(fetcher, f"{base}/x.png")  # self-signed: no trusted chain
    assert why.startswith("could not fetch: ") and "CERTIFICATE_VERIFY_FAILED" in why
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # trust it, as a newsroom's CA would be
    assert fetcher.load(f"{base}/x.png")[0] == PNG


@pytest.mark.parametrize("tls_server", ["DNS:images.example"], indirect=True)
def test_https_verifies_the_host_name(
    tls_server: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    base, cert = tls_server
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # a trusted certificate, for another host
    fetcher = Fetcher({}, allow_remote=True, allow_networks=LOOPBACK_ONLY)
    why = _refusal(fetcher, f"{base}/x.png")
    assert "mismatch, certificate is not valid for '127.0.0.1'" in why


def _refusal(fetcher: Fetcher, url: str) -> str:
    with pytest.raises(Refused) as caught:
        fetcher.load(url)
    assert fetcher.refused[-1] == (url, str(caught.value))
    return str(caught.value)


def test_a_loopback_address_is_refused_before_connecting(
    server: tuple[str, list[str]],
) -> None:
    base, requests = server
    why = _refusal(Fetcher({}, allow_remote=True), f"{base}/x.png")
    assert "resolves to 127.0.0.1, a loopback address" in why
    assert requests == []


def test_a_host_name_is_judged_by_what_it_resolves_to(server: tuple[str, list[str]]) -> None:
    base, requests = server
    port = base.rsplit(":", 1)[1]
    fetcher = Fetcher({}, allow_remote=True)
    why = _refusal(fetcher, f"http://localhost:{port}/x.png")
    assert why.startswith("localhost resolves to ") and "a loopback address" in why
    # Numeric spellings the C resolver accepts are judged after resolution too.
    why = _refusal(fetcher, f"http://2130706433:{port}/x.png")
    assert "resolves to 127.0.0.1, a loopback address" in why
    why = _refusal(fetcher, f"http://[::ffff:127.0.0.1]:{port}/x.png")
    assert "a loopback address" in why
    assert requests == []


def test_an_allowed_network_is_fetched(server: tuple[str, list[str]]) -> None:
    base, requests = server
    fetcher = Fetcher({}, allow_remote=True, allow_networks=LOOPBACK_ONLY)
    assert fetcher.load(f"{base}/x.png") == (PNG, "image/png")
    assert requests == ["/x.png"] and fetcher.refused == []


def test_a_redirect_to_the_metadata_address_is_never_followed(
    server: tuple[str, list[str]],
) -> None:
    base, requests = server
    fetcher = Fetcher({}, allow_remote=True, allow_networks=LOOPBACK_ONLY)
    url = f"{base}/to?http://169.254.169.254/latest/meta-data/"
    why = _refusal(fetcher, url)
    # Refused at the check, before a connection: a connection attempt would have ended in
    # "could not fetch" (a timeout or an unreachable network) instead.
    assert why.startswith("redirected to http://169.254.169.254/latest/meta-data/: ")
    assert "resolves to 169.254.169.254, a link-local address" in why
    assert requests == ["/to?http://169.254.169.254/latest/meta-data/"]


def test_a_redirect_to_a_loopback_address_outside_the_allowed_network_is_refused(
    server: tuple[str, list[str]],
) -> None:
    base, requests = server
    port = base.rsplit(":", 1)[1]
    fetcher = Fetcher({}, allow_remote=True, allow_networks=LOOPBACK_ONLY)
    for target in (f"http://[::1]:{port}/x.png", f"http://127.0.0.2:{port}/x.png"):
        why = _refusal(fetcher, f"{base}/to?{target}")
        assert why.startswith(f"redirected to {target}: ") and "a loopback address" in why
    # A redirect within the allowed network is followed; one to file: is not.
    assert fetcher.load(f"{base}/to?/x.png")[0] == PNG
    why = _refusal(fetcher, f"{base}/to?file:///etc/passwd")
    assert "file:///etc/passwd" in why and "not allowed" in why
    assert [r for r in requests if not r.startswith("/to?")] == ["/x.png"]


def test_allow_remote_in_an_article_render(
    server: tuple[str, list[str]], project: Path, tmp_path: Path
) -> None:
    base, requests = server
    article = project / "articles" / "a.yaml"
    article.write_text(f"headline: خبر\nbody: |\n  ![صورة]({base}/x.png)\n", encoding="utf-8")
    result = run_cli("render", article, "-o", tmp_path / "a.pdf", "--allow-remote")
    assert result.code == 0, result.err
    assert "resolves to 127.0.0.1, a loopback address" in result.err
    assert requests == []


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("8.8.8.8", None), ("2606:4700:4700::1111", None),
        ("127.0.0.1", "loopback"), ("127.8.9.10", "loopback"), ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"), ("::ffff:169.254.169.254", "link-local"),
        ("::ffff:10.0.0.1", "private"), ("::ffff:8.8.8.8", None),
        ("169.254.169.254", "link-local"), ("fe80::1", "link-local"),
        ("10.1.2.3", "private"), ("172.16.0.1", "private"), ("192.168.1.1", "private"),
        ("fc00::1", "private"), ("fd12:3456::1", "private"),
        ("224.0.0.1", "multicast"), ("239.255.255.250", "multicast"), ("ff02::1", "multicast"),
        ("240.0.0.1", "reserved"), ("255.255.255.255", "reserved"),
        ("0.0.0.0", "unspecified"), ("::", "unspecified"),
        ("100.64.0.1", "non-public"),  # carrier-grade NAT: shared, not global
        ("2002:7f00:1::1", "loopback"),  # 6to4 carrying 127.0.0.1
        ("64:ff9b::a9fe:a9fe", "link-local"),  # NAT64 carrying 169.254.169.254
        ("64:ff9b::808:808", None),  # NAT64 carrying 8.8.8.8 (IPv6-only networks)
        ("fec0::1", "site-local"),
    ],
)  # fmt: skip
def test_address_kind(address: str, kind: str | None) -> None:
    assert address_kind(ipaddress.ip_address(address)) == kind


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("remote:\n  allow_networks: [10.1.0.0/33]\n", "not a network"),
        ("remote:\n  allow_networks: [10.1.2.0/16]\n", "has host bits set"),
        ("remote:\n  allow_networks: 10.1.0.0/16\n", "expected a list of networks"),
        ("remote:\n  allow: [10.1.0.0/16]\n", "unknown key"),
        ("remote: 10.1.0.0/16\n", "expected a mapping"),
    ],
)
def test_a_bad_remote_setting_is_one_line_naming_key_and_line(
    setting: str, message: str, project: Path, tmp_path: Path
) -> None:
    settings_file = project / "sahifa.yaml"
    text = settings_file.read_text(encoding="utf-8")
    line = text.count("\n") + (2 if "allow" in setting else 1)
    settings_file.write_text(text + setting, encoding="utf-8")
    article = project / "articles" / "a.yaml"
    article.write_text("headline: خبر\n", encoding="utf-8")
    result = run_cli("render", article, "-o", tmp_path / "a.pdf")
    assert result.code == 1
    assert len(result.err.strip().splitlines()) == 1, result.err
    assert result.err.startswith("config: ") and f"sahifa.yaml:{line}: remote" in result.err
    assert message in result.err


def test_the_remote_setting_reaches_settings(project: Path) -> None:
    from sahifa.settings import load_settings

    settings_file = project / "sahifa.yaml"
    settings_file.write_text(
        settings_file.read_text(encoding="utf-8")
        + "remote:\n  allow_networks: [10.1.0.0/16, 'fd00:1::/64', 192.0.2.7]\n",
        encoding="utf-8",
    )
    settings, warnings = load_settings(project)
    assert warnings == []
    assert settings.remote_networks == tuple(
        ipaddress.ip_network(n) for n in ("10.1.0.0/16", "fd00:1::/64", "192.0.2.7/32")
    )
