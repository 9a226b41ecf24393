"""Throughput (#18): sahifa's batch against WeasyPrint's own, measured in one run.

Builds a corpus of distinct real-length Arabic articles from the repository's sample issue
(as ``benchmarks/batch.py`` does: paragraphs of the sample stories, taken in turn from a
different starting point for every article; 20 short ~150 words, 22 medium ~700, 12 long
~1,700; every body differs, checked) and times, round after round (so that machine noise
falls on every contender alike; the median of the rounds is reported):

  jobs1     ``sahifa batch --jobs 1`` (fresh output folder: cold, no --resume)
  jobs2     ``sahifa batch --jobs 2``
  dask      ``sahifa batch --scheduler`` on a real ``dask scheduler`` and
            ``dask worker --nworkers 2 --nthreads 1`` (separate processes), started once
  warm-wp   plain, unpatched WeasyPrint in one warm process, the same HTML, one file after
            another (its import not counted)
  naive     one ``weasyprint`` CLI process per article, the same HTML
  render1   ``sahifa render`` of one article vs ``weasyprint`` on its HTML, each a fresh
            process (start-up included)
  edition   ``sahifa render`` of the sample edition (a fresh process), with an empty box
            store, then again with nothing changed (the measures the first one kept)

and then, once, the sample preview's latency after a CSS save (``preview_latency.py``, if
Chromium is there) and the sha256 of the sample article and edition with each byte-preserving
engine optimisation on and off (plain, ``--press``, ``--pdf-variant pdf/a-3b``): they must be
equal. Prints pages/min, the ratios and the issue's targets; asserts nothing (a failed
command prints its error and exits 1).

    python benchmarks/throughput.py [--rounds 3] [--skip naive,dask,preview]

On a shared machine absolute numbers drift; compare the ratios of one run.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
ISSUE = REPO / "articles/2023/05/02"
BIN = Path(sys.executable).parent  # not resolved: the venv's scripts sit next to its python
EMPTY_FONTCONFIG = '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig/>'
PLAN = [("short", 20, 150), ("medium", 22, 700), ("long", 12, 1700)]

# Unpatched WeasyPrint in one warm process: HTML files from argv, times only the renders.
WARM_WEASYPRINT = """
import json, sys, time, warnings
warnings.simplefilter("ignore")
import weasyprint
pages, started = 0, time.perf_counter()
for html, pdf in zip(sys.argv[1::2], sys.argv[2::2]):
    document = weasyprint.HTML(filename=html).render()
    pages += len(document.pages)
    document.write_pdf(pdf)
print(json.dumps({"seconds": time.perf_counter() - started, "pages": pages}))
"""


def paragraphs() -> list[str]:
    found = []
    for path in sorted(ISSUE.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and "body" in data:
            found += [p for p in data["body"].split("\n\n") if len(p.split()) > 15]
    return found


def build_corpus(root: Path) -> list[Path]:
    """Distinct articles under root/articles/corpus (flat: every one a loose batch item)."""
    pool = paragraphs()
    corpus = root / "articles" / "corpus"
    corpus.mkdir(parents=True)
    articles, bodies, number = [], set(), 0
    for kind, count, words in PLAN:
        for _ in range(count):
            start = (number * 7) % len(pool)  # a different way through the pool each time
            body, total, step = [], 0, 1 + number % 3
            while total < words:
                paragraph = pool[(start + step * len(body)) % len(pool)]
                body.append(paragraph)
                total += len(paragraph.split())
            text = "\n\n".join(body) + "\n"
            if text in bodies:
                raise SystemExit(f"corpus: article {number} repeats another; change PLAN")
            bodies.add(text)
            path = corpus / f"{kind}-{number:02d}.yaml"
            path.write_text(yaml.safe_dump({
                "headline": f"خبر رقم {number + 1} من أرشيف الصحيفة",
                "date": "2023-05-02", "body": text,
            }, allow_unicode=True, sort_keys=False), encoding="utf-8")  # fmt: skip
            articles.append(path)
            number += 1
    return articles


CPU: dict[str, list[float]] = {}  # CPU seconds (user + system) of each timed command


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(command: Sequence[str | Path], cwd: Path, env: dict[str, str] | None = None,
        ok: Sequence[int] = (0,), cpu: str = "") -> tuple[float, str]:  # fmt: skip
    """Wall seconds and stdout; with ``cpu``, its CPU seconds (and its workers') go there."""
    started, cpu_before = time.perf_counter(), _children_cpu()
    done = subprocess.run([str(c) for c in command], cwd=cwd, capture_output=True, text=True,
                          env=env, check=False)  # fmt: skip
    seconds = time.perf_counter() - started
    if cpu:
        CPU.setdefault(cpu, []).append(_children_cpu() - cpu_before)
    if done.returncode not in ok:
        print(" ".join(map(str, command)), "exited", done.returncode, done.stderr[-3000:],
              file=sys.stderr)  # fmt: skip
        raise SystemExit(1)
    return seconds, done.stdout


def batch_pages(out: Path) -> tuple[int, int, float]:
    """Pages, failed items and the items' summed render seconds (from the manifest)."""
    records = [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]
    pages = sum(int(r.get("pages") or 0) for r in records if r.get("status") == "ok")
    busy = sum(float(r.get("seconds") or 0) for r in records)
    return pages, sum(1 for r in records if r.get("status") != "ok"), busy


class DaskCluster:
    """``dask scheduler`` + ``dask worker --nworkers 2 --nthreads 1``, separate processes."""

    def __init__(self, folder: Path) -> None:
        self.file = folder / "scheduler.json"
        self.log = (folder / "dask.log").open("wb")
        dask = BIN / "dask"
        self.processes = [subprocess.Popen(
            [dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
             "--scheduler-file", self.file], stdout=self.log, stderr=self.log,
            start_new_session=True)]  # fmt: skip
        deadline = time.monotonic() + 120
        while not self.file.is_file() and time.monotonic() < deadline:
            time.sleep(0.2)
        self.processes.append(subprocess.Popen(
            [dask, "worker", "--scheduler-file", self.file, "--nworkers", "2", "--nthreads",
             "1", "--no-dashboard", "--host", "127.0.0.1"], stdout=self.log, stderr=self.log,
            start_new_session=True))  # fmt: skip
        from distributed import Client

        self.address = json.loads(self.file.read_text())["address"]
        with Client(self.address, timeout=60) as client:
            client.wait_for_workers(2, timeout=120)

    def close(self) -> None:
        for process in reversed(self.processes):
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.log.close()


def sha256_on_off(root: Path) -> list[tuple[str, str, bool]]:
    """Each byte-preserving engine optimisation off and on, in this process: same bytes?"""
    from sahifa import fitting, pipeline
    from sahifa.pipeline import RenderJob, build, prepare
    from sahifa.press.config import PressRequest
    from sahifa.render import font_config, patches, stack
    from sahifa.render.patches import draw_first_line, kashida, stylesheet_cache

    pipeline.warm_up()
    optimisations = [patches.all_patches()[n]
                     for n in ("line_split_cache", "lazy_word_spacing", "strut_memo",
                               "line_box_cache")]

    def switch(on: bool) -> None:
        """The line-split cache, the lazy justified layouts, the strut memo, the kept line
        boxes (``line_box_cache``), the text layer's run memo, the kashida line plans, the
        parsed stylesheets, the engine's own stack chunk, the shared font configuration and
        (editions) the reuse of boxes whose context did not change, in a fitting and from
        earlier ones."""
        for patch in optimisations:
            (patches.install if on else patches.remove)(patch)
        draw_first_line.REMEMBER_RUNS = kashida.REMEMBER_PLANS = on
        stylesheet_cache.REMEMBER = on
        fitting.REUSE_BOXES = on
        stack.ENABLED = font_config.SHARE = on
        draw_first_line._runs.clear()
        stylesheet_cache._parsed.clear()

    rows = []
    for source in (root / "articles/2023/05/02/wahdat-al-jabahat.yaml",
                   root / "articles/2023/05/02/edition.yaml"):  # fmt: skip
        for label, extra in (("plain", {}), ("--press", {"press": PressRequest()}),
                             ("pdf/a-3b", {"pdf_variant": "pdf/a-3b"})):  # fmt: skip
            job = RenderJob(source=source, root=root, identifier="throughput", **extra)
            digests = []
            for on in (False, True):
                switch(on)
                digests.append(hashlib.sha256(build(job, prepare(job))[1]).hexdigest())
            rows.append((f"{source.name} {label}", digests[1][:16], digests[0] == digests[1]))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip", default="", help="comma list of: naive, dask, preview")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    sahifa, weasyprint = BIN / "sahifa", BIN / "weasyprint"
    times: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="sahifa-throughput-") as tmp:
        root = Path(tmp)
        for name in ("sahifa.yaml", "layouts", "fonts"):
            (shutil.copytree if (REPO / name).is_dir() else shutil.copy)(REPO / name, root / name)
        shutil.copytree(ISSUE, root / "articles/2023/05/02")
        articles = build_corpus(root)
        corpus = root / "articles" / "corpus"
        # The exact HTML sahifa composes, written once (untimed) for WeasyPrint on its own.
        from sahifa.pipeline import RenderJob, prepare

        html_dir = root / "html"
        html_dir.mkdir()
        pairs: list[Path] = []
        for path in articles:
            html = html_dir / path.with_suffix(".html").name
            html.write_text(prepare(RenderJob(source=path, root=root)).html, encoding="utf-8")
            pairs += [html, root / "wp" / html.with_suffix(".pdf").name]
        (root / "wp").mkdir()
        fontconfig = root / "fonts.conf"
        fontconfig.write_text(EMPTY_FONTCONFIG)
        wp_env = {**os.environ, "FONTCONFIG_FILE": str(fontconfig)}
        cluster: DaskCluster | None = None
        seed = root / "articles/2023/05/02/wahdat-al-jabahat.yaml"
        seed_html = html_dir / "seed.html"
        seed_html.write_text(prepare(RenderJob(source=seed, root=root)).html, encoding="utf-8")
        pages = 0
        try:
            for round_ in range(args.rounds):
                print(f"round {round_ + 1}/{args.rounds}", file=sys.stderr, flush=True)
                for jobs in (1, 2):
                    out = root / f"out-{jobs}-{round_}"
                    seconds, _ = run([sahifa, "batch", corpus, "-o", out, "--jobs", str(jobs)],
                                     root, cpu=f"jobs{jobs}")  # fmt: skip
                    times.setdefault(f"jobs{jobs}", []).append(seconds)
                    pages, failed, busy = batch_pages(out)
                    # How much of the workers' time went to rendering items (the rest: start-up,
                    # the coordinator, the pipes, idle cores at the end).
                    times.setdefault(f"busy{jobs}", []).append(busy / (jobs * seconds))
                    if failed:
                        print(f"{failed} item(s) failed in {out}", file=sys.stderr)
                        return 1
                if "dask" not in skip:
                    # Started for this measurement only (untimed): its idle scheduler and
                    # workers would take CPU from the other contenders.
                    cluster = DaskCluster(root)
                    try:
                        out = root / f"out-dask-{round_}"
                        seconds, _ = run([sahifa, "batch", corpus, "-o", out, "--scheduler",
                                          cluster.address], root)  # fmt: skip
                        times.setdefault("dask", []).append(seconds)
                    finally:
                        cluster.close()
                        cluster = None
                _, answer = run([sys.executable, "-c", WARM_WEASYPRINT, *pairs], root, wp_env,
                                cpu="warm-wp")  # fmt: skip
                times.setdefault("warm-wp", []).append(json.loads(answer)["seconds"])
                if "naive" not in skip:
                    started = time.perf_counter()
                    for html, pdf in zip(pairs[0::2], pairs[1::2], strict=True):
                        run([weasyprint, html, pdf], root, wp_env)
                    times.setdefault("naive", []).append(time.perf_counter() - started)
                seconds, _ = run([sahifa, "render", seed, "-o", root / "seed.pdf"], root)
                times.setdefault("render1", []).append(seconds)
                seconds, _ = run([weasyprint, seed_html, root / "seed-wp.pdf"], root, wp_env)
                times.setdefault("weasyprint1", []).append(seconds)
                # The edition twice, each a fresh process: first with an empty box store
                # (tonight's first render), then again with nothing changed (the store the
                # first one left: the desk's render after a late change elsewhere).
                # A cache of its own: no boxes, but the fonts' static instances made (untimed,
                # by an article's render: they are made once per machine, not per edition).
                cache_env = {**os.environ, "XDG_CACHE_HOME": str(root / f"cache-{round_}")}
                run([sahifa, "render", seed, "-o", root / "seed.pdf"], root, cache_env)
                for name in ("edition", "edition-again"):
                    seconds, _ = run([sahifa, "render", root / "articles/2023/05/02/edition.yaml",
                                      "-o", root / "edition.pdf"], root, cache_env)  # fmt: skip
                    times.setdefault(name, []).append(seconds)
        finally:
            if cluster is not None:
                cluster.close()
        hashes = sha256_on_off(root)
    preview = None
    if "preview" not in skip and shutil.which("chromium"):
        _, output = run([sys.executable, REPO / "benchmarks/preview_latency.py", "--runs",
                         str(args.rounds), "--edition"], REPO)  # fmt: skip
        preview = output.strip().splitlines()[-1]

    med = {name: statistics.median(values) for name, values in times.items()}

    def rate(name: str) -> float:
        return pages / med[name] * 60

    print(f"corpus: {len(articles)} distinct articles ({', '.join(f'{n} {k}' for k, n, _ in PLAN)}"
          f") → {pages} pages; medians of {args.rounds} rounds, interleaved")  # fmt: skip
    for name, label in (("jobs1", "sahifa batch --jobs 1"), ("jobs2", "sahifa batch --jobs 2"),
                        ("dask", "batch --scheduler (2 Dask worker processes)"),
                        ("warm-wp", "unpatched WeasyPrint, one warm process"),
                        ("naive", "naive loop, one weasyprint process each")):  # fmt: skip
        if name in med:
            runs = ", ".join(f"{t:.1f}" for t in times[name])
            cpu = f"  CPU {statistics.median(CPU[name]):.1f} s" if name in CPU else ""
            print(f"  {label:<46} {med[name]:7.1f} s  {rate(name):5.0f} pages/min  [{runs}]"
                  f"{cpu}")  # fmt: skip
    print(f"workers busy rendering items: --jobs 1 {med['busy1']:.0%}, --jobs 2 {med['busy2']:.0%}"
          " of their wall time; CPU seconds (warm-WeasyPrint's include its import) show the"
          " work done whatever else the machine is running")  # fmt: skip
    print("ratios (target):")
    print(f"  jobs1 / warm WeasyPrint   {med['warm-wp'] / med['jobs1']:.2f}x  (>= 1.57)")
    print(f"  jobs2 / jobs1             {med['jobs1'] / med['jobs2']:.2f}x  (>= 1.85)")
    print(f"  jobs2 / warm WeasyPrint   {med['warm-wp'] / med['jobs2']:.2f}x  (>= 2.9)")
    if "naive" in med:
        print(f"  jobs2 / naive loop        {med['naive'] / med['jobs2']:.2f}x  (>= 5)")
    if "dask" in med:
        print(f"  dask / jobs2              {med['jobs2'] / med['dask']:.2f}x  (>= 0.85)")
    print(f"one article: sahifa render {med['render1']:.2f} s, weasyprint {med['weasyprint1']:.2f}"
          f" s: {med['render1'] / med['weasyprint1']:.2f}x  (<= 1.1)")  # fmt: skip
    print(f"sample edition: sahifa render {med['edition']:.2f} s with an empty box store, "
          f"{med['edition-again']:.2f} s again with nothing changed  (<= 2.5 s)")
    print(f"sample preview: {preview or 'skipped (no chromium or --skip preview)'}")
    print("byte-preserving optimisations, sha256 on vs off:")
    for label, digest, same in hashes:
        print(f"  {label:<40} {digest}  {'identical' if same else 'DIFFERENT'}")
    return 0 if all(same for _, _, same in hashes) else 1


if __name__ == "__main__":
    sys.exit(main())
