"""Justification quality and cost: spaces only vs kashida vs kashida + paragraph breaking.

Builds long real-length Arabic articles from the sample issue's real paragraphs and headlines
(each article a different run of paragraphs, ~900 words), renders each in the tabloid layout
(10.5 pt body, 49.8 mm columns) three ways in one warm process, interleaved so that machine
noise falls on all alike:

    today      justify: spaces,  line-breaking: greedy, headlines unbalanced (WeasyPrint's own)
    kashida    justify: kashida, line-breaking: greedy, balanced headlines
    composer   justify: kashida, line-breaking: paragraph, balanced headlines (the default)

and prints, per variant, the figures of ``typo_metrics.py`` (share of justified lines looser
than natural + 0.25 em / + 0.5 em, p99 word gap, headlines ending on one word or with a short
last line; when the team's tool is beside the project at ../shared/tools), the number of
justified lines, the U+0640 found in the text layer (the sources' own only: inserted tatweels
carry no text), and the render time, wall and CPU (this process's CPU time is what other load
on the machine disturbs least), with its ratio to ``today`` (target ≤ 1.25). Prints numbers;
asserts nothing.

    python benchmarks/justification.py [--articles 12] [--words 900]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
ISSUE = REPO / "articles/2023/05/02"
TYPO_METRICS = REPO.parent / "shared/tools/typo_metrics.py"
VARIANTS = {
    "today": {"justify": "spaces", "line-breaking": "greedy"},
    "kashida": {"justify": "kashida", "line-breaking": "greedy"},
    "composer": {"justify": "kashida", "line-breaking": "paragraph"},
}


UNBALANCED = """.headline, .deck, .lead-image figcaption, .brief-headline, .story-body blockquote,
.slot blockquote { --sahifa-wrap: none; }
"""


def _samples() -> tuple[list[str], list[str]]:
    paragraphs, headlines = [], []
    for path in sorted(ISSUE.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and "body" in data:
            headlines.append(str(data["headline"]))
            paragraphs += [p for p in str(data["body"]).split("\n\n") if len(p.split()) > 12]
    return paragraphs, headlines


def build(root: Path, count: int, words: int) -> list[Path]:
    """The project (a copy of this one, plus one layout per variant) and its articles."""
    for name in ("sahifa.yaml", "layouts", "fonts"):
        (shutil.copytree if (REPO / name).is_dir() else shutil.copy)(REPO / name, root / name)
    for variant, settings in VARIANTS.items():
        folder = root / "layouts" / f"j-{variant}"
        folder.mkdir()
        (folder / "layout.yaml").write_text(yaml.safe_dump(
            {"description": f"benchmark: {variant}", "extends": "tabloid", **settings}))
        if variant == "today":
            (folder / "style.css").write_text(UNBALANCED)
    paragraphs, headlines = _samples()
    folder = root / "articles"
    folder.mkdir()
    articles = []
    for number in range(count):
        body, total, index = [], 0, number * 7
        while total < words:
            paragraph = paragraphs[index % len(paragraphs)]
            body.append(paragraph)
            total += len(paragraph.split())
            index += 3  # a different run of paragraphs for each article
        path = folder / f"long-{number:02d}.yaml"
        path.write_text(yaml.safe_dump({
            "headline": headlines[number % len(headlines)], "date": "2023-05-02",
            "body": "\n\n".join(body) + "\n",
        }, allow_unicode=True, sort_keys=False), encoding="utf-8")  # fmt: skip
        articles.append(path)
    return articles


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=12)
    parser.add_argument("--words", type=int, default=900)
    args = parser.parse_args()
    from sahifa.pipeline import RenderJob, render, warm_up

    warm_up()
    times: dict[str, list[float]] = {v: [] for v in VARIANTS}
    cpu: dict[str, list[float]] = {v: [] for v in VARIANTS}
    with tempfile.TemporaryDirectory(prefix="sahifa-justify-") as tmp:
        root = Path(tmp)
        articles = build(root, args.articles, args.words)
        for variant in VARIANTS:  # untimed warm-up: fonts, caches
            render(RenderJob(articles[0], root / "warm.pdf", f"j-{variant}", root=root,
                             allow_overset=True))  # fmt: skip
        for article in articles:
            for variant in VARIANTS:
                out = root / variant / f"{article.stem}.pdf"
                started, started_cpu = time.perf_counter(), time.process_time()
                render(RenderJob(article, out, f"j-{variant}", root=root, allow_overset=True))
                times[variant].append(time.perf_counter() - started)
                cpu[variant].append(time.process_time() - started_cpu)
        base = statistics.median(times["today"])
        base_cpu = statistics.median(cpu["today"])
        print(f"{len(articles)} articles of ~{args.words} words, tabloid layout")
        for variant in VARIANTS:
            pdfs = sorted((root / variant).glob("*.pdf"))
            tatweels = sum(_text_layer_tatweels(p) for p in pdfs)
            median = statistics.median(times[variant])
            median_cpu = statistics.median(cpu[variant])
            print(f"\n[{variant}] render median {median:.2f} s/article wall "
                  f"(x{median / base:.2f} of today), {median_cpu:.2f} s CPU "
                  f"(x{median_cpu / base_cpu:.2f}), "
                  f"U+0640 in the text layer: {tatweels}")  # fmt: skip
            if TYPO_METRICS.is_file():
                done = subprocess.run([sys.executable, str(TYPO_METRICS), *map(str, pdfs)],
                                      capture_output=True, text=True, check=False)  # fmt: skip
                print(done.stdout.strip() or done.stderr.strip())
            else:
                print("(typo_metrics.py not found beside the project: quality not measured)")
    return 0


def _text_layer_tatweels(pdf: Path) -> int:
    """U+0640 in the text layer (pdftotext): the same in every variant when inserted tatweels
    carry no text."""
    done = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=False)
    return done.stdout.count("\u0640")


if __name__ == "__main__":
    raise SystemExit(main())
