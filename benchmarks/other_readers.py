"""Text layer seen by readers other than poppler and PDFium: word and in-order recall.

Renders the four sample articles (the seed, Latin-and-digits, names-and-URL, vocalized) and
reads each PDF back with whatever is installed of: pdf.js (``node`` and a ``pdfjs-dist``
folder given as ``--pdfjs DIR``: Firefox's reader), MuPDF (``pymupdf``) and ``pypdf``; poppler
and PDFium are printed too, for comparison. Neither reader is a dependency of the project:
``pip install pymupdf pypdf`` and ``npm install pdfjs-dist`` in a scratch place.

Usage: ``python benchmarks/other_readers.py [--pdfjs DIR] [--python PYTHON]`` (``--python``:
an interpreter that has pymupdf and pypdf, default this one). Reports, never asserts.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "tests"))

import textlayer  # noqa: E402  (tests/textlayer.py: the suite's scorer)

SAMPLES = REPO_ROOT / "articles" / "2023" / "05" / "02"
ARTICLES = ["wahdat-al-jabahat.yaml", "borsa-egx30.yaml", "maarad-alkitab.md", "rukn-allugha.yaml"]
PDFJS = """import { getDocument } from '%s/legacy/build/pdf.mjs';
import fs from 'fs';
const doc = await getDocument({data: new Uint8Array(fs.readFileSync(process.argv[2])),
                               verbosity: 0}).promise;
let s = '';
for (let p = 1; p <= doc.numPages; p++) {
  for (const it of (await (await doc.getPage(p)).getTextContent()).items) {
    s += it.str; if (it.hasEOL) s += '\\n';
  }
}
process.stdout.write(s);
"""
PYTHON_READERS = {
    "mupdf": "import sys, pymupdf; print(''.join(p.get_text() for p in pymupdf.open(sys.argv[1])))",
    "pypdf": "import sys, pypdf; print('\\n'.join(p.extract_text() for p in "
    "pypdf.PdfReader(sys.argv[1]).pages))",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pdfjs", type=Path, help="a node_modules/pdfjs-dist folder")
    parser.add_argument("--python", default=sys.executable, help="has pymupdf and pypdf")
    args = parser.parse_args()
    from sahifa.pipeline import RenderJob, build

    with tempfile.TemporaryDirectory() as scratch:
        readers = {"poppler": lambda p: textlayer.pdftotext(p), "PDFium": textlayer.pdfium_text}
        if args.pdfjs:
            script = Path(scratch) / "pdfjs.mjs"
            script.write_text(PDFJS % args.pdfjs.resolve().as_posix(), encoding="utf-8")
            readers["pdf.js"] = lambda p: (
                subprocess.run(
                    ["node", str(script), str(p)], capture_output=True, text=True, check=True
                ).stdout
            )
        for name, code in PYTHON_READERS.items():
            probe = subprocess.run([args.python, "-c", code.split(";")[0]], capture_output=True)
            if probe.returncode == 0:
                readers[name] = lambda p, code=code: (
                    subprocess.run(
                        [args.python, "-c", code, str(p)], capture_output=True, text=True
                    ).stdout
                )
            else:
                print(f"({name}: not installed for {args.python})")
        print("word recall / in-order recall (printed ٫ ٬ ٪ read as . , %)")
        print(f"{'article':<24}" + "".join(f"{name:>16}" for name in readers))
        for article in ARTICLES:
            source = SAMPLES / article
            _, data = build(RenderJob(source=source, root=REPO_ROOT, allow_overset=True))
            pdf = Path(scratch) / f"{source.stem}.pdf"
            pdf.write_bytes(data)
            text = textlayer.article_text(source)
            cells = []
            for read in readers.values():
                got = read(pdf)
                cells.append(f"{textlayer.word_recall(text, got):.3f}/"
                             f"{textlayer.order_recall(text, got):.3f}")  # fmt: skip
            print(f"{source.stem:<24}" + "".join(f"{cell:>16}" for cell in cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
