"""render.font_config: documents in the same fonts share one font configuration, with the
same bytes as a configuration each; a document that declares other fonts cannot reach the
pages of the documents after it."""

from __future__ import annotations

from pathlib import Path

import pytest

from sahifa import render
from sahifa.fetch import Fetcher
from sahifa.pipeline import RenderJob, build, prepare
from sahifa.render import font_config
from test_line_split_cache import REPO, _page

ARTICLE = REPO / "articles/2023/05/02/wahdat-al-jabahat.yaml"


def _pdf(html: str, roots: dict[Path, frozenset[str]], key: str | None) -> bytes:
    laid = render.lay_out(html, base_url=Path("/nonexistent"), fetcher=Fetcher(roots),
                          source=Path("probe.html"), fonts_key=key)  # fmt: skip
    return laid.write(identifier=b"fixed")


def test_documents_in_the_same_fonts_share_one_configuration(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(font_config, "_shared", {})
    render.warm_up()
    first = font_config.font_configuration("fonts-a")
    assert font_config.font_configuration("fonts-a") is first
    assert font_config.font_configuration("fonts-b") is not first
    assert font_config.font_configuration(None) is not font_config.font_configuration(None)


@pytest.mark.parametrize("variant", [None, "pdf/a-3b"])
def test_the_pages_are_byte_identical_without_sharing(
    variant: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(font_config, "_shared", {})

    def pdf() -> bytes:
        job = RenderJob(source=ARTICLE, root=REPO, identifier="fixed", pdf_variant=variant)
        return build(job, prepare(job))[1]

    shared = [pdf(), pdf()]  # the second one in the configuration the first one made
    monkeypatch.setattr(font_config, "SHARE", False)
    assert shared == [pdf(), pdf()]


def test_a_document_with_other_fonts_does_not_reach_the_next_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A page that maps the body family to another file (DejaVu Sans) gets it; the page
    after it, in the same fonts key, is drawn as if it had a configuration of its own."""
    monkeypatch.setattr(font_config, "_shared", {})
    html, roots = _page()
    other = (REPO / "fonts" / "DejaVuSans.ttf").as_uri()
    hostile = html.replace("<style>", "<style>@font-face { font-family: 'Noto Naskh Arabic'; "
                           f"src: url({other}) }} ", 1)  # fmt: skip
    roots[REPO / "fonts"] = roots[REPO / "fonts"] | {"DejaVuSans.ttf"}
    _pdf(html, roots, "fonts")  # the configuration's first document
    changed = _pdf(hostile, roots, "fonts")
    after = _pdf(html, roots, "fonts")
    monkeypatch.setattr(font_config, "SHARE", False)
    assert changed == _pdf(hostile, roots, None)  # it got the fonts it declared
    assert after == _pdf(html, roots, None)
    assert after != changed
