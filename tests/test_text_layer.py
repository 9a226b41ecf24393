"""The text layer gives back the printed words, for every shipped font and a designer's font.

Each Arabic family is set in every role of a ``probe`` layout (with the pinned Latin
companions) and the sample articles are rendered through the real pipeline, then read back
with poppler (``pdftotext``) and PDFium (``pypdfium2``) and scored as word recall (the share of
the article's words found intact: what an archive search finds). The designer's font is Cairo
(a variable font, not shipped) from the ``fontpkg-cairo`` package of the test extras.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageChops

from conftest import REPO, run_cli
from sahifa import render
from sahifa.fonts import load_registry
from sahifa.hashing import file_sha256
from sahifa.pipeline import RenderJob, build
from sahifa.render.textlayer.clusters import GlyphText, assign_texts
from sahifa.render.textlayer.lineorder import written_text
from textlayer import (
    article_text,
    order_recall,
    pdfium_text,
    pdftotext,
    word_recall,
    words,
)

SAMPLES = REPO / "articles/2023/05/02"
SEED = SAMPLES / "wahdat-al-jabahat.yaml"
VOCALIZED = SAMPLES / "rukn-allugha.yaml"
LATIN = [SAMPLES / "borsa-egx30.yaml", SAMPLES / "maarad-alkitab.md"]
COMPANIONS = ("Noto Serif", "DejaVu Sans")
ROLES = ("body", "headline", "subhead", "caption", "masthead", "folio")
ARABIC = re.compile(r"[\u0600-\u06ff]")
LATIN_OR_DIGIT = re.compile(r"[A-Za-z0-9]")
ARABIC = re.compile(r"[\u0621-\u064a]")


def _designer_font() -> Path:
    import fontpkg_cairo

    return next(Path(fontpkg_cairo.__file__).parent.joinpath("files").glob("Cairo*.ttf"))


@pytest.fixture(scope="module")
def probe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project that also pins the designer's font, with one probe layout per
    Arabic family (``probe-0``, ``probe-1``, …) and the sample articles."""
    root = tmp_path_factory.mktemp("probe") / "paper"
    root.mkdir()
    shutil.copy(REPO / "sahifa.yaml", root)
    shutil.copytree(REPO / "layouts", root / "layouts")
    shutil.copytree(REPO / "fonts", root / "fonts")
    shutil.copytree(SAMPLES, root / "articles")
    font = _designer_font()
    shutil.copy(font, root / "fonts" / "Cairo-VF.ttf")
    with (root / "fonts" / "fonts.yaml").open("a", encoding="utf-8") as manifest:
        manifest.write(f"  - file: Cairo-VF.ttf\n    sha256: {file_sha256(font)}\n")
    return root


def _families(root: Path) -> list[str]:
    return [f for f in load_registry(root / "fonts").families if f not in COMPANIONS]


def _layout(root: Path, family: str) -> str:
    name = "probe-" + re.sub(r"\W+", "-", family).strip("-").lower()
    folder = root / "layouts" / name
    folder.mkdir(exist_ok=True)
    stack = ", ".join([family, *COMPANIONS])
    roles = "\n".join(f"  {role}: [{stack}]" for role in ROLES)
    (folder / "layout.yaml").write_text(f"extends: tabloid\nfonts:\n{roles}\n", encoding="utf-8")
    return name


def _render(root: Path, article: Path, family: str, out: Path, layer: str = "sahifa") -> Path:
    render.warm_up()
    render.set_text_layer(layer)
    try:
        job = RenderJob(source=root / "articles" / article.name, layout=_layout(root, family),
                        root=root, allow_overset=True)  # fmt: skip
        _, data = build(job)
    finally:
        render.set_text_layer("sahifa")
    out.write_bytes(data)
    return out


def _missed(source: str, extracted: str) -> list[str]:
    want, got = Counter(words(source)), Counter(words(extracted))
    return [w for w, n in want.items() if got[w] < n]


def test_every_shipped_arabic_face_is_tested(probe: Path) -> None:
    families = _families(probe)
    assert {"Noto Naskh Arabic", "Noto Kufi Arabic", "Cairo"} <= set(families)


@pytest.mark.parametrize("family", ["Noto Naskh Arabic", "Noto Kufi Arabic", "Cairo"])
def test_words_come_back_intact_and_in_order(probe: Path, family: str, tmp_path: Path) -> None:
    """Every word, PDFium's text in order. In the Latin samples, words that glue an Arabic
    letter to a Latin word or a number may split: poppler wraps every left-to-right stretch
    of a right-to-left line in LRE…PDF ("الـ54", "وHachette"), and PDFium reads the
    ActualText of a Latin stretch drawn in several fonts where its first text object is, then
    puts a space ("و Hachette Livre" with Noto Naskh). README, "Text layer"."""
    for article in (SEED, VOCALIZED, *LATIN):
        out = _render(probe, article, family, tmp_path / f"{article.stem}.pdf")
        source = article_text(article)
        for extractor, text in (("poppler", pdftotext(out)), ("PDFium", pdfium_text(out))):
            recall = word_recall(source, text)
            missed = _missed(source, text)
            where = f"{family}, {article.name}, {extractor}: recall {recall:.3f}, missed {missed}"
            if article in (SEED, VOCALIZED):
                assert recall >= 0.995, where
            else:
                assert recall >= (0.99 if extractor == "PDFium" else 0.98), where
                assert all(ARABIC.search(w) and LATIN_OR_DIGIT.search(w) for w in missed), where
        in_order = order_recall(source, pdfium_text(out))
        assert in_order >= 0.99, f"{family}, {article.name}: PDFium in order {in_order:.4f}"


def test_plain_weasyprint_loses_words_that_sahifa_keeps(probe: Path, tmp_path: Path) -> None:
    """The mechanism is what makes the difference (Kufi draws dots as separate glyphs)."""
    source = article_text(SEED)
    before = _render(probe, SEED, "Noto Kufi Arabic", tmp_path / "wp.pdf", layer="weasyprint")
    after = _render(probe, SEED, "Noto Kufi Arabic", tmp_path / "sahifa.pdf")
    assert word_recall(source, pdftotext(before)) < 0.5
    assert word_recall(source, pdftotext(after)) >= 0.995


def _max_pixel_difference(a: Path, b: Path, folder: Path) -> int:
    subprocess.run(["pdftoppm", "-r", "150", "-png", a, folder / "a"], check=True)
    subprocess.run(["pdftoppm", "-r", "150", "-png", b, folder / "b"], check=True)
    worst = 0
    pages_a, pages_b = sorted(folder.glob("a-*.png")), sorted(folder.glob("b-*.png"))
    assert len(pages_a) == len(pages_b) >= 1
    for page_a, page_b in zip(pages_a, pages_b, strict=True):
        with Image.open(page_a) as image_a, Image.open(page_b) as image_b:
            difference = ImageChops.difference(image_a.convert("RGB"), image_b.convert("RGB"))
            worst = max(worst, max(high for _, high in difference.getextrema()))
    return worst


@pytest.mark.parametrize("family", ["Noto Kufi Arabic", "Cairo"])
def test_pages_look_the_same_with_and_without_the_mechanism(
    probe: Path, family: str, tmp_path: Path
) -> None:
    """Rasterised at 150 dpi, no pixel differs by more than 2/255 (vocalized: marks, dots)."""
    before = _render(probe, VOCALIZED, family, tmp_path / "wp.pdf", layer="weasyprint")
    after = _render(probe, VOCALIZED, family, tmp_path / "sahifa.pdf")
    assert _max_pixel_difference(before, after, tmp_path) <= 2


def test_every_drawn_code_maps_to_unicode(seed_pdf: Path) -> None:
    """PDF/A-u: each character code in the content streams has a ToUnicode entry."""
    with pikepdf.open(seed_pdf) as document:
        page = document.pages[0]
        fonts = page.Resources.Font
        maps: dict[str, set[int]] = {}
        for name, font in fonts.items():
            cmap = font.ToUnicode.read_bytes().decode("latin-1")
            maps[name] = {int(code, 16) for code in re.findall(r"<([0-9a-f]{4})> <", cmap)}
            assert isinstance(font.DescendantFonts[0].CIDToGIDMap, pikepdf.Stream)
        current = None
        drawn = 0
        for operands, operator in pikepdf.parse_content_stream(page):
            if operator == pikepdf.Operator("Tf"):
                current = str(operands[0])
            elif operator == pikepdf.Operator("TJ"):
                for item in operands[0]:
                    if isinstance(item, pikepdf.String):
                        data = bytes(item)
                        codes = {int.from_bytes(data[i : i + 2], "big")
                                 for i in range(0, len(data), 2)}  # fmt: skip
                        assert codes <= maps[current], (current, codes - maps[current])
                        drawn += len(codes)
        assert drawn > 500


@pytest.mark.unit
def test_clusters_put_text_on_the_first_advancing_glyph() -> None:
    # "بَت" in RTL, visual order: ت (2 glyphs: skeleton, dots), ب, its fatha (a cluster of its
    # own in Pango, joined to the letter).
    utf8 = "بَت".encode()
    starts, advances = [4, 4, 2, 0], [500, 0, 0, 520]
    roles = assign_texts(starts, advances, [0, 0, 0, 0], utf8, rtl=True)
    assert roles == [GlyphText("ت"), GlyphText(None, 0), GlyphText(None), GlyphText("بَ")]


@pytest.mark.unit
def test_a_raised_letter_gives_its_text_to_the_letter_drawn_before_it() -> None:
    # "يوضح" in Amiri: ض is lifted by GPOS; drawn raised it would split the word for PDFium.
    utf8 = "وضح".encode()
    roles = assign_texts([4, 2, 0], [284, 2318, 942], [0, 54, 0], utf8, rtl=True)
    assert roles == [GlyphText("ضح"), GlyphText(None, 0), GlyphText("و")]


@pytest.mark.unit
def test_multi_character_texts_are_stored_reversed_in_rtl_runs() -> None:
    assert written_text("بَ", rtl=True) == "َب"
    assert written_text("fi", rtl=False) == "fi"
    assert written_text("ب", rtl=True) == "ب"


def test_an_emoji_is_refused_with_its_code_point(project: Path) -> None:
    article = project / "articles" / "emoji.yaml"
    article.write_text("headline: خبر 😀 عاجل\ndate: 2023-05-02\nbody: نص الخبر.\n",
                       encoding="utf-8")  # fmt: skip
    result = run_cli("render", article, "-o", project / "out.pdf")
    assert result.code == 1
    assert "U+1F600" in result.err and "emoji.yaml" in result.err and "headline" in result.err
    assert not (project / "out.pdf").exists()


def test_pdf_a_widths_are_the_embedded_glyphs_own(tmp_path: Path) -> None:
    """PDF/A: each width in a font dictionary is its glyph's advance in the embedded font
    (within 1/1000 em). Plain output stretches a carrier to the next letter; PDF/A must not,
    and its words still come back (the sample's kerned Latin and Kufi heads included)."""
    import io

    from fontTools.ttLib import TTFont

    article = SAMPLES / "borsa-egx30.yaml"
    out = tmp_path / "archive.pdf"
    _, data = build(RenderJob(source=article, pdf_variant="pdf/a-3b", allow_overset=True))
    out.write_bytes(data)
    checked = 0
    with pikepdf.open(out) as document:
        for font in document.pages[0].Resources.Font.values():
            descendant = font.DescendantFonts[0]
            program = TTFont(io.BytesIO(descendant.FontDescriptor.FontFile2.read_bytes()))
            upem, metrics = program["head"].unitsPerEm, program["hmtx"]
            order = program.getGlyphOrder()
            raw = descendant.CIDToGIDMap.read_bytes()
            glyphs = [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2)]
            first, widths = int(descendant.W[0]), descendant.W[1]
            for offset, width in enumerate(widths):
                glyph = glyphs[first + offset]
                advance = metrics[order[glyph]][0] * 1000 / upem
                assert abs(float(width) - advance) <= 1, (str(font.BaseFont), glyph)
                checked += 1
    assert checked > 100
    source = article_text(article)
    assert word_recall(source, pdftotext(out)) >= 0.995
    # poppler reads the same words as in the plain PDF: the LRM glyph after a quote is zero
    # wide there too (a zero-width space glyph), so it fills no gap between words; a space
    # glyph's width did, and poppler read "لعرض«بيت". (The words, not their order: in PDF/A a
    # word elongated by kashida is a tatweel narrower in the text layer than on the page, and
    # poppler's column detection, which interleaves columns anyway, may then read the lines
    # in another order.)
    quotes = SAMPLES / "masrah-qawmi.yaml"
    for variant in ("pdf/a-3b", None):
        job = RenderJob(source=quotes, pdf_variant=variant, allow_overset=True)
        (tmp_path / f"{variant is None}.pdf").write_bytes(build(job)[1])
    archived, plain = pdftotext(tmp_path / "False.pdf"), pdftotext(tmp_path / "True.pdf")
    assert "لعرض" in plain and sorted(archived.split()) == sorted(plain.split())


def test_dots_and_marks_add_no_blank_lines_to_copied_text(probe: Path, tmp_path: Path) -> None:
    """Text-less glyphs (Kufi's dots, tashkeel) are drawn after each line; PDFium (Chrome's
    viewer) would give each group of them a line of its own without the empty ActualText."""
    out = _render(probe, VOCALIZED, "Noto Kufi Arabic", tmp_path / "kufi.pdf")
    lines = pdfium_text(out).splitlines()
    blank = [n for n, line in enumerate(lines) if not line.strip()]
    assert len(lines) > 40 and len(blank) <= 2, f"{len(blank)} blank of {len(lines)} lines"
    assert word_recall(article_text(VOCALIZED), pdftotext(out)) >= 0.995


def test_the_document_declares_it_reads_right_to_left(seed_pdf: Path) -> None:
    """/ViewerPreferences /Direction /R2L: PDFium then reads every line right to left, the
    order sahifa.lineorder writes for (and viewers show facing pages right to left)."""
    with pikepdf.open(seed_pdf) as document:
        assert document.Root.ViewerPreferences.Direction == "/R2L"
