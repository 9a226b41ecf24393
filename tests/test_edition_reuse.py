"""Copy-fitting lays out only the boxes whose context changed (``Fitter.run``), and that
changes no byte of the edition: on and off give the same PDF, with far fewer boxes laid out."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from sahifa import fitting
from sahifa.pipeline import RenderJob, build, prepare
from test_edition import HEAD, SEED, _edition, _slot


def _edition_of_every_mode(project: Path) -> Path:
    """A continued story (its jump lines name each other's pages), a cut one, a fitted one,
    a finished one balanced across its columns and an auto-sized headline."""
    return _edition(
        project,
        HEAD
        + "  - template: front\n    stories:\n"
        + _slot(SEED, 1, 3, 1, 7, "        overflow: continue\n        size: lead\n")
        + _slot("borsa-egx30.yaml", 4, 2, 1, 7, "        overflow: cut\n")
        + "  - template: inside\n    section: شؤون عربية\n    stories:\n"
        + _slot("metro-khat-3.yaml", 1, 3, 1, 6, "        overflow: fit\n        fallback: cut\n")
        + _slot("sudan-hudna.yaml", 4, 2, 1, 12, "        size: auto\n")
        + "      - continued: wahdat-al-jabahat\n        column: 1\n        span: 3\n"
        "        row: 7\n        rows: 6\n",
    )


def _build(edition: Path) -> tuple[str, int, int]:
    job = RenderJob(source=edition, allow_overset=True, identifier="reuse")
    laid: list[int] = []
    run = fitting.Fitter.run

    def counting(self: fitting.Fitter, *args: object, **kwargs: object) -> fitting.Layout:
        before = self.boxes_laid
        layout = run(self, *args, **kwargs)  # type: ignore[arg-type]
        laid.append(self.boxes_laid - before)
        return layout

    fitting.Fitter.run = counting  # type: ignore[method-assign]
    try:
        result, data = build(job, prepare(job))
    finally:
        fitting.Fitter.run = run  # type: ignore[method-assign]
    assert result.layouts >= 3  # a real fitting: passes, balancing, the final layout
    return hashlib.sha256(data).hexdigest(), sum(laid), len(laid)


def test_reusing_unchanged_boxes_keeps_every_byte(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edition = _edition_of_every_mode(project)
    reused, boxes, runs = _build(edition)
    monkeypatch.setattr(fitting, "REUSE_BOXES", False)
    every, all_boxes, all_runs = _build(edition)
    assert reused == every
    assert runs == all_runs and all_boxes >= 5 * (runs - 1)  # every box, every pass
    assert boxes < all_boxes * 0.6, (boxes, all_boxes)
