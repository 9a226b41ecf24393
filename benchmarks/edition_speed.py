"""Edition render speed: what re-laying only the changed boxes saves, and that it changes no byte.

Renders the sample edition (four A3 pages, 16 stories fitted: cut, continued, overflow: fit,
size: auto, balanced) in fresh processes, as the desk's CLI does, each timed (wall and CPU of
the process):

1. every box laid out in every fitting pass (box reuse off: how sahifa fitted before);
2. reuse on, empty cache (a first render on a machine);
3. the same again (the cache of the first run: nothing changed);
4. after a late change (a word added to one story's body): only its box is laid out again;
5. that changed edition with reuse off, for its sha256.

Prints medians of N rounds (default 3) and the ratios to (1), and whether the PDFs of
(1)/(2)/(3) and of (4)/(5) are byte-identical. Numbers depend on the machine and its load;
compare the ratios of one run.

Usage: ``python benchmarks/edition_speed.py [--rounds N]``.
"""

from __future__ import annotations

import argparse
import hashlib
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ISSUE = REPO / "articles/2023/05/02"
SNIPPET = """
import sys
from pathlib import Path
from sahifa import fitting
from sahifa.pipeline import RenderJob, render
fitting.REUSE_BOXES = sys.argv[1] == "on"
render(RenderJob(source=Path(sys.argv[2]), output=Path(sys.argv[3]), root=Path(sys.argv[4]),
                 identifier="edition-speed"))
"""


def timed(reuse: str, edition: Path, out: Path, root: Path, cache: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one render in a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", SNIPPET, reuse, str(edition), str(out), str(root)],
                   check=True, env={"PATH": "/usr/bin:/bin", "XDG_CACHE_HOME": str(cache),
                                    "HOME": str(cache)})  # fmt: skip
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    steps = ["1 reuse off", "2 reuse, empty cache", "3 again, nothing changed",
             "4 one story changed", "5 changed, reuse off"]  # fmt: skip
    times: dict[str, list[tuple[float, float]]] = {step: [] for step in steps}
    digests: dict[str, set[str]] = {step: set() for step in steps}
    with tempfile.TemporaryDirectory(prefix="sahifa-edition-speed-") as tmp:
        root = Path(tmp) / "paper"
        root.mkdir()
        for name in ("sahifa.yaml", "layouts", "fonts"):
            (shutil.copytree if (REPO / name).is_dir() else shutil.copy)(REPO / name, root / name)
        for round_ in range(args.rounds):
            issue = root / "articles" / f"round-{round_}"
            shutil.copytree(ISSUE, issue)
            edition = issue / "edition.yaml"
            cache = Path(tmp) / f"cache-{round_}"
            warm = Path(tmp) / "warm"  # font instances, the engine check: not what is measured
            timed("off", edition, Path(tmp) / "warm.pdf", root, warm)
            shutil.copytree(warm, cache)
            for step in steps:
                if step.startswith("4"):
                    story = issue / "sudan-hudna.yaml"
                    story.write_text(story.read_text(encoding="utf-8").replace(
                        "الاتصالات الدبلوماسية", "الاتصالات الحثيثة الدبلوماسية", 1),
                        encoding="utf-8")  # fmt: skip
                out = Path(tmp) / f"{step[0]}-{round_}.pdf"
                reuse = "off" if "reuse off" in step else "on"
                times[step].append(timed(reuse, edition, out, root, cache))
                digests[step].add(hashlib.sha256(out.read_bytes()).hexdigest())
                print(f"  round {round_ + 1}: {step}: {times[step][-1][0]:.2f} s wall, "
                      f"{times[step][-1][1]:.2f} s CPU", flush=True)
    base_wall = statistics.median(w for w, _ in times[steps[0]])
    base_cpu = statistics.median(c for _, c in times[steps[0]])
    print("\nsample edition, fresh process per render (median of "
          f"{args.rounds}; ratio to reuse off):")  # fmt: skip
    for step in steps:
        wall = statistics.median(w for w, _ in times[step])
        cpu = statistics.median(c for _, c in times[step])
        print(f"  {step:<26} {wall:6.2f} s wall ({wall / base_wall:4.2f}x)  "
              f"{cpu:6.2f} s CPU ({cpu / base_cpu:4.2f}x)")
    # Each round renders its own copy (image paths differ): compare within a round's steps.
    same = len(digests[steps[0]] | digests[steps[1]] | digests[steps[2]]) == args.rounds
    changed = len(digests[steps[3]] | digests[steps[4]]) == args.rounds
    print(f"byte-identical: reuse on/off/cached {same}; after the change, reuse on/off {changed}")
    return 0 if same and changed else 1


if __name__ == "__main__":
    sys.exit(main())
