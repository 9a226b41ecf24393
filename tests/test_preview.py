"""Designers' tools: proofs, visual diff, and the live preview in a real headless Chromium."""

from __future__ import annotations

import http.client
import io
import json
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO, run_cli

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Flags for a closed network and a root user (see the machine notes): no sandbox, no
# background connections, a fresh profile.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def test_proof_writes_one_png_per_page(tmp_path: Path) -> None:
    result = run_cli(
        "proof", REPO / "articles/2023/05/02/edition.yaml", "-o", tmp_path, "--dpi", "20"
    )
    assert result.code == 0, result.err
    pngs = sorted(tmp_path.glob("page-*.png"))
    assert [p.name for p in pngs] == ["page-1.png", "page-2.png", "page-3.png", "page-4.png"]
    from PIL import Image

    width, height = Image.open(pngs[0]).size
    assert (width, height) == (round(297 / 25.4 * 20), round(420 / 25.4 * 20))


def _edition_pdf(project: Path, out: Path) -> None:
    shutil.copytree(REPO / "articles/2023/05/02", project / "articles/issue")
    result = run_cli("render", project / "articles/issue/edition.yaml", "-o", out)
    assert result.code == 0, result.err


def test_diff_same_input_is_identical_and_finds_a_one_page_change(
    project: Path, tmp_path: Path
) -> None:
    a, b, c = tmp_path / "a.pdf", tmp_path / "b.pdf", tmp_path / "c.pdf"
    _edition_pdf(project, a)
    result = run_cli("render", project / "articles/issue/edition.yaml", "-o", b)
    assert result.code == 0
    same = run_cli("diff", a, b, "-o", tmp_path / "same")
    assert same.code == 0 and "0 of 4 page(s) changed" in same.out
    assert not list((tmp_path / "same").glob("*.png"))
    # A CSS change that only the back page's template shows.
    css = project / "layouts" / "base" / "style.css"
    css.write_text(
        css.read_text(encoding="utf-8")
        + "\n.page-back .page-section { color: rgb(0, 90, 200); }\n",
        encoding="utf-8",
    )
    assert run_cli("render", project / "articles/issue/edition.yaml", "-o", c).code == 0
    changed = run_cli("diff", a, c, "-o", tmp_path / "changed")
    assert changed.code == 1
    assert re.search(r"^page 4: [\d.]+% of pixels changed", changed.out, re.M), changed.out
    assert "1 of 4 page(s) changed" in changed.out
    assert [p.name for p in (tmp_path / "changed").glob("*.png")] == ["diff-4.png"]


@contextmanager
def _running_preview(project: Path, article: Path, *args: str) -> Iterator[str]:
    """``sahifa preview`` running in its own process on a free port; yields its URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "sahifa", "preview", str(article), "--port", "0", *args],
        cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:\d+/", line)
        assert match, (line, process.stderr.read() if process.poll() is not None else "")
        yield match.group()
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def preview(project: Path) -> Iterator[tuple[str, Path]]:
    """``sahifa preview`` of a sample article."""
    article = project / "articles" / "story.yaml"
    shutil.copy(REPO / "articles/2023/05/02/sehha-tatim.yaml", article)
    with _running_preview(project, article) as url:
        yield url, article


def _port(url: str) -> int:
    return int(url.rstrip("/").rsplit(":", 1)[1])


def _get(url: str, path: str, host: str | None = "") -> tuple[int, bytes]:
    """GET ``path`` with the Host header given (``""``: the server's own; None: no Host)."""
    port = _port(url)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        if host is None:
            connection.putrequest("GET", path, skip_host=True)
            connection.endheaders()
        else:
            connection.request("GET", path, headers={"Host": host or f"127.0.0.1:{port}"})
        response = connection.getresponse()
        # An event stream never ends: its status is the answer.
        body = b"" if response.status == 200 and path == "/events" else response.read()
        return response.status, body
    finally:
        connection.close()


def _wait_for_state(url: str, ready: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """The preview's state once ``ready`` holds; a generous bound for slow machines."""
    deadline = time.monotonic() + 120
    while True:
        status, body = _get(url, "/state")
        assert status == 200, body
        state = json.loads(body)
        if ready(state):
            return state
        assert time.monotonic() < deadline, state
        time.sleep(0.1)


def _save(path: Path, text: str) -> None:
    """Save as editors do (a new file renamed over the old): never seen half written."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def test_preview_follows_css_and_shows_errors(preview: tuple[str, Path], project: Path) -> None:
    from playwright.sync_api import sync_playwright

    url, article = preview
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(url)
        page.wait_for_selector("#pages img", timeout=60_000)
        page.wait_for_function("Number(document.querySelector('#pages').dataset.version) >= 1")

        def version() -> int:
            return int(page.eval_on_selector("#pages", "e => e.dataset.version"))

        def shot() -> bytes:
            return page.locator("#pages img").first.screenshot()

        before, first = version(), shot()
        # 1. A designer changes the CSS: the page image changes by itself, no reload.
        page.evaluate("window.__marker = 'not reloaded'")
        css = project / "layouts" / "tabloid" / "style.css"
        css.write_text(css.read_text() + "\n.headline { color: rgb(200, 0, 0); }\n")
        page.wait_for_function(
            f"Number(document.querySelector('#pages').dataset.version) > {before}",
            timeout=60_000,
        )
        assert shot() != first
        assert page.evaluate("window.__marker") == "not reloaded"
        # 2. Broken YAML: the error shows in the page, the last good page stays.
        good = article.read_text(encoding="utf-8")
        article.write_text(good + "body: [unclosed\n", encoding="utf-8")
        page.wait_for_selector("#error:has-text('malformed YAML')", timeout=60_000)
        assert "story.yaml" in page.inner_text("#error")
        assert page.locator("#pages img").count() == 1
        # 3. Fixed again: the error goes and the page comes back up to date.
        failed = version()
        article.write_text(good, encoding="utf-8")
        page.wait_for_function(
            f"Number(document.querySelector('#pages').dataset.version) > {failed}",
            timeout=60_000,
        )
        assert not page.is_visible("#error")
        # 4. Broken CSS: WeasyPrint ignores what it cannot parse, and says so.
        css.write_text(css.read_text() + "\n.headline { color: ; font-size: 4 }\n")
        page.wait_for_selector("#warnings:has-text('Ignored')", timeout=60_000)
        browser.close()


def test_preview_stops_a_render_at_the_limit_and_keeps_serving(project: Path) -> None:
    settings_file = project / "sahifa.yaml"
    settings_file.write_text(
        settings_file.read_text(encoding="utf-8") + "limits:\n  render_seconds: 2\n", "utf-8"
    )
    body = (REPO / "articles/2023/05/02/wahdat-al-jabahat.yaml").read_text(encoding="utf-8")
    paragraphs = body.split("body: |\n", 1)[1]
    article = project / "articles" / "story.yaml"
    _save(article, "headline: خبر قصير\nbody: |\n  نص قصير.\n")
    with _running_preview(project, article, "--layout", "a4") as url:
        good = _wait_for_state(url, lambda state: state["version"] >= 1)
        assert good["error"] == "" and good["pages"] == 1, good
        # 135 pages: read in ~1.5 s, then ~20 s of layout and ~30 s of writing on a fast
        # machine. Stopped at 2 s; a render only checked between those steps (a thread's)
        # reports after the layout, past the bound below.
        _save(article, "headline: خبر طويل\nbody: |\n" + paragraphs * 300)
        saved = time.monotonic()
        failed = _wait_for_state(url, lambda state: bool(state["error"]))
        assert time.monotonic() - saved < 15  # generous: the limit is 2 s
        assert failed["error"] == (
            "limit: articles/story.yaml: the render took longer than 2 s (limits.render_seconds)"
        )
        assert failed["pages"] == 1  # the last good page stays, and is still served
        assert _get(url, "/page/1.png")[0] == 200
        # Fixed: a fresh worker renders it, in the same server.
        _save(article, "headline: خبر قصير\nbody: |\n  نص قصير آخر.\n")
        fixed = _wait_for_state(
            url, lambda state: state["version"] > failed["version"] and not state["error"]
        )
        assert fixed["pages"] == 1
        status, pdf = _get(url, "/document.pdf")
        assert status == 200 and pdf.startswith(b"%PDF")


def test_preview_answers_only_requests_addressed_to_it(preview: tuple[str, Path]) -> None:
    url, _ = preview
    port = _port(url)
    other = port + 1 if port < 65535 else port - 1
    for path in ("/", "/state", "/document.pdf", "/page/1.png", "/events", "/nothing"):
        # A DNS-rebinding page sends its own name; a wrong port or no Host is refused too.
        for host in (f"evil.example:{port}", f"127.0.0.1:{other}", "127.0.0.1", None):
            status, body = _get(url, path, host)
            assert (status, body[:9]) == (403, b"forbidden"), (path, host, status)
        for host in (f"127.0.0.1:{port}", f"localhost:{port}"):
            status, _ = _get(url, path, host)
            assert status == (404 if path == "/nothing" else 200), (path, host, status)


def _blank_pdf() -> bytes:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument.new()
    document.new_page(200, 300)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_rapid_saves_do_not_queue_renders(project: Path) -> None:
    from sahifa.pipeline import RenderJob
    from sahifa.preview.server import Previewer, Rendered

    article = project / "articles" / "story.yaml"
    shutil.copy(REPO / "articles/2023/05/02/brief-qamh.yaml", article)
    css = project / "layouts" / "tabloid" / "style.css"
    pdf = _blank_pdf()
    seen: list[str] = []  # the stylesheet as each render found it
    entered, release = threading.Event(), threading.Event()
    release.set()

    def render(job: RenderJob) -> Rendered:
        # The test holds the render here for as long as it likes: no timing involved.
        seen.append(css.read_text(encoding="utf-8"))
        entered.set()
        release.wait(120)
        return Rendered(pdf=pdf, pages=1)

    def save(size: int) -> None:
        _save(css, css.read_text(encoding="utf-8") + f"\n.headline {{ font-size: {size}pt; }}\n")

    previewer = Previewer(RenderJob(source=article), project, render=render)
    previewer.start()  # the first render, in this thread
    try:
        assert previewer.state.version == 1 and len(seen) == 1
        entered.clear()
        release.clear()
        save(19)
        assert entered.wait(120)  # the second render started, and is held
        for size in range(20, 40):  # twenty saves during it
            save(size)
        release.set()
        state = previewer.state
        deadline = time.monotonic() + 120
        while state.version < 3 and time.monotonic() < deadline:
            state = previewer.wait_for_change(state.version, timeout=1)
        # Exactly one more render, and it saw the last save; nothing is left to render.
        assert state.version == 3 and len(seen) == 3, (state.version, len(seen))
        assert "font-size: 19pt" in seen[1] and "font-size: 20pt" not in seen[1]
        assert "font-size: 39pt" in seen[2]
        assert previewer.wait_for_change(3, timeout=1).version == 3 and len(seen) == 3
        assert state.error == "" and len(state.pages) == 1
    finally:
        release.set()
        previewer.stop()


def test_worker_is_killed_past_its_deadline_and_a_dead_one_is_reported() -> None:
    from sahifa.batch.workers import Worker, WorkerDied

    spawn = multiprocessing.get_context("spawn")  # as the preview starts its worker
    worker = Worker(time.sleep, context=spawn)
    try:
        with pytest.raises(TimeoutError):
            worker.call(600, 0.5)  # asleep far past its deadline: killed
        assert not worker.alive()
        assert worker.call(0, 120) is None  # a fresh worker answers the next request
    finally:
        worker.stop()
    dying = Worker(os._exit, context=spawn)
    with pytest.raises(WorkerDied) as died:
        dying.call(3, 120)
    assert died.value.exitcode == 3
