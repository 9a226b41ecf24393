"""The text layer's per-run memo (``draw_first_line._run_roles``): a word drawn again reuses
what its glyphs carry, with the same bytes as working it out afresh, for plain and PDF/A
writes (whose carrier widths differ), across documents."""

from __future__ import annotations

import hashlib

import pytest

from conftest import REPO
from sahifa.pipeline import RenderJob, build

SAMPLES = REPO / "articles/2023/05/02"


def _digest(name: str, variant: str | None) -> str:
    job = RenderJob(source=SAMPLES / name, root=REPO, pdf_variant=variant)
    return hashlib.sha256(build(job)[1]).hexdigest()


@pytest.mark.parametrize("variant", [None, "pdf/a-3b"])
def test_runs_drawn_from_the_memo_give_the_same_bytes(variant: str | None) -> None:
    from sahifa.render.patches import draw_first_line  # the engine: not in the unit tier

    draw_first_line._runs.clear()
    computed: list[int] = []
    original = draw_first_line.assign_texts

    def counting(*args: object, **kwargs: object) -> object:
        computed.append(1)
        return original(*args, **kwargs)  # type: ignore[arg-type]

    draw_first_line.assign_texts = counting  # type: ignore[assignment]
    try:
        cold = _digest("wahdat-al-jabahat.yaml", variant)
        first = len(computed)
        runs = len(draw_first_line._runs)
        warm = _digest("wahdat-al-jabahat.yaml", variant)
        again = len(computed)
        # Another article after it: its common words come from the memo, and the same bytes
        # as in a process that drew nothing before it.
        after = _digest("sudan-hudna.yaml", variant)
        draw_first_line._runs.clear()
        alone = _digest("sudan-hudna.yaml", variant)
    finally:
        draw_first_line.assign_texts = original  # type: ignore[assignment]
    assert cold == warm and after == alone
    assert runs == first > 0  # every distinct run worked out once...
    assert again == first  # ...and the second render drew all of them from the memo


def test_the_memo_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past its bound the memo starts again rather than growing with an archive run."""
    from sahifa.render.patches import draw_first_line

    monkeypatch.setattr(draw_first_line, "_MAX_RUNS", 3)
    draw_first_line._runs.clear()
    for n in range(7):
        key = (b"\xd8\xa8", bytes([n]), b"\0", True, frozenset(), 12.0, (500,), False)
        draw_first_line._run_roles(key, [n], [(600, 0, 0)], [0], 1 / 1024)
        assert len(draw_first_line._runs) <= 3
    draw_first_line._runs.clear()

