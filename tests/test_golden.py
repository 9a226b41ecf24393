"""Golden pages: the sample edition's pages and text must not change by accident.

A change meant to move them is committed with new golden files from
``.venv/bin/python scripts/update_golden.py`` (README, "Development"); anything else that
moves a pixel or a word fails here, with the changed areas drawn as ``sahifa diff`` does.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from golden import GOLDEN, page_texts, render_edition
from sahifa.preview.diff import diff_pages


def test_the_sample_edition_matches_its_golden_pages(tmp_path: Path) -> None:
    pages, data = render_edition()
    golden = sorted(GOLDEN.glob("page-*.png"), key=lambda p: int(p.stem.split("-")[1]))
    assert golden, "no golden pages: run scripts/update_golden.py"
    expected = [Image.open(path).convert("RGB") for path in golden]
    result = diff_pages(expected, pages, tmp_path)
    changed = [f"page {p.page}: {p.changed_share:.2%} changed, see {p.image}"
               for p in result.changed]  # fmt: skip
    assert result.identical, f"{len(expected)} → {len(pages)} pages; " + "; ".join(changed)
    text = (GOLDEN / "text.txt").read_text(encoding="utf-8")
    assert "".join(page_texts(data)) == text
