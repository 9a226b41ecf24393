"""sha256 of every PDF with line_box_cache installed and removed: the throughput corpus (54
articles), the sample edition and every sample article of articles/2023/05/02, each plain,
as PDF/A-3b and for the press. ``python benchmarks/line_box_cache_bytes.py [--quick]``
(``--quick``: every fifth corpus article). Box reuse between renders is off, so each render
lays its pages out."""

from __future__ import annotations

import hashlib
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ISSUE = REPO / "articles/2023/05/02"
sys.path.insert(0, str(REPO / "benchmarks"))

import throughput  # noqa: E402


def main() -> int:
    from sahifa import fitting, pipeline
    from sahifa.pipeline import RenderJob, build, prepare
    from sahifa.press.config import PressRequest
    from sahifa.render import patches

    pipeline.warm_up()
    fitting.REUSE_BOXES = False  # each render lays out: nothing from the one before
    patch = patches.all_patches()["line_box_cache"]
    root = Path(tempfile.mkdtemp(prefix="sahifa-line-box-bytes-"))
    rows: list[tuple[str, str, str, bool]] = []
    try:
        for name in ("sahifa.yaml", "layouts", "fonts"):
            (shutil.copytree if (REPO / name).is_dir() else shutil.copy)(REPO / name, root / name)
        shutil.copytree(ISSUE, root / "articles/2023/05/02")
        corpus = throughput.build_corpus(root)
        if "--quick" in sys.argv:
            corpus = corpus[::5]
        samples = sorted(p for p in (root / "articles/2023/05/02").iterdir()
                         if p.suffix in (".yaml", ".md") and p.name != "edition.yaml")  # fmt: skip
        sources = [("corpus", p) for p in corpus] + [("sample", p) for p in samples]
        sources.append(("edition", root / "articles/2023/05/02/edition.yaml"))
        variants = (("plain", {}), ("pdf/a-3b", {"pdf_variant": "pdf/a-3b"}),
                    ("press", {"press": PressRequest()}))  # fmt: skip
        for group, source in sources:
            for label, extra in variants:
                job = RenderJob(source=source, root=root, identifier="bytes", **extra)
                digests = []
                for on in (False, True):
                    (patches.install if on else patches.remove)(patch)
                    digests.append(hashlib.sha256(build(job, prepare(job))[1]).hexdigest())
                same = digests[0] == digests[1]
                rows.append((group, f"{source.name} {label}", digests[1][:16], same))
                verdict = "same" if same else "DIFFERENT"
                print(f"{group:8} {source.name:28} {label:9} {digests[0][:16]} "
                      f"{digests[1][:16]} {verdict}", flush=True)  # fmt: skip
    finally:
        patches.install(patch)
        shutil.rmtree(root, ignore_errors=True)
    for group in ("corpus", "sample", "edition"):
        for label in ("plain", "pdf/a-3b", "press"):
            found = [r for r in rows if r[0] == group and r[1].endswith(" " + label)]
            print(f"{group:8} {label:9} {sum(r[3] for r in found)}/{len(found)} identical")
    return 0 if all(r[3] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
