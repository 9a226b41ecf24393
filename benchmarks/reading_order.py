"""Each story read back whole and in order: word and in-order recall per story and reader.

Renders the sample edition and every sample article, then reads each PDF back with: the
structure tree (``sahifa text``), PDFium, poppler (``pdftotext``), Apache PDFBox 2
(``PDFTextStripper``: Tika and Solr; Debian ``libpdfbox2-java``, installed by
``scripts/setup.sh``), as Tika reads it (following the article threads) and with
``-ignoreBeads`` (the content order alone), and, where installed, pdf.js (``--pdfjs DIR``: a
``pdfjs-dist`` folder from ``npm install pdfjs-dist``) and MuPDF (``mutool``, Debian
``mupdf-tools``). Each story of the edition is scored against its article file within the
whole edition's text, as the project's ``text_fidelity.py --order`` scores an article
(tests/textlayer.py).

Usage: ``python benchmarks/reading_order.py [--pdfjs DIR] [--articles]`` (``--articles``:
the sample articles on their own pages too). Reports, never asserts.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "tests"))

import textlayer  # noqa: E402  (tests/textlayer.py: the suite's scorer)

SAMPLES = REPO_ROOT / "articles" / "2023" / "05" / "02"
PDFBOX = ["/usr/share/java/pdfbox2.jar", "/usr/share/java/fontbox2.jar",
          "/usr/share/java/commons-logging.jar", "/usr/share/java/pdfbox2-tools.jar"]  # fmt: skip
PDFJS = """import { getDocument } from '%s/legacy/build/pdf.mjs';
import fs from 'fs';
const doc = await getDocument({data: new Uint8Array(fs.readFileSync(process.argv[2])),
                               verbosity: 0}).promise;
let s = '';
for (let p = 1; p <= doc.numPages; p++) {
  for (const it of (await (await doc.getPage(p)).getTextContent()).items) {
    s += it.str; if (it.hasEOL) s += '\\n';
  }
  s += '\\n';
}
process.stdout.write(s);
"""


def _run(*command: str) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def readers(scratch: Path, pdfjs: Path | None) -> dict[str, Callable[[Path], str]]:
    from sahifa.archive.text import read_stories

    found: dict[str, Callable[[Path], str]] = {
        "tags": lambda pdf: "\n".join("\n".join(s.paragraphs) for s in read_stories(pdf)),
        "PDFium": textlayer.pdfium_text,
        "poppler": lambda pdf: textlayer.pdftotext(pdf),
    }
    if shutil.which("java") and all(Path(jar).is_file() for jar in PDFBOX):
        found["PDFBox"] = lambda pdf: _run(
            "java", "-cp", ":".join(PDFBOX), "org.apache.pdfbox.tools.ExtractText",
            "-encoding", "UTF-8", "-console", str(pdf),
        )  # fmt: skip
        # The same without the article threads: the content order alone.
        found["PDFBox-nobeads"] = lambda pdf: _run(
            "java", "-cp", ":".join(PDFBOX), "org.apache.pdfbox.tools.ExtractText",
            "-encoding", "UTF-8", "-ignoreBeads", "-console", str(pdf),
        )  # fmt: skip
    else:
        print("(PDFBox: not installed: apt-get install default-jre-headless libpdfbox2-java)")
    if pdfjs:
        script = scratch / "pdfjs.mjs"
        script.write_text(PDFJS % pdfjs.resolve().as_posix(), encoding="utf-8")
        found["pdf.js"] = lambda pdf: _run("node", str(script), str(pdf))
    if shutil.which("mutool"):
        found["MuPDF"] = lambda pdf: _run("mutool", "draw", "-F", "txt", "-o", "-", str(pdf))
    return found


def _article(story: str) -> Path:
    path = SAMPLES / f"{story}.yaml"
    return path if path.exists() else path.with_suffix(".md")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pdfjs", type=Path, help="a node_modules/pdfjs-dist folder")
    parser.add_argument("--articles", action="store_true", help="also each sample article")
    args = parser.parse_args()
    from sahifa.archive.text import read_stories
    from sahifa.pipeline import RenderJob, build

    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        found = readers(scratch, args.pdfjs)
        items: list[tuple[str, Path, list[str]]] = []
        _, data = build(RenderJob(source=SAMPLES / "edition.yaml", root=REPO_ROOT,
                                  allow_overset=True))  # fmt: skip
        edition = scratch / "edition.pdf"
        edition.write_bytes(data)
        stories = [story.story for story in read_stories(edition)]
        items.append(("edition", edition, stories))
        if args.articles:
            for source in sorted(SAMPLES.glob("*.yaml")) + sorted(SAMPLES.glob("*.md")):
                if source.name == "edition.yaml":
                    continue
                _, data = build(RenderJob(source=source, root=REPO_ROOT, allow_overset=True))
                pdf = scratch / f"{source.stem}.pdf"
                pdf.write_bytes(data)
                items.append((source.stem, pdf, [source.stem]))
        print("word recall / in-order recall, per story (a cut story scores what is printed)")
        print(f"{'pdf':<20}{'story':<20}" + "".join(f"{name:>16}" for name in found))
        for label, pdf, names in items:
            texts = {name: read(pdf) for name, read in found.items()}
            for story in names:
                source = textlayer.article_text(_article(story))
                cells = [f"{textlayer.word_recall(source, text):.3f}/"
                         f"{textlayer.order_recall(source, text):.3f}"
                         for text in texts.values()]  # fmt: skip
                print(f"{label[:19]:<20}{story[:19]:<20}" + "".join(f"{c:>16}" for c in cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
