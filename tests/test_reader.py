"""The article format: strict YAML, strings stay strings, Markdown front matter."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sahifa.content.reader import read_article

pytestmark = pytest.mark.unit  # no engine: runs with WeasyPrint blocked


def test_scalars_stay_text(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(
        "headline: no\nkicker: 2024\ndeck: on\nbyline: 1e3\nsection: null\ndate: 2023-05-02\n"
        "tags: [yes, 12]\n",
        encoding="utf-8",
    )
    article, warnings = read_article(path)
    assert (article.headline, article.kicker, article.deck, article.byline) == (
        "no", "2024", "on", "1e3",
    )  # fmt: skip
    assert article.section == "null"
    assert article.date == dt.date(2023, 5, 2)  # the one typed field
    assert article.tags == ("yes", "12")
    assert warnings == []


def test_markdown_front_matter_and_body_line(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("---\nheadline: خبر\nsection: ثقافة\n---\nالفقرة الأولى\n", encoding="utf-8")
    article, _ = read_article(path)
    assert article.headline == "خبر" and article.section == "ثقافة"
    assert article.body == "الفقرة الأولى\n"
    assert article.body_line == 5
    assert article.key_lines["section"] == 3


def test_image_without_src_is_a_placeholder_with_warning(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("headline: خبر\nimage:\n  caption: الرئيس\n", encoding="utf-8")
    article, warnings = read_article(path)
    assert article.image is not None and article.image.src is None
    assert article.image.caption == "الرئيس"
    assert [w.key for w in warnings] == ["image"]


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes("headline: خبر\n".encode("utf-8-sig"))
    assert read_article(path)[0].headline == "خبر"
