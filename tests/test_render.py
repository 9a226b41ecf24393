"""End-to-end renders on real WeasyPrint: fonts, text layer, reading order, digits, pages."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from conftest import REPO, SAMPLES, SEED, run_cli
from sahifa.fonts import load_registry
from textlayer import article_text, pdfium_text, pdftotext, word_recall


def _pdffonts(pdf: Path) -> list[dict[str, str]]:
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True)
    rows = []
    for line in out.stdout.splitlines()[2:]:
        # name, then type (may contain spaces), encoding, emb, sub, uni, object id, gen
        match = re.match(
            r"(\S+)\s+(.+?)\s+(\S+)\s+(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+$", line
        )
        assert match, f"unparsed pdffonts line: {line!r}"
        rows.append({"name": match[1], "emb": match[4], "sub": match[5]})
    return rows


def _normal(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower())


def assert_fonts_from_manifest(pdf: Path, fonts_dir: Path = REPO / "fonts") -> None:
    families = [_normal(f) for f in load_registry(fonts_dir).families]
    rows = _pdffonts(pdf)
    assert rows, "no fonts in the PDF"
    for row in rows:
        assert row["emb"] == "yes" and row["sub"] == "yes", row
        base = _normal(row["name"].split("+", 1)[-1])
        assert any(base.startswith(family) for family in families), (
            f"{row['name']} is not a manifest font ({families})"
        )


def test_seed_renders_with_manifest_fonts_and_faithful_text(seed_pdf: Path) -> None:
    assert_fonts_from_manifest(seed_pdf)
    recall = word_recall(article_text(SEED), pdftotext(seed_pdf))
    assert recall >= 0.97, recall


@pytest.mark.parametrize("article", SAMPLES, ids=lambda p: p.name)
def test_every_sample_renders_faithfully(article: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.pdf"
    result = run_cli("render", article, "-o", out)
    assert result.code == 0, result.err
    assert f"{out}: " in result.out
    assert_fonts_from_manifest(out)
    assert word_recall(article_text(article), pdftotext(out)) >= 0.97


def test_cli_prints_one_line_and_default_output_is_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the project is still found above the article
    result = run_cli("render", SEED)
    assert result.code == 0, result.err
    assert (tmp_path / "build" / "wahdat-al-jabahat.pdf").is_file()
    assert result.out.count("\n") == 1
    # The seed's photo did not survive: a placeholder and a warning naming file, key and line.
    assert "wahdat-al-jabahat.yaml:7: image: image has no src" in result.err


def test_first_paragraph_sits_in_the_rightmost_column(seed_pdf: Path) -> None:
    page = pdfium.PdfDocument(seed_pdf)[0]
    width = page.get_size()[0]
    text = page.get_textpage()
    content = text.get_text_range()
    first = content.index("قام وزير الخارجية")
    last = content.index("البعد الاقتصادي")
    x_first = text.get_charbox(first)[2]
    x_last = text.get_charbox(last)[2]
    assert x_first > width * 0.75, (x_first, width)  # rightmost of five columns
    assert x_last < x_first


def test_folio_and_dates_use_arabic_indic_digits(seed_pdf: Path) -> None:
    text = pdfium_text(seed_pdf)
    assert "الثلاثاء ٢ مايو ٢٠٢٣" in text
    assert "١٢ شوال ١٤٤٤ هـ" in text
    assert "١٧ كيلومترًا" in text or "١٧ كيلومترا" in text
    assert "2023" not in text and "17" not in text
    page = pdfium.PdfDocument(seed_pdf)[0]
    width, _height = page.get_size()
    folio = page.get_textpage().get_text_bounded(0, 0, width, 40 * 72 / 25.4 / 2)
    assert folio.strip() == "١"


def test_urls_codes_and_latin_keep_their_digits(tmp_path: Path) -> None:
    article = REPO / "articles/2023/05/02/borsa-egx30.yaml"
    out = tmp_path / "borsa.pdf"
    assert run_cli("render", article, "-o", out).code == 0
    # The URL breaks over lines in a narrow column; each piece keeps its Western digits.
    text = pdfium_text(out)
    assert "www.egx.com.eg/ar/news/" in text and "2023/05/02.aspx" in text
    poppler = pdftotext(out)
    assert "EGX30" in poppler and "EGX70" in poppler
    assert "١٧٬١٢٠" in text and "٢٫٥" in text  # plain numbers: Arabic-Indic digits, separators


def test_western_digits_setting(project: Path, tmp_path: Path) -> None:
    settings = project / "sahifa.yaml"
    settings.write_text(
        settings.read_text(encoding="utf-8").replace("digits: arabic-indic", "digits: western"),
        encoding="utf-8",
    )
    article = project / "articles" / "a.yaml"
    article.write_text("headline: خبر\ndate: 2023-05-02\nbody: عام 2020\n", encoding="utf-8")
    out = tmp_path / "a.pdf"
    assert run_cli("render", article, "-o", out).code == 0
    text = pdfium_text(out)
    assert "الثلاثاء 2 مايو 2023" in text and "عام 2020" in text


def test_long_article_continues_with_running_head(project: Path, tmp_path: Path) -> None:
    seed_body = SEED.read_text(encoding="utf-8").split("body: |\n", 1)[1]
    article = project / "articles" / "long.yaml"
    article.write_text(
        "headline: مقال طويل\ndate: 2023-05-02\nbody: |\n" + seed_body * 6, encoding="utf-8"
    )
    out = tmp_path / "long.pdf"
    result = run_cli("render", article, "-o", out)
    assert result.code == 0, result.err
    doc = pdfium.PdfDocument(out)
    assert len(doc) >= 2
    for number, page in enumerate(doc, start=1):
        width, height = page.get_size()
        text = page.get_textpage()
        head = text.get_text_bounded(0, height - 16 * 72 / 25.4, width, height)
        foot = text.get_text_bounded(0, 0, width, 16 * 72 / 25.4)
        digits = str(number).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
        assert foot.strip() == digits
        if number == 1:
            assert "صفحة" not in head  # the masthead page has no running head
        else:
            assert "الدستور" in head and f"صفحة {digits}" in head
            assert "مايو ٢٠٢٣" in head


def test_no_machine_font_slips_in(project: Path, tmp_path: Path) -> None:
    """A character none of the pinned fonts covers must not pull in a system font."""
    article = project / "articles" / "cjk.yaml"
    article.write_text("headline: خبر\nbody: نص فيه 中文 و देवनागरी\n", encoding="utf-8")
    out = tmp_path / "cjk.pdf"
    refused = run_cli("render", article, "-o", out)  # the preflight stops it first…
    assert refused.code == 1 and not out.exists()
    assert "character '中' (U+4E2D) is in no font of the body role" in refused.err
    assert "cjk.yaml:2: body: " in refused.err and len(refused.err.strip().splitlines()) == 1
    # …and when told to go on, the boxes come from the pinned fonts, never the machine's.
    result = run_cli("render", article, "-o", out, "--allow-missing-glyphs")
    assert result.code == 0 and "U+0926" in result.err
    assert_fonts_from_manifest(out, project / "fonts")


def test_marks_and_presentation_forms_pass_the_preflight(project: Path, tmp_path: Path) -> None:
    article = project / "articles" / "forms.yaml"
    # U+FEFB is lam-alef as a presentation form; U+200F, U+200D draw nothing.
    article.write_text("headline: \u0644\u0627 \ufefb\nbody: نص\u200f\u200d\n", "utf-8")
    result = run_cli("render", article, "-o", tmp_path / "f.pdf")
    assert result.code == 0, result.err


def test_same_input_gives_identical_bytes(seed_pdf: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.pdf"
    assert run_cli("render", SEED, "-o", again).code == 0
    assert again.read_bytes() == seed_pdf.read_bytes()
    info = subprocess.run(["pdfinfo", str(again)], capture_output=True, text=True).stdout
    assert re.search(r"CreationDate:\s+Tue May\s+2 00:00:00 2023", info), info


def test_fonts_lists_the_manifest_with_roles() -> None:
    result = run_cli("fonts")
    assert result.code == 0, result.err
    for font in load_registry(REPO / "fonts").fonts:
        assert font.pinned.name in result.out and font.sha256 in result.out
    naskh = result.out.split("NotoNaskhArabic-Regular.ttf", 1)[1].split(".ttf", 1)[0]
    assert "Noto Naskh Arabic, weight 400" in naskh and "Arabic" in naskh
    assert "roles in layout 'tabloid': body, caption, masthead, folio" in naskh


def test_a_cmyk_photo_reaches_a_pdf_a_as_rgb(project: Path, tmp_path: Path) -> None:
    """Print photos are often CMYK JPEGs; a PDF/A's output intent is sRGB, so it gets them
    as RGB. Plain output keeps the photo as it is."""
    import pikepdf
    from PIL import Image

    folder = project / "articles"
    Image.new("CMYK", (400, 300), (0, 200, 200, 30)).save(folder / "photo.jpg", "JPEG")
    article = folder / "photo.yaml"
    article.write_text(
        "headline: صورة\ndate: 2023-05-02\nimage:\n  src: photo.jpg\n  caption: تعليق\n"
        "body: نص الخبر.\n", encoding="utf-8",
    )  # fmt: skip

    def spaces(pdf_path: Path) -> set[str]:
        with pikepdf.open(pdf_path) as pdf:
            return {str(image.ColorSpace) for page in pdf.pages
                    for image in page.get_images().values()}  # fmt: skip

    archive, plain = tmp_path / "a.pdf", tmp_path / "p.pdf"
    assert run_cli("render", article, "--pdf-variant", "pdf/a-3b", "-o", archive).code == 0
    assert run_cli("render", article, "-o", plain).code == 0
    assert spaces(archive) == {"/DeviceRGB"}
    assert spaces(plain) == {"/DeviceCMYK"}


def test_no_fontconfig_file_is_left_behind_by_a_killed_process(tmp_path: Path) -> None:
    """Workers are killed (batch, Dask, preview): nothing of theirs may pile up in /tmp."""
    import os
    import sys

    temp, cache = tmp_path / "tmp", tmp_path / "cache"
    temp.mkdir()
    code = "import os; from sahifa import render; render.warm_up(); os._exit(0)"  # no atexit
    env = {**os.environ, "TMPDIR": str(temp), "XDG_CACHE_HOME": str(cache)}
    for _ in range(2):
        subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=120)
    assert list(temp.iterdir()) == []
    assert (cache / "sahifa" / "empty-fontconfig.conf").read_text().startswith("<?xml")
