"""Text layer: how many of an article's words a search finds intact in the PDF, per font.

For each Arabic font family (the shipped ones, and any ``--font FILE`` a designer brings, e.g.
from the ``fontpkg-*`` packages of the test extras), a scratch copy of the project gets a
``probe`` layout that sets every role in that family (with the pinned Latin companions), and
the sample articles are rendered twice in this one process: with WeasyPrint's own glyph→text
mapping ("before") and with sahifa's (``sahifa.glyphtext``, "after"). Each PDF is read back
with poppler (``pdftotext``) and PDFium (``pypdfium2``); printed per font and extractor:

- word recall: the share of the article's words found intact (tests/textlayer.py, the same
  measure as the project's text-fidelity tool), lowest over the articles and on the fully
  vocalized one;
- PDFium in-order recall (``--order``): characters of the article found in order; ``order*``
  reads the paper's printed ٫ ٬ ٪ (sahifa.arabic) as the source's . , %;
- the render time of both (``pipeline.build``, layout and writing), and their ratio.

Usage: ``python benchmarks/text_layer.py [--font FILE ...] [--runs N]`` (without ``--font``:
Cairo from the test extras, if installed). Reports, never asserts; exit status 1 only if a
render fails.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "tests"))

import textlayer  # noqa: E402  (tests/textlayer.py: the suite's scorer)

SAMPLES = REPO_ROOT / "articles" / "2023" / "05" / "02"
ARTICLES = {
    "seed": SAMPLES / "wahdat-al-jabahat.yaml",
    "latin+digits": SAMPLES / "borsa-egx30.yaml",
    "names+url": SAMPLES / "maarad-alkitab.md",
    "vocalized": SAMPLES / "rukn-allugha.yaml",
}
COMPANIONS = ["Noto Serif", "DejaVu Sans"]
ROLES = ("body", "headline", "subhead", "caption", "masthead", "folio")


def make_project(scratch: Path, extra_fonts: list[Path]) -> Path:
    """A copy of the project whose fonts.yaml also pins ``extra_fonts``."""
    from sahifa.hashing import file_sha256

    project = scratch / "project"
    project.mkdir()
    shutil.copy(REPO_ROOT / "sahifa.yaml", project)
    shutil.copytree(REPO_ROOT / "layouts", project / "layouts")
    shutil.copytree(REPO_ROOT / "fonts", project / "fonts")
    shutil.copytree(SAMPLES, project / "articles")
    manifest = project / "fonts" / "fonts.yaml"
    with manifest.open("a", encoding="utf-8") as handle:
        for number, font in enumerate(extra_fonts):
            name = f"designer-{number}{font.suffix}"
            shutil.copy(font, project / "fonts" / name)
            handle.write(f"  - file: {name}\n    sha256: {file_sha256(font)}\n")
    return project


def designer_fonts() -> list[Path]:
    """Cairo (variable, not shipped) from the test extras' ``fontpkg-cairo``, if installed."""
    try:
        import fontpkg_cairo
    except ImportError:
        return []
    return sorted(Path(fontpkg_cairo.__file__).parent.joinpath("files").glob("Cairo*.ttf"))


def probe_layout(project: Path, family: str) -> str:
    folder = project / "layouts" / "probe"
    folder.mkdir(exist_ok=True)
    stack = ", ".join([family, *COMPANIONS])
    roles = "\n".join(f"  {role}: [{stack}]" for role in ROLES)
    (folder / "family").write_text(family, encoding="utf-8")
    (folder / "layout.yaml").write_text(
        f"description: every role in {family}\nextends: tabloid\nfonts:\n{roles}\n",
        encoding="utf-8",
    )
    return "probe"


def pdfium_visible(pdf: Path) -> str:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    texts = []
    for page in document:
        left, bottom, right, top = page.get_cropbox()
        texts.append(page.get_textpage().get_text_bounded(left, bottom, right, top))
    return "\n".join(texts)


def measure(project: Path, layout: str, layer: str, out: Path) -> dict[str, object]:
    from sahifa import render
    from sahifa.pipeline import RenderJob, build

    render.warm_up()
    render.set_text_layer(layer)
    scores: dict[str, tuple[float, float, float, float]] = {}
    seconds = 0.0
    for name, article in ARTICLES.items():
        source = project / "articles" / article.name
        job = RenderJob(source=source, layout=layout, root=project, allow_overset=True)
        started = time.perf_counter()
        _, data = build(job)
        seconds += time.perf_counter() - started
        family = project.joinpath("layouts", layout, "family").read_text(encoding="utf-8")
        path = out / f"{family.replace(' ', '')}-{layer}-{name}.pdf"
        path.write_bytes(data)
        text = textlayer.article_text(source)
        pdfium = pdfium_visible(path)
        scores[name] = (
            textlayer.word_recall(text, textlayer.pdftotext(path)),
            textlayer.word_recall(text, pdfium),
            textlayer.order_recall(text, pdfium, printed=False),
            textlayer.order_recall(text, pdfium),
        )
    render.set_text_layer("sahifa")
    return {"scores": scores, "seconds": seconds}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--font",
        type=Path,
        action="append",
        default=[],
        help="an Arabic font file to measure too (a designer's font)",
    )
    parser.add_argument("--runs", type=int, default=1, help="timing runs per font and layer")
    parser.add_argument("--keep", type=Path, help="keep the PDFs in this folder")
    args = parser.parse_args()
    if not args.font:
        args.font = designer_fonts()

    from sahifa.fonts import load_registry

    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        project = make_project(scratch, args.font)
        out = args.keep or scratch / "pdf"
        out.mkdir(parents=True, exist_ok=True)
        registry = load_registry(project / "fonts")
        families = [f for f in registry.families if f not in COMPANIONS]
        print(f"articles: {', '.join(ARTICLES)}; word recall = min over articles "
              "(vocalized separately); order = PDFium in-order recall, min (order*: the "
              "paper's printed ٫ ٬ ٪ read as the source's . , %)")  # fmt: skip
        header = (f"{'font':<26} {'layer':<10} {'poppler':>8} {'PDFium':>8} "
                  f"{'voc.pop':>8} {'voc.pdf':>8} {'order':>7} {'order*':>7} {'s':>6}")  # fmt: skip
        print(header)
        ratios = []
        for family in families:
            layout = probe_layout(project, family)
            times: dict[str, list[float]] = {"weasyprint": [], "sahifa": []}
            results = {}
            for _ in range(max(args.runs, 1)):
                for layer in ("weasyprint", "sahifa"):
                    result = measure(project, layout, layer, out)
                    times[layer].append(float(result["seconds"]))  # type: ignore[arg-type]
                    results[layer] = result["scores"]
            for layer in ("weasyprint", "sahifa"):
                scores = results[layer]
                plain = [v for k, v in scores.items() if k != "vocalized"]
                vocal = scores["vocalized"]
                print(
                    f"{family:<26} {layer:<10} {min(s[0] for s in plain):8.3f} "
                    f"{min(s[1] for s in plain):8.3f} {vocal[0]:8.3f} {vocal[1]:8.3f} "
                    f"{min(s[2] for s in scores.values()):7.3f} "
                    f"{min(s[3] for s in scores.values()):7.3f} "
                    f"{statistics.median(times[layer]):6.2f}"
                )
            ratios.append(statistics.median(times["sahifa"]) / statistics.median(
                times["weasyprint"]))  # fmt: skip
        print(f"render time sahifa/weasyprint text layer: median ratio "
              f"{statistics.median(ratios):.3f} (target <= 1.10)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
