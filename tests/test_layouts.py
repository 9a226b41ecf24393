"""Layouts: page sizes, `extends:` with a CSS-only override, RTL column rules, font roles."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from conftest import SEED, run_cli

A3 = (841.9, 1190.6)
A4 = (595.3, 841.9)


@pytest.mark.parametrize(("layout", "size"), [("tabloid", A3), ("a4", A4)])
def test_layout_page_size(layout: str, size: tuple[float, float], tmp_path: Path) -> None:
    out = tmp_path / f"{layout}.pdf"
    result = run_cli("render", SEED, "-o", out, "--layout", layout)
    assert result.code == 0, result.err
    width, height = pdfium.PdfDocument(out)[0].get_size()
    assert (round(width, 1), round(height, 1)) == size


def _render_image(pdf: Path, scale: float = 1.0):
    return pdfium.PdfDocument(pdf)[0].render(scale=scale).to_pil().convert("RGB")


def test_extending_layout_overrides_only_css(project: Path, tmp_path: Path) -> None:
    mine = project / "layouts" / "red-headlines"
    mine.mkdir()
    (mine / "layout.yaml").write_text("extends: tabloid\n", encoding="utf-8")
    (mine / "style.css").write_text(".headline { color: rgb(255, 0, 0); }\n", encoding="utf-8")
    article = project / "articles" / "a.yaml"
    article.write_text("headline: عنوان أحمر كبير\nbody: نص أسود\n", encoding="utf-8")
    plain, red = tmp_path / "plain.pdf", tmp_path / "red.pdf"
    assert run_cli("render", article, "-o", plain, "--layout", "tabloid").code == 0
    result = run_cli("render", article, "-o", red, "--layout", "red-headlines")
    assert result.code == 0, result.err

    def red_pixels(pdf: Path) -> int:
        image = _render_image(pdf, 0.5)
        return sum(1 for r, g, b in image.get_flattened_data() if r > 200 and g < 60 and b < 60)

    assert red_pixels(plain) == 0
    assert red_pixels(red) > 200
    assert pdfium.PdfDocument(red)[0].get_size() == pdfium.PdfDocument(plain)[0].get_size()


def test_geometry_from_layout_yaml_reaches_css(project: Path, tmp_path: Path) -> None:
    config = project / "layouts" / "a4" / "layout.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("size: A4", "size: A5"), "utf-8")
    out = tmp_path / "a5.pdf"
    article = project / "articles" / "a.yaml"
    article.write_text("headline: خبر\n", encoding="utf-8")
    assert run_cli("render", article, "-o", out, "--layout", "a4").code == 0
    width, height = pdfium.PdfDocument(out)[0].get_size()
    assert (round(width), round(height)) == (420, 595)


def test_rtl_column_rules_sit_in_the_gaps(seed_pdf: Path) -> None:
    """Five columns have four rules, all between the page margins (none in the margin)."""
    scale = 2.0
    image = _render_image(seed_pdf, scale)
    width, height = image.size
    page = pdfium.PdfDocument(seed_pdf)[0]
    text = page.get_textpage()
    content = text.get_text_range()
    # A band of rows inside the body's columns: around the first body paragraph's line.
    top = text.get_charbox(content.index("قام وزير الخارجية"))[3]
    band = range(int(height - top * scale) + 20, int(height - top * scale) + 120)
    # A 0.5 pt rule is anti-aliased over two pixel columns: look at each pair.
    dark_columns = [
        x for x in range(width - 1)
        if all(min(sum(image.getpixel((x, y))), sum(image.getpixel((x + 1, y)))) < 600
               for y in band)
    ]  # fmt: skip
    rules: list[int] = []
    for x in dark_columns:
        if not rules or x - rules[-1] > 3:
            rules.append(x)
    margin = 14 / 25.4 * 72 * scale
    assert len(rules) == 4, rules
    assert all(margin < x < width - margin for x in rules), (rules, margin, width)
    gaps = [b - a for a, b in itertools.pairwise(rules)]
    assert max(gaps) - min(gaps) < 4  # evenly spaced: one per gap


def test_font_role_must_name_a_manifest_family(project: Path) -> None:
    config = project / "layouts" / "base" / "layout.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "body: [Noto Naskh Arabic", "body: [Arial, Noto Naskh Arabic"
        ),
        encoding="utf-8",
    )
    article = project / "articles" / "a.yaml"
    article.write_text("headline: خبر\n", encoding="utf-8")
    result = run_cli("render", article)
    assert result.code == 1
    assert "font role 'body' names 'Arial', which is not in the font manifest" in result.err


def test_compiled_templates_are_reused_and_follow_every_save(project: Path) -> None:
    """One Jinja2 environment per layout chain and process (templates compiled once for a
    batch worker or a preview); an edited template, and a local template that now overrides
    its parent's, are picked up by the next render."""
    from sahifa.fonts import load_registry
    from sahifa.layouts import load_layout

    mine = project / "layouts" / "mine"
    mine.mkdir()
    (mine / "layout.yaml").write_text("extends: tabloid\n", encoding="utf-8")
    (mine / "probe.html.j2").write_text("one {{ x }}", encoding="utf-8")
    fonts = load_registry(project / "fonts")
    layout = load_layout(project / "layouts", "mine", fonts)
    again = load_layout(project / "layouts", "mine", fonts)
    assert layout.environment() is again.environment()
    assert layout.render("probe.html.j2", {"x": 1}) == "one 1"
    (mine / "probe.html.j2").write_text("two {{ x }}", encoding="utf-8")
    os.utime(mine / "probe.html.j2", ns=(1, 10**18))  # a save with another mtime
    assert layout.render("probe.html.j2", {"x": 1}) == "two 1"
    parent = project / "layouts" / "tabloid" / "probe2.html.j2"
    parent.write_text("parent", encoding="utf-8")
    assert layout.render("probe2.html.j2", {}) == "parent"
    (mine / "probe2.html.j2").write_text("local", encoding="utf-8")  # now overridden
    assert layout.render("probe2.html.j2", {}) == "local"
