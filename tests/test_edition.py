"""Editions: several stories per page on the grid, overset report, cut and continued stories."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import yaml

from conftest import REPO, run_cli
from sahifa.markup import WordRange, render_body
from textlayer import article_text, pdfium_text, pdftotext, word_recall, words

SAMPLES = REPO / "articles/2023/05/02"
SEED = "wahdat-al-jabahat.yaml"


def _edition(project: Path, body: str) -> Path:
    folder = project / "articles" / "issue"
    shutil.copytree(SAMPLES, folder)
    (folder / "edition.yaml").unlink(missing_ok=True)
    path = folder / "edition.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def _slot(article: str, column: int, span: int, row: int, rows: int, extra: str = "") -> str:
    return (
        f"      - article: {article}\n        column: {column}\n        span: {span}\n"
        f"        row: {row}\n        rows: {rows}\n{extra}"
    )


HEAD = 'issue: "77"\ndate: 2023-05-02\nlayout: tabloid\npages:\n'


def body_text(article: Path) -> str:
    return str(yaml.safe_load(article.read_text(encoding="utf-8"))["body"])


def _plain(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def _page_texts(pdf: Path) -> list[str]:
    doc = pdfium.PdfDocument(pdf)
    return [page.get_textpage().get_text_range().replace("\r\n", "\n") for page in doc]


@pytest.fixture(scope="module")
def sample_edition(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("edition") / "edition.pdf"
    result = run_cli("render", SAMPLES / "edition.yaml", "-o", out)
    assert result.code == 0, result.err
    return out, result.err


def test_sample_edition_renders_every_story(sample_edition: tuple[Path, str]) -> None:
    pdf, err = sample_edition
    doc = pdfium.PdfDocument(pdf)
    assert len(doc) >= 4
    edition = (SAMPLES / "edition.yaml").read_text(encoding="utf-8")
    stories = re.findall(r"(?:article|briefs): \[?([^\]\n]+)", edition)
    names = [n.strip() for s in stories for n in s.split(",")]
    assert len(names) >= 6 and SEED in names
    text, logical = pdftotext(pdf), pdfium_text(pdf)
    cut = set(re.findall(r"story '([^']+)' cut", err))
    for name in names:
        source = article_text(SAMPLES / name)
        headline = source.splitlines()[1]  # (kicker, headline, deck, body)
        # (either extractor: PDFium reorders Latin runs such as EGX30, poppler some digits)
        assert word_recall(headline, text + "\n" + logical) == 1.0, name
        if Path(name).stem not in cut:
            assert word_recall(source, text) >= 0.97, name


def test_front_page_carries_several_stories(sample_edition: tuple[Path, str]) -> None:
    pdf, _ = sample_edition
    toc = list(pdfium.PdfDocument(pdf).get_toc())
    front = [b for b in toc if b.get_dest().get_index() == 0 and b.level == 0]
    assert len(front) >= 3, [b.get_title() for b in toc]
    # One bookmark per story: continuations and subheads have none.
    titles = [b.get_title() for b in toc]
    assert len(titles) == len(set(titles))
    assert "وحدة الجبهات" not in titles


def test_cut_story_loses_its_end_from_page_and_text_layer(project: Path, tmp_path: Path) -> None:
    edition = _edition(
        project,
        HEAD
        + "  - template: front\n    stories:\n"
        + _slot("borsa-egx30.yaml", 1, 2, 1, 8, "        overflow: cut\n"),
    )
    out = tmp_path / "cut.pdf"
    result = run_cli("render", edition, "-o", out)
    assert result.code == 0, result.err
    match = re.search(r"story 'borsa-egx30' cut: (\d+) words", result.err)
    assert match and int(match[1]) > 10, result.err
    article = SAMPLES / "borsa-egx30.yaml"
    body = render_body(body_text(article))
    cut_at = body.words - int(match[1])
    removed = words(_plain(render_body(body_text(article), words=WordRange(cut_at + 2)).html))
    kept = set(words(_plain(render_body(body_text(article), words=WordRange(0, cut_at)).html)))
    pdfium_words = set(words(pdfium_text(out)))
    poppler_words = set(words(pdftotext(out)))
    data = yaml.safe_load(article.read_text(encoding="utf-8"))
    data.pop("body")
    kept |= set(words(str(data))) | set(words((REPO / "sahifa.yaml").read_text(encoding="utf-8")))
    kept |= set(words("الثلاثاء مايو شوال هـ العدد صفحة"))  # the date line and folios
    unique = [w for w in removed if w not in kept and not w.isdigit()]
    assert len(unique) >= 5
    for word in unique:  # neither on the page nor hidden in the text layer
        assert word not in pdfium_words and word not in poppler_words, word


def test_overset_is_reported_by_check_and_refused_by_render(project: Path, tmp_path: Path) -> None:
    edition = _edition(
        project,
        HEAD
        + "  - template: front\n    stories:\n"
        + _slot(SEED, 1, 2, 1, 3)
        + _slot("brief-qamh.yaml", 3, 3, 1, 3),
    )
    result = run_cli("check", edition)
    assert result.code == 1
    line = next(line for line in result.out.splitlines() if "wahdat-al-jabahat" in line)
    assert re.search(
        r"edition.yaml:\d+: page 1: story 'wahdat-al-jabahat' does not fit its "
        r"box: \d+ lines \(\d+ words\) over",
        line,
    ), line
    assert not re.search(r"story 'brief-qamh' does not fit", result.out)  # (it is underset)
    out = tmp_path / "o.pdf"
    refused = run_cli("render", edition, "-o", out)
    assert refused.code == 1 and "overset" in refused.err and not out.exists()
    allowed = run_cli("render", edition, "-o", out, "--allow-overset")
    assert allowed.code == 0 and out.is_file()
    assert "does not fit its box" in allowed.err


def test_continued_story_has_both_jump_lines(project: Path, tmp_path: Path) -> None:
    edition = _edition(
        project,
        HEAD
        + "  - template: front\n    stories:\n"
        + _slot(SEED, 1, 3, 1, 10, "        overflow: continue\n        size: lead\n")
        + "  - template: inside\n    section: شؤون عربية\n    stories:\n"
        + _slot("brief-qanat.yaml", 1, 2, 1, 3)
        + "  - template: inside\n    section: عربي ودولي\n    stories:\n"
        + "      - continued: wahdat-al-jabahat\n        column: 1\n        span: 5\n"
        "        row: 1\n        rows: 12\n",
    )
    out = tmp_path / "jump.pdf"
    result = run_cli("render", edition, "-o", out)
    assert result.code == 0, result.err
    pages = _page_texts(out)
    assert len(pages) == 3
    assert "التتمة ص ٣" in pages[0]
    assert "بقية المنشور ص ١" in pages[2]
    # Every word of the seed is printed once across the two boxes.
    assert word_recall(article_text(SAMPLES / SEED), pdftotext(out)) >= 0.97
    assert "قام وزير الخارجية" in pages[0] and "قام وزير الخارجية" not in pages[2]
    assert "آسيا الوسطى." in pages[2] and "آسيا الوسطى." not in pages[0]


def _left_edge_of_banner(pdf: Path, index: int) -> int:
    image = pdfium.PdfDocument(pdf)[index].render(scale=1).to_pil().convert("L")
    width, height = image.size
    for y in range(height // 3):
        dark = [x for x in range(width) if image.getpixel((x, y)) < 100]
        if len(dark) > width * 0.7:
            return dark[0]
    raise AssertionError("no banner rule found")


def test_facing_pages_mirror_their_margins(project: Path, tmp_path: Path) -> None:
    inside = "  - template: inside\n    section: محليات\n    stories:\n" + _slot(
        "brief-qamh.yaml", 1, 2, 1, 3
    )
    second = inside.replace("محليات", "اقتصاد") + "        id: qamh-again\n"
    edition = _edition(project, HEAD + inside + second)
    out = tmp_path / "facing.pdf"
    assert run_cli("render", edition, "-o", out).code == 0
    # RTL: page 1 is a left page (outer margin on the left), page 2 a right page.
    shift = _left_edge_of_banner(out, 1) - _left_edge_of_banner(out, 0)
    assert abs(shift - 4 * 72 / 25.4) < 2  # inner 16 mm - outer 12 mm


@pytest.mark.parametrize(
    ("stories", "message"),
    [
        (
            "      - continued: nothing\n        column: 1\n        span: 2\n        row: 1\n"
            "        rows: 2\n",
            "names no story with overflow: continue",
        ),
        (_slot(SEED, 4, 3, 1, 2), "does not fit layout 'tabloid''s grid of 5 columns"),
        (_slot("missing.yaml", 1, 2, 1, 2), "article not found: missing.yaml"),
        (_slot(SEED, 1, 2, 1, 2) + _slot(SEED, 3, 2, 1, 2), "used twice"),
        (_slot(SEED, 1, 2, 1, 2, "        overflow: continue\n"), "no later page"),
        (_slot(SEED, 1, 2, 1, 2, "        overflow: spill\n"), "expected one of error, cut"),
    ],
    ids=["orphan-continued", "off-grid", "missing-article", "duplicate", "no-jump", "mode"],
)
def test_bad_editions_exit_1_with_one_line(
    stories: str, message: str, project: Path, tmp_path: Path
) -> None:
    edition = _edition(project, HEAD + "  - template: front\n    stories:\n" + stories)
    result = run_cli("render", edition, "-o", tmp_path / "x.pdf")
    assert result.code == 1, result
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and "edition.yaml" in lines[0] and message in lines[0], lines
    assert not (tmp_path / "x.pdf").exists()


def test_broadsheet_grid_has_six_columns(project: Path, tmp_path: Path) -> None:
    edition = _edition(
        project,
        HEAD.replace("tabloid", "broadsheet")
        + "  - template: front\n    stories:\n"
        + _slot("sudan-hudna.yaml", 1, 4, 1, 8, "        size: lead\n")
        + _slot("brief-qamh.yaml", 6, 1, 1, 6),
    )
    out = tmp_path / "broadsheet.pdf"
    result = run_cli("render", edition, "-o", out)
    assert result.code == 0, result.err
    page = pdfium.PdfDocument(out)[0]
    width, height = page.get_size()
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (380, 578)
    text = page.get_textpage()
    content = text.get_text_range()
    # Column 6 is the leftmost: the brief sits left of the lead story.
    brief_x = text.get_charbox(content.index("توريد"))[0]
    lead_x = text.get_charbox(content.index("تحركات"))[0]
    assert brief_x < width / 3 < lead_x
