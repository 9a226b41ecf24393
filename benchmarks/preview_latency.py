"""Preview latency: from saving a CSS change to the updated page image in the browser.

Starts ``sahifa preview`` on a throwaway copy of the project with a one-page article (or, with
``--edition``, the sample edition and its articles), opens it in headless Chromium (Debian's,
driven by Playwright), then saves a CSS change N times and measures, each time, the wall time
until the browser has loaded the new page images (for an edition: the quick look with the last
fitting's words, and then the fitted pages). With ``--edition`` it then also saves a change to
one story's text N times (the page a desk edits late), timed to the fitted pages. Targets: an
article <= 2 s, the sample edition <= 1.5 s (#18). Prints numbers; asserts nothing.

    python benchmarks/preview_latency.py [--runs N] [--article PATH | --edition]
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--article", type=Path, default=REPO / "articles/2023/05/02/sehha-tatim.yaml"
    )
    parser.add_argument("--edition", action="store_true",
                        help="the sample edition (articles/2023/05/02/edition.yaml)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    if args.edition:
        args.article = REPO / "articles/2023/05/02/edition.yaml"

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name in ("sahifa.yaml", "layouts", "fonts"):
            copy = shutil.copytree if (REPO / name).is_dir() else shutil.copy
            copy(REPO / name, root / name)
        (root / "articles").mkdir()
        article = root / "articles" / args.article.name
        if args.edition:  # the edition's folder: its stories and their images
            shutil.rmtree(root / "articles")
            shutil.copytree(args.article.parent, root / "articles")
        shutil.copy(args.article, article)
        for image in (args.article.parent / "images").glob("*"):
            (root / "articles" / "images").mkdir(exist_ok=True)
            shutil.copy(image, root / "articles" / "images" / image.name)
        server = subprocess.Popen(
            [sys.executable, "-m", "sahifa", "preview", str(article), "--port", "0"],
            cwd=root, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            assert server.stdout is not None
            match = re.search(r"http://127\.0\.0\.1:\d+/", server.stdout.readline())
            if not match:
                print("preview did not start", file=sys.stderr)
                return 1
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                    args=CHROMIUM_ARGS,
                )
                page = browser.new_page()
                page.goto(match.group())
                page.wait_for_function(
                    "Number(document.querySelector('#pages').dataset.version) >= 1",
                    timeout=60_000,
                )
                css = root / "layouts" / "tabloid" / "style.css"
                base = css.read_text(encoding="utf-8")

                def saved(change: Path, text: str) -> tuple[float, float]:
                    """Seconds until the first new images show, and until fitted ones do
                    (an edition's quick look after a stylesheet save comes first)."""
                    version = int(page.eval_on_selector("#pages", "e => e.dataset.version"))
                    started = time.perf_counter()
                    change.write_text(text, "utf-8")
                    pages = "document.querySelector('#pages')"
                    page.wait_for_function(f"Number({pages}.dataset.version) > {version}",
                                           timeout=120_000, polling=10)  # fmt: skip
                    first = time.perf_counter() - started
                    page.wait_for_function(f"Number({pages}.dataset.version) > {version} && "
                                           f"{pages}.dataset.fitted === '1'",
                                           timeout=120_000, polling=10)  # fmt: skip
                    fitted = time.perf_counter() - started
                    time.sleep(0.3)
                    return first, fitted

                latencies, fits, edits = [], [], []
                for run in range(args.runs):
                    # A new colour each time: nothing laid out before matches.
                    color = f"rgb({200 - run}, 0, 0)"
                    first, fitted = saved(css, base + f"\n.headline {{ color: {color}; }}\n")
                    latencies.append(first)
                    fits.append(fitted)
                    print(f"  CSS save {run + 1}/{args.runs}: {first:.2f} s, fitted {fitted:.2f} s")
                story = root / "articles" / "sudan-hudna.yaml"
                if args.edition and story.is_file():
                    original = story.read_text(encoding="utf-8")
                    added = ["الحثيثة", "الجادة", "المستمرة", "اليومية", "المكثفة", "الهادئة"]
                    for run in range(args.runs):
                        # A word added to the story's body (a new one each time, so nothing
                        # laid out before matches): its box is laid out again.
                        word = added[run % len(added)] + " " * (run // len(added))
                        edited = original.replace("الاتصالات الدبلوماسية",
                                                  f"الاتصالات {word} الدبلوماسية", 1)
                        edits.append(saved(story, edited)[1])
                        print(f"  story save {run + 1}/{args.runs}: {edits[-1]:.2f} s")
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)
    what = "sample edition" if args.edition else args.article.name
    print(
        f"preview latency, {what} (CSS save → new images shown): median "
        f"{statistics.median(latencies):.2f} s  min {min(latencies):.2f} s  max "
        f"{max(latencies):.2f} s"
        + (f"; fitted: median {statistics.median(fits):.2f} s" if args.edition else "")
        + (f"; story save: median {statistics.median(edits):.2f} s" if edits else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
