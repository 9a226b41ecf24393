"""Batch throughput: the naive loop vs ``sahifa batch`` vs ``--resume``, measured in one run.

Builds a corpus with a fixed mix (50 articles: 20 short under 300 words, 20 medium, 10 long
over 1,500 words; 6 of the short ones grouped into two editions), then times
  (a) the naive loop: one ``weasyprint`` process per article on the same HTML,
  (b) ``sahifa batch --jobs 2`` (warm workers),
  (c) ``sahifa batch --resume`` on the finished output,
and prints pages per minute and the ratios (targets: b >= 3x faster than a, c >= 50x faster
than b). Prints numbers; asserts nothing.

    python benchmarks/batch.py [--jobs 2]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
ISSUE = REPO / "articles/2023/05/02"
EMPTY_FONTCONFIG = '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig/>'


def _paragraphs() -> list[str]:
    paragraphs = []
    for path in sorted(ISSUE.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if "body" in data:
            paragraphs += [p for p in data["body"].split("\n\n") if len(p.split()) > 15]
    return paragraphs


def build_corpus(root: Path) -> tuple[list[Path], int]:
    """The corpus under root/articles/corpus; returns the article files and the editions."""
    paragraphs = _paragraphs()
    corpus = root / "articles" / "corpus"
    corpus.mkdir(parents=True)
    articles = []
    plan = [("short", 20, 150), ("medium", 20, 700), ("long", 10, 1700)]
    index = 0
    for kind, count, words in plan:
        for number in range(count):
            body, total = [], 0
            while total < words:
                paragraph = paragraphs[index % len(paragraphs)]
                body.append(paragraph)
                total += len(paragraph.split())
                index += 1
            folder = corpus / f"{kind}-{number // 5}"
            folder.mkdir(exist_ok=True)
            path = folder / f"{kind}-{number:02d}.yaml"
            path.write_text(yaml.safe_dump({
                "headline": f"خبر رقم {number + 1} من أرشيف الصحيفة",
                "date": "2023-05-02", "body": "\n\n".join(body) + "\n",
            }, allow_unicode=True, sort_keys=False), encoding="utf-8")  # fmt: skip
            articles.append(path)
    for edition in range(2):  # six short stories in two one-page editions
        folder = corpus / "short-0" if edition == 0 else corpus / "short-1"
        names = sorted(p.name for p in folder.glob("short-*.yaml"))[:3]
        slots = [
            {
                "article": name,
                "column": 1 + 2 * i if i < 2 else 5,
                "span": 2 if i < 2 else 1,
                "row": 1,
                "rows": 12,
                "overflow": "cut",
            }
            for i, name in enumerate(names)
        ]
        (folder / "edition.yaml").write_text(yaml.safe_dump({
            "issue": str(100 + edition), "date": "2023-05-02", "layout": "tabloid",
            "pages": [{"template": "front", "stories": slots}],
        }, allow_unicode=True), encoding="utf-8")  # fmt: skip
    return articles, 2


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env, check=False)
    if done.returncode not in (0, 1):
        print(" ".join(command), done.stderr, file=sys.stderr)
        raise SystemExit(1)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    bin_dir = Path(sys.executable).parent
    sahifa, weasyprint = str(bin_dir / "sahifa"), str(bin_dir / "weasyprint")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name in ("sahifa.yaml", "layouts", "fonts"):
            (shutil.copytree if (REPO / name).is_dir() else shutil.copy)(REPO / name, root / name)
        articles, editions = build_corpus(root)
        # The same HTML sahifa makes, written once (untimed) for the naive loop.
        html_dir = root / "html"
        for path in articles:
            html = html_dir / path.with_suffix(".html").name
            subprocess.run([sahifa, "render", str(path), "-o", str(root / "x.pdf"), "--html",
                            str(html)], cwd=root, capture_output=True, check=True)  # fmt: skip
        fontconfig = root / "fonts.conf"
        fontconfig.write_text(EMPTY_FONTCONFIG)
        env = {"FONTCONFIG_FILE": str(fontconfig), "PATH": str(bin_dir)}
        naive = 0.0
        for html in sorted(html_dir.glob("*.html")):
            target = root / "naive" / html.with_suffix(".pdf").name
            naive += run([weasyprint, str(html), str(target)], root, env)
        out = root / "out"
        batch_cmd = [sahifa, "batch", str(root / "articles" / "corpus"), "-o", str(out),
                     "--jobs", str(args.jobs)]  # fmt: skip
        batch = run(batch_cmd, root)
        resume = run([*batch_cmd, "--resume"], root)
        records = [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]
        pages = sum(int(r.get("pages") or 0) for r in records if r.get("status") == "ok")
        failed = sum(1 for r in records if r.get("status") != "ok")
    items = len(articles) - 3 * editions + editions
    print(f"corpus: {len(articles)} articles (20 short, 20 medium, 10 long), {editions} editions "
          f"→ {items} batch items, {pages} pages, {failed} failed")  # fmt: skip
    print(f"(a) naive loop, one weasyprint process per article: {naive:7.1f} s")
    print(f"(b) sahifa batch --jobs {args.jobs}:                     {batch:7.1f} s  "
          f"{pages / batch * 60:.0f} pages/min")  # fmt: skip
    print(f"(c) sahifa batch --resume:                       {resume:7.2f} s")
    print(f"ratio a/b: {naive / batch:.1f}x (target >= 3)   ratio b/c: {batch / resume:.0f}x "
          f"(target >= 50)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
