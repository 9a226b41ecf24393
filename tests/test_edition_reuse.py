"""Copy-fitting lays out only the boxes whose context changed (``Fitter.run``), and that
changes no byte of the edition: on and off give the same PDF, with far fewer boxes laid out."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
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


def _spilling_page(project: Path) -> Path:
    """benchmarks/copyfit.py's plan 4: borsa's lead headline first fills its box and breaks
    the page's grid across pages, moving its neighbours (sehha-tatim's box went to page 2)."""
    slots = [("qitar-kahraba.yaml", 1, 3, 1, 7, "normal"), ("sehha-tatim.yaml", 1, 3, 8, 5,
             "small"), ("borsa-egx30.yaml", 4, 2, 1, 8, "lead"),
             ("taqs-harara.yaml", 4, 2, 9, 4, "normal")]  # fmt: skip
    return _edition(project, HEAD + "  - template: inside\n    section: تجربة\n    stories:\n"
                    + "".join(_slot(name, column, span, row, rows, f"        size: {size}\n"
                                    "        overflow: fit\n        fallback: cut\n")
                              for name, column, span, row, rows, size in slots))  # fmt: skip


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
        data = build(job, prepare(job))[1]
    finally:
        fitting.Fitter.run = run  # type: ignore[method-assign]
    return hashlib.sha256(data).hexdigest(), sum(laid), len(laid)


@pytest.mark.parametrize("plan", [_edition_of_every_mode, _spilling_page])
def test_reusing_unchanged_boxes_keeps_every_byte(
    plan: Callable[[Path], Path], project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edition = plan(project)
    reused, boxes, runs = _build(edition)
    monkeypatch.setattr(fitting, "REUSE_BOXES", False)
    every, all_boxes, all_runs = _build(edition)
    assert reused == every
    assert runs >= 3  # a real fitting: passes, balancing, the final layout
    assert runs == all_runs and all_boxes >= 4 * (runs - 1)  # every box, every pass
    assert boxes < all_boxes * 0.6, (boxes, all_boxes)


def test_a_later_fitting_reuses_only_boxes_whose_inputs_did_not_change(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The preview fits the same edition after every save: a box is reused only while its
    words, its photo file and the layout's files are what they were."""
    edition = _edition(project, HEAD + "  - template: inside\n    section: شؤون عربية\n"
                       "    stories:\n" + _slot("sudan-hudna.yaml", 1, 3, 1, 6)
                       + _slot("borsa-egx30.yaml", 4, 2, 1, 8, "        overflow: cut\n"))
    _build(edition)  # the process now knows every box of it
    assert _build(edition)[1] == 2  # nothing changed: just the pages to write are laid out
    story = edition.parent / "sudan-hudna.yaml"
    story.write_text(story.read_text(encoding="utf-8").replace(
        "الاتصالات الدبلوماسية", "الاتصالات الحثيثة الدبلوماسية", 1), encoding="utf-8")
    photo = next((edition.parent / "images").glob("borsa*"))
    photo.write_bytes(photo.read_bytes())  # saved again: the box is laid out again
    css = project / "layouts" / "tabloid" / "style.css"
    changes = [None, lambda: css.write_text(css.read_text(encoding="utf-8")
                                            + "\n.slot p { font-size: 11pt; }\n",
                                            encoding="utf-8")]  # fmt: skip
    for change in changes:
        if change is not None:
            change()
        monkeypatch.setattr(fitting, "REUSE_BOXES", True)
        reused, boxes, _ = _build(edition)
        monkeypatch.setattr(fitting, "REUSE_BOXES", False)
        fresh, _, _ = _build(edition)
        assert reused == fresh
        assert boxes > 2  # laid out again in the passes, not only for the pages to write


def test_a_new_process_reuses_the_boxes_an_earlier_run_measured(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The desk renders again after a late change, in a new process: the measures of the
    boxes it did not touch come from the user's cache; a broken cache file is ignored."""
    from sahifa.copyfit import store

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    edition = _edition(project, HEAD + "  - template: inside\n    section: شؤون عربية\n"
                       "    stories:\n" + _slot("sudan-hudna.yaml", 1, 3, 1, 6)
                       + _slot("borsa-egx30.yaml", 4, 2, 1, 8, "        overflow: cut\n"))
    first, boxes, _ = _build(edition)
    assert boxes > 2
    [kept] = list(store.folder().glob("*.json"))
    monkeypatch.setattr(fitting, "_measured", {})  # what a new process knows: nothing
    monkeypatch.setattr(fitting, "_entangled", set())
    again, boxes, _ = _build(edition)
    assert again == first and boxes == 2  # only the pages to write were laid out
    kept.write_text("{not json", encoding="utf-8")
    monkeypatch.setattr(fitting, "_measured", {})
    monkeypatch.setattr(fitting, "_entangled", set())
    measured, boxes, _ = _build(edition)
    assert measured == first and boxes > 2


def test_a_new_process_knows_which_pages_an_earlier_run_laid_out_whole(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page where a box spilled is keyed as a whole; the cache keeps that too, so a new
    process lays out only the pages to write (it laid the spilling page out twice more)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    edition = _spilling_page(project)
    first, boxes, _ = _build(edition)
    assert boxes > 4
    monkeypatch.setattr(fitting, "_measured", {})  # what a new process knows: nothing
    monkeypatch.setattr(fitting, "_entangled", set())
    again, boxes, _ = _build(edition)
    assert again == first and boxes == 4  # only the pages to write were laid out
