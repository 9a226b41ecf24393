"""Write the golden pages: the sample edition's page images and text, on purpose.

    .venv/bin/python scripts/update_golden.py

Run it after a change that is meant to move pixels or text (a layout, a font, the text
layer), look at the new PNGs in tests/golden/ and at `git diff --stat`, and commit them with
the change: tests/test_golden.py then holds the next change to them.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from golden import EDITION, GOLDEN, page_texts, render_edition  # noqa: E402
from sahifa.output import write_atomic  # noqa: E402
from sahifa.preview.raster import png_bytes  # noqa: E402


def main() -> int:
    pages, data = render_edition()
    for old in GOLDEN.glob("page-*.png"):
        old.unlink()
    for number, image in enumerate(pages, start=1):
        write_atomic(GOLDEN / f"page-{number}.png", png_bytes(image))
    texts = page_texts(data)
    write_atomic(GOLDEN / "text.txt", "".join(texts).encode("utf-8"))
    where = GOLDEN.relative_to(REPO)
    print(f"{EDITION.relative_to(REPO)}: {len(pages)} page(s) written to {where}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
