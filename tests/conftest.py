"""Shared fixtures: the repository's sample project and throwaway copies of it."""

from __future__ import annotations

import io
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from sahifa.cli import main

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "articles/2023/05/02/wahdat-al-jabahat.yaml"
SAMPLES = sorted(  # the sample articles (editions are tested in test_edition.py)
    p
    for p in (REPO / "articles").rglob("*")
    if p.suffix in (".yaml", ".md") and p.is_file() and p.name != "edition.yaml"
)


@dataclass
class Run:
    code: int
    out: str
    err: str


def run_cli(*args: str | Path) -> Run:
    """Run the sahifa command line in-process, as a user would type it."""
    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in args], stdout=out, stderr=err)
    return Run(code, out.getvalue(), err.getvalue())


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh sahifa project (settings, layouts, fonts) with an empty articles folder."""
    root = tmp_path / "paper"
    root.mkdir()
    shutil.copy(REPO / "sahifa.yaml", root / "sahifa.yaml")
    shutil.copytree(REPO / "layouts", root / "layouts")
    shutil.copytree(REPO / "fonts", root / "fonts")
    (root / "articles").mkdir()
    return root


@pytest.fixture(scope="session")
def seed_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed article rendered once for the tests that only read the result."""
    out = tmp_path_factory.mktemp("seed") / "seed.pdf"
    result = run_cli("render", SEED, "-o", out)
    assert result.code == 0, result.err
    return out


@contextmanager
def loopback_server(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """An HTTP server on 127.0.0.1 (any free port) for the block; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
