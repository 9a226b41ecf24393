"""Render speed: the ``sahifa`` CLI against plain ``weasyprint`` on the same page.

Measured in one run, each command in a fresh process (as a desk user runs it), on the sample
article ``articles/2023/05/02/wahdat-al-jabahat.yaml``:

1. ``sahifa render ARTICLE -o TMP/sahifa.pdf`` -- the whole pipeline;
2. ``weasyprint TMP/page.html TMP/wp.pdf`` on the exact HTML sahifa composes (written once
   with ``--html``; it names fonts, stylesheets and images by absolute ``file://`` URLs), with
   ``FONTCONFIG_FILE`` pointing at an empty configuration as sahifa's own renders do;
3. ``sahifa --help`` -- start-up cost of the command line.

The three are interleaved run by run so that machine noise falls on all of them alike. Prints
the median and minimum of each, the sahifa/weasyprint ratio of the medians (target <= 1.3) and
the help time (target <= 0.3 s). Targets are reported, not asserted: exit status is 0 unless a
command fails, then its stderr is printed and the status is 1.

Usage: ``python benchmarks/render_speed.py [--runs N]`` (default 5), from any directory.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
ARTICLE = Path("articles/2023/05/02/wahdat-al-jabahat.yaml")
# Not resolved: a venv's python is a symlink, and its console scripts sit next to the link.
BIN_DIR = Path(sys.executable).parent
SAHIFA = BIN_DIR / "sahifa"
WEASYPRINT = BIN_DIR / "weasyprint"
EMPTY_FONTCONFIG = (
    '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig></fontconfig>'
)
RATIO_TARGET = 1.3
HELP_TARGET = 0.3  # seconds


class CommandFailed(Exception):
    """A benchmarked command exited non-zero."""

    def __init__(self, command: Sequence[str], returncode: int, stderr: str) -> None:
        super().__init__(f"{' '.join(command)} exited {returncode}")
        self.command = list(command)
        self.returncode = returncode
        self.stderr = stderr


def run_timed(command: Sequence[str], env: Mapping[str, str] | None = None) -> float:
    """Run ``command`` in the repo root; return its wall time in seconds."""
    started = time.perf_counter()
    completed = subprocess.run(
        [str(part) for part in command],
        cwd=REPO_ROOT,
        env=dict(env) if env is not None else None,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if completed.returncode != 0:
        raise CommandFailed(command, completed.returncode, completed.stderr)
    return elapsed


def summary(label: str, times: Sequence[float]) -> str:
    return f"{label:<16} median {statistics.median(times):6.3f} s  min {min(times):6.3f} s"


def benchmark(runs: int) -> dict[str, list[float]]:
    """Time the three commands ``runs`` times each, interleaved."""
    times: dict[str, list[float]] = {"sahifa": [], "weasyprint": [], "help": []}
    with tempfile.TemporaryDirectory(prefix="sahifa-bench-") as tmp_name:
        tmp = Path(tmp_name)
        html = tmp / "page.html"
        # Once, untimed: the HTML weasyprint gets (this also warms the page cache for both).
        run_timed(
            [str(SAHIFA), "render", str(ARTICLE), "-o", str(tmp / "x.pdf"), "--html", str(html)]
        )
        fontconfig = tmp / "fonts-empty.conf"
        fontconfig.write_text(EMPTY_FONTCONFIG, encoding="utf-8")
        weasyprint_env = {**os.environ, "FONTCONFIG_FILE": str(fontconfig)}

        sahifa_cmd = [str(SAHIFA), "render", str(ARTICLE), "-o", str(tmp / "sahifa.pdf")]
        weasyprint_cmd = [str(WEASYPRINT), str(html), str(tmp / "wp.pdf")]
        help_cmd = [str(SAHIFA), "--help"]
        for run in range(1, runs + 1):
            times["sahifa"].append(run_timed(sahifa_cmd))
            times["weasyprint"].append(run_timed(weasyprint_cmd, env=weasyprint_env))
            times["help"].append(run_timed(help_cmd))
            print(
                f"  run {run}/{runs}: sahifa {times['sahifa'][-1]:.3f} s  "
                f"weasyprint {times['weasyprint'][-1]:.3f} s  help {times['help'][-1]:.3f} s",
                flush=True,
            )
    return times


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time sahifa render against weasyprint.")
    parser.add_argument("--runs", type=int, default=5, help="runs of each command (default 5)")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    print(f"article: {ARTICLE}  ({args.runs} runs each, fresh process per run)")
    print(f"python:  {sys.executable}")
    try:
        times = benchmark(args.runs)
    except CommandFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        print(exc.stderr, file=sys.stderr, end="" if exc.stderr.endswith("\n") else "\n")
        return 1

    print(summary("sahifa render", times["sahifa"]))
    print(summary("weasyprint", times["weasyprint"]))
    print(summary("sahifa --help", times["help"]))
    sahifa_median = statistics.median(times["sahifa"])
    weasyprint_median = statistics.median(times["weasyprint"])
    help_median = statistics.median(times["help"])
    ratio = sahifa_median / weasyprint_median
    print(
        f"render: sahifa {sahifa_median:.2f} s  weasyprint {weasyprint_median:.2f} s  "
        f"ratio {ratio:.2f} (target <= {RATIO_TARGET})"
    )
    print(f"help:   sahifa --help {help_median:.3f} s (target <= {HELP_TARGET} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
