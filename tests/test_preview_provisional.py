"""The preview's provisional look: after a save that changed no story, an edition shows first
with the last fitting's words in the new look (one layout), then fitted; a story edit, or a
process that has not fitted the edition, goes straight to the fitting."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sahifa.pipeline import RenderJob, build, prepare
from sahifa.preview.server import Previewer, Rendered, render_pdf
from test_edition import HEAD, _edition, _slot


def _two_boxes(project: Path) -> Path:
    return _edition(project, HEAD + "  - template: inside\n    section: شؤون عربية\n"
                    "    stories:\n" + _slot("sudan-hudna.yaml", 1, 3, 1, 6)
                    + _slot("borsa-egx30.yaml", 4, 2, 1, 8, "        overflow: cut\n"))


def test_a_stylesheet_save_is_laid_out_once_with_the_last_fit_then_fitted(project: Path) -> None:
    edition = _two_boxes(project)
    job = RenderJob(source=edition, allow_overset=True, identifier="provisional")
    quick = replace(job, provisional=True)
    fitted, data = build(job, prepare(job))
    assert not fitted.provisional
    again, same = build(quick, prepare(quick))  # nothing changed: the fit, laid out once
    assert again.provisional and again.layouts == 1 and same == data
    css = project / "layouts" / "tabloid" / "style.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n.slot p { font-size: 12pt; }\n",
                   encoding="utf-8")  # fmt: skip
    first, looked = build(quick, prepare(quick))
    refitted = build(job, prepare(job))[0]
    assert first.provisional and first.layouts == 1 and not refitted.provisional
    assert looked != data  # the new look shows at once
    # The fitting then changes what the bigger type needs: borsa's cut keeps fewer words.
    assert [s.words for s in refitted.copyfit] != [s.words for s in first.copyfit]
    story = edition.parent / "sudan-hudna.yaml"
    story.write_text(story.read_text(encoding="utf-8").replace(
        "الاتصالات الدبلوماسية", "الاتصالات الحثيثة الدبلوماسية", 1), encoding="utf-8")
    edited = build(quick, prepare(quick))[0]
    assert not edited.provisional  # a story changed: no quick look, the fitting itself


def test_the_preview_publishes_the_quick_look_then_the_fitted_pages(project: Path) -> None:
    edition = _two_boxes(project)
    published: list[bool] = []

    def render(job: RenderJob) -> Rendered:  # the real pipeline, in this process
        rendered = render_pdf(job)
        published.append(rendered.provisional)
        return rendered

    previewer = Previewer(RenderJob(source=edition, allow_overset=True), project, render=render)
    previewer.render_once()
    assert published == [False] and previewer.state.version == 1  # first: fitted at once
    css = project / "layouts" / "tabloid" / "style.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n.headline { color: red; }\n",
                   encoding="utf-8")  # fmt: skip
    previewer.render_once()
    assert published == [False, True, False] and previewer.state.version == 3
    assert not previewer.state.provisional and not previewer.state.error
    assert previewer.state.public()["provisional"] is False
