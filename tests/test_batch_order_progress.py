"""A batch renders its longest items first and shows its progress: a live bar on a terminal
(items, failures, pages/min, ETA), plain lines elsewhere."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import yaml

from sahifa.batch.order import estimated_cost, longest_first
from sahifa.batch.progress import Progress

pytestmark = pytest.mark.unit


def _article(path: Path, words: int) -> Path:
    path.write_text(yaml.safe_dump({"headline": "خبر", "date": "2023-05-02",
                                    "body": "كلمة " * words}, allow_unicode=True),
                    encoding="utf-8")  # fmt: skip
    return path


def test_longest_items_come_first_and_ties_keep_their_order(tmp_path: Path) -> None:
    short_a = _article(tmp_path / "a.yaml", 50)
    short_b = _article(tmp_path / "b.yaml", 50)
    long = _article(tmp_path / "c.yaml", 2000)
    _article(tmp_path / "story.yaml", 1000)
    edition = tmp_path / "edition.yaml"
    edition.write_text(yaml.safe_dump({"issue": "1", "date": "2023-05-02", "pages": [
        {"template": "front", "stories": [{"article": "story.yaml", "column": 1, "span": 2,
                                           "row": 1, "rows": 6}]}]}),
                       encoding="utf-8")  # fmt: skip
    # An edition costs its stories, laid out in several passes: more than its own few bytes.
    assert estimated_cost(edition) > estimated_cost(long) > estimated_cost(short_a)
    order = longest_first([short_a, short_b, long, edition], lambda p: p)
    assert order == [edition, long, short_a, short_b]
    assert longest_first([short_b, short_a], lambda p: p) == [short_b, short_a]
    missing = tmp_path / "gone.yaml"  # vanished since discovery: cost 0, still an item
    assert longest_first([missing, short_a], lambda p: p) == [short_a, missing]


def test_a_terminal_gets_a_live_bar_with_rate_and_eta() -> None:
    out = io.StringIO()
    progress = Progress(3, out, tty=True)
    progress.update({"input": "a.yaml", "status": "ok", "pages": 2})
    progress.update({"input": "b.yaml", "status": "failed", "error": "bad"})
    progress.update({"input": "c.yaml", "status": "ok", "pages": 1})
    progress.finish()
    shown = out.getvalue()
    assert "\x1b[" in shown and "\r" in shown  # redrawn in place
    assert "3/3" in shown and "1 failed" in shown and "pages/min" in shown and "ETA" in shown
    assert "a.yaml" not in shown  # a bar, not a log
    assert (progress.done, progress.failed, progress.pages) == (3, 1, 3)


def test_a_pipe_gets_one_plain_line_per_item() -> None:
    out = io.StringIO()
    progress = Progress(2, out, tty=False)
    progress.update({"input": "a.yaml", "status": "ok", "pages": 2})
    progress.update({"input": "b.yaml", "status": "failed", "error": "b.yaml: bad date"})
    progress.finish()
    assert out.getvalue().splitlines() == ["[1/2] ok a.yaml: 2 page(s)",
                                           "[2/2] failed b.yaml: b.yaml: bad date"]  # fmt: skip
