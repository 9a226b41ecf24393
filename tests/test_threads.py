"""Article threads' beads, planned from the laid-out regions (no engine: pure geometry).

The threads of a real render are walked with pikepdf in test_tagged_pdf.py."""

from __future__ import annotations

import pytest

from sahifa.render.boxes import Region
from sahifa.render.threads import PAD_PT, plan_beads, separator_content, threads_of

pytestmark = pytest.mark.unit


def test_beads_are_in_pdf_points_from_the_bottom_and_widened_beside_their_columns() -> None:
    # Two columns 20 px (15 pt) apart under a head, on a 1000 px high page.
    regions = [
        Region("a", 0, (100, 100, 500, 200), "head"),
        Region("a", 0, (320, 200, 500, 600), "column"),
        Region("a", 0, (100, 200, 300, 600), "column"),
    ]
    head, right, left = plan_beads(regions, [1000])
    assert head.rect == (75 - PAD_PT, 600, 375 + PAD_PT, 675)
    assert right.rect == (240 - PAD_PT, 300, 375 + PAD_PT, 600)
    assert left.rect == (75 - PAD_PT, 300, 225 + PAD_PT, 600)


def test_a_bead_never_comes_within_a_point_of_the_bead_beside_it() -> None:
    # 4 px (3 pt) apart: each may reach 0.5 pt towards the other.
    regions = [Region("a", 0, (104, 0, 200, 100), "column"),
               Region("b", 0, (0, 0, 100, 100), "column"),
               Region("c", 1, (0, 0, 100, 100), "column")]  # fmt: skip
    a, b, c = plan_beads(regions, [100, 100])
    assert a.rect[0] == pytest.approx(78 - 0.5) and b.rect[2] == pytest.approx(75 + 0.5)
    assert a.rect[2] == 150 + PAD_PT and c.rect == (-PAD_PT, 0, 75 + PAD_PT, 75)  # c: other page


def test_a_story_continued_on_a_later_page_is_one_thread_in_reading_order() -> None:
    regions = [
        Region("a", 0, (0, 0, 10, 10), "column"),
        Region("b", 0, (20, 0, 30, 10), "column"),
        Region("a", 2, (0, 0, 10, 10), "head"),
        Region("a", 2, (0, 10, 10, 20), "column"),
    ]
    threads = threads_of(plan_beads(regions, [100, 100, 100]))
    assert list(threads) == ["a", "b"]
    assert [(bead.page, bead.rect[3]) for bead in threads["a"]] == [(0, 75), (2, 75), (2, 67.5)]


def test_separators_are_invisible_artifacts_read_as_nothing_but_by_pdfbox() -> None:
    [bead] = plan_beads([Region("a", 0, (0, 0, 100, 100), "column")], [100])
    top = separator_content([bead], True, "F1", 0x2A)
    assert b"/Artifact BMC" in top and b"<</ActualText ()>> BDC" in top and b"3 Tr" in top
    assert b"/F1 1 Tf" in top and b"<002a> Tj" in top
    assert top.startswith(b"q ") and top.rstrip().endswith(b"Q")  # text state restored
    assert b" 74.99 Tm" in top and b" 0.01 Tm" in separator_content([bead], False, "F1", 1)
