"""Designers' tools: proofs, visual diff, and the live preview in a real headless Chromium."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

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


@pytest.fixture
def preview(project: Path) -> Iterator[tuple[str, Path]]:
    """``sahifa preview`` running in its own process on a free port."""
    article = project / "articles" / "story.yaml"
    shutil.copy(REPO / "articles/2023/05/02/sehha-tatim.yaml", article)
    process = subprocess.Popen(
        [sys.executable, "-m", "sahifa", "preview", str(article), "--port", "0"],
        cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:\d+/", line)
        assert match, (line, process.stderr.read() if process.poll() is not None else "")
        yield match.group(), article
    finally:
        process.terminate()
        process.wait(timeout=10)


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


def test_rapid_saves_do_not_queue_renders(project: Path) -> None:
    from sahifa.pipeline import RenderJob
    from sahifa.preview.server import Previewer

    article = project / "articles" / "story.yaml"
    shutil.copy(REPO / "articles/2023/05/02/brief-qamh.yaml", article)
    previewer = Previewer(RenderJob(source=article), project)
    renders: list[float] = []
    original = previewer.render_once

    def counted() -> None:
        renders.append(time.perf_counter())
        original()

    previewer.render_once = counted  # type: ignore[method-assign]
    previewer.start()
    try:
        css = project / "layouts" / "tabloid" / "style.css"
        for size in range(20, 40):  # twenty saves, faster than a render
            css.write_text(css.read_text() + f"\n.headline {{ font-size: {size}pt; }}\n")
            time.sleep(0.05)
        deadline = time.time() + 30
        while time.time() < deadline and (
            previewer._dirty.is_set() or time.perf_counter() - renders[-1] < 2
        ):
            time.sleep(0.2)
        assert "font-size: 39pt" in css.read_text()
        assert 2 <= len(renders) <= 6, len(renders)  # initial + a few coalesced, not 21
        assert previewer.state.error == ""
    finally:
        previewer.stop()
