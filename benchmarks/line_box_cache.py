"""CPU time of the 54-article throughput corpus in one process, line_box_cache on or off.

The corpus of ``benchmarks/throughput.py`` rendered article after article in this process
(as one batch worker does), with the patch switched: ``python benchmarks/line_box_cache.py
on|off [--columns]``. CPU seconds (``time.process_time``), so that a busy machine does not
skew the comparison; run on and off alternately and compare medians. ``--columns`` also
prints the CPU time spent in ``columns_layout`` and how many column layouts it made.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from math import inf
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

import throughput  # noqa: E402


def main() -> int:
    on = sys.argv[1] == "on"
    root = Path(tempfile.mkdtemp(prefix="sahifa-line-box-cache-"))
    try:
        for name in ("sahifa.yaml", "layouts", "fonts"):
            (shutil.copytree if (REPO / name).is_dir() else shutil.copy)(REPO / name, root / name)
        articles = throughput.build_corpus(root)
        import sahifa
        from sahifa import pipeline
        from sahifa.batch.workers import tune_collector
        from sahifa.pipeline import RenderJob, build, prepare
        from sahifa.render import patches

        pipeline.warm_up()
        tune_collector()
        patch = patches.all_patches()["line_box_cache"]
        (patches.install if on else patches.remove)(patch)
        columns = _count_columns() if "--columns" in sys.argv else None
        start = time.process_time()
        for article in articles:
            job = RenderJob(source=article, root=root, identifier=article.stem)
            build(job, prepare(job))
        cpu = time.process_time() - start
        print(f"line_box_cache {'on' if on else 'off'}: {len(articles)} articles, CPU {cpu:.2f} s"
              f" ({Path(sahifa.__file__).parent})")  # fmt: skip
        if columns is not None:
            print(f"  columns_layout: {columns['calls']} calls, {columns['col']} column layouts, "
                  f"{columns['inf']} infinite, CPU {columns['cpu']:.2f} s")  # fmt: skip
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


def _count_columns() -> dict[str, Any]:
    """Count column layouts and time columns_layout (outermost calls), as iters.py does."""
    import weasyprint.layout.block as block

    counts: dict[str, Any] = {"calls": 0, "col": 0, "inf": 0, "cpu": 0.0}
    depth = [0]
    block_box_layout, columns_layout = block.block_box_layout, block.columns_layout

    def counting_block(context: Any, box: Any, bottom_space: Any, *a: Any, **k: Any) -> Any:
        if getattr(box, "is_column", False) and depth[0]:
            counts["inf" if bottom_space == inf else "col"] += 1
        return block_box_layout(context, box, bottom_space, *a, **k)

    def timed_columns(*a: Any, **k: Any) -> Any:
        counts["calls"] += 1
        depth[0] += 1
        start = time.process_time()
        try:
            return columns_layout(*a, **k)
        finally:
            depth[0] -= 1
            if not depth[0]:
                counts["cpu"] += time.process_time() - start

    block.block_box_layout = counting_block
    block.columns_layout = timed_columns
    return counts


if __name__ == "__main__":
    raise SystemExit(main())
