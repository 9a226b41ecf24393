"""Tagged PDFs: the structure tree is walked with pikepdf, the stories read back with
``sahifa text`` and compared with the article files they were made from."""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import pikepdf
import pytest
import yaml

from conftest import REPO, run_cli
from sahifa.content.reader import read_article
from sahifa.markup import render_body

EDITION = REPO / "articles/2023/05/02/edition.yaml"
ARTICLE = REPO / "articles/2023/05/02/maarad-alkitab.md"  # list, quote, Latin, figure, H2
# Operators that put text or paint on the page (PDF/UA 7.1: each is tagged or an artifact).
PAINTING = {"Tj", "TJ", "'", '"', "S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "Do", "sh"}


@pytest.fixture(scope="module")
def edition_render(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("tagged") / "edition.pdf"
    result = run_cli("render", EDITION, "-o", out)
    assert result.code == 0, result.err
    return out, result.err


@pytest.fixture(scope="module")
def edition_pdf(edition_render: tuple[Path, str]) -> Path:
    return edition_render[0]


@pytest.fixture(scope="module")
def edition_cut(edition_render: tuple[Path, str]) -> set[str]:
    """The stories the render cut (its warnings name them): only what fits is printed."""
    return set(re.findall(r"story '([^']+)' cut:", edition_render[1]))


def _edition_stories() -> set[str]:
    """Every story the sample edition places: its articles and briefs."""
    data = yaml.safe_load(EDITION.read_text(encoding="utf-8"))
    stories = set()
    for page in data["pages"]:
        for slot in page["stories"]:
            names = [slot["article"]] if "article" in slot else slot.get("briefs", [])
            stories.update(Path(name).stem for name in names)
    return stories


@pytest.fixture(scope="module")
def press_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Press output: crop and registration marks added outside the page's content."""
    out = tmp_path_factory.mktemp("tagged") / "press.pdf"
    result = run_cli("render", REPO / "articles/2023/05/02/sehha-tatim.yaml", "--press",
                     "--pdf-variant", "pdf/x-4", "-o", out)  # fmt: skip
    assert result.code == 0, result.err
    return out


@pytest.fixture(scope="module")
def article_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("tagged") / "article.pdf"
    result = run_cli("render", ARTICLE, "-o", out)
    assert result.code == 0, result.err
    return out


def _kids(element: Any) -> list[Any]:
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _elements(element: Any) -> Iterator[Any]:
    """Every structure element under ``element``, depth first."""
    for kid in _kids(element):
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield kid
            yield from _elements(kid)


def _content_items(pdf: pikepdf.Pdf) -> tuple[dict[tuple[int, int], int], int]:
    """Every MCID drawn, by (page, MCID) → count; and text and painting operations outside
    any tagged or artifact content."""
    mcids: Counter[tuple[int, int]] = Counter()
    outside = 0
    for number, page in enumerate(pdf.pages):
        stack: list[tuple[str, int | None]] = []
        for operands, operator in pikepdf.parse_content_stream(page):
            op = str(operator)
            if op in ("BDC", "BMC"):
                props = operands[1] if len(operands) > 1 else None
                mcid = int(props.MCID) if isinstance(props, pikepdf.Dictionary) and (
                    "/MCID" in props) else None  # fmt: skip
                stack.append((str(operands[0]), mcid))
                if mcid is not None:
                    mcids[(number, mcid)] += 1
            elif op == "EMC":
                stack.pop()
            elif op in PAINTING and not any(
                tag == "/Artifact" or mcid is not None for tag, mcid in stack
            ):
                outside += 1
        assert not stack, f"page {number + 1}: unbalanced marked content"
    return dict(mcids), outside


def _referenced(pdf: pikepdf.Pdf) -> Counter[tuple[int, int]]:
    """(page, MCID) of every marked-content reference in the structure tree."""
    pages = {page.obj.objgen: number for number, page in enumerate(pdf.pages)}
    found: Counter[tuple[int, int]] = Counter()
    for element in _elements(pdf.Root.StructTreeRoot):
        for kid in _kids(element):
            if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                found[(pages[kid.Pg.objgen], int(kid.MCID))] += 1
            elif isinstance(kid, int):
                found[(pages[element.Pg.objgen], int(kid))] += 1
    return found


@pytest.mark.parametrize("which", ["edition_pdf", "article_pdf", "press_pdf"])
def test_all_text_is_tagged_or_an_artifact_and_every_item_in_one_element(
    which: str, request: pytest.FixtureRequest
) -> None:
    with pikepdf.open(request.getfixturevalue(which)) as pdf:
        drawn, outside = _content_items(pdf)
        assert outside == 0
        assert drawn and set(drawn.values()) == {1}  # each MCID drawn once per page
        referenced = _referenced(pdf)
        assert set(referenced) == set(drawn) and set(referenced.values()) == {1}
        # The parent tree maps each item back to the element that holds it.
        nums = list(pdf.Root.StructTreeRoot.ParentTree.Nums)
        parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        for number in range(len(pdf.pages)):
            assert len(parents[number]) == sum(1 for p, _ in drawn if p == number)
        assert pdf.Root.Lang == "ar" and pdf.Root.MarkInfo.Marked is True
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True


def _arts(pdf: pikepdf.Pdf) -> list[Any]:
    return [e for e in _elements(pdf.Root.StructTreeRoot) if e.S == "/Art"]


def _pages_of(element: Any, pdf: pikepdf.Pdf) -> set[int]:
    pages = {page.obj.objgen: number + 1 for number, page in enumerate(pdf.pages)}
    return {pages[k.Pg.objgen] for e in [element, *_elements(element)] for k in _kids(e)
            if isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/MCR"}  # fmt: skip


def test_one_art_per_story_with_its_continuation_and_briefs_as_their_own(
    edition_pdf: Path,
) -> None:
    with pikepdf.open(edition_pdf) as pdf:
        arts = {str(a.T): a for a in _arts(pdf)}
        assert len(arts) == len(_arts(pdf))  # no story twice
        assert set(arts) == _edition_stories()
        assert _pages_of(arts["wahdat-al-jabahat"], pdf) == {1, 3}  # continued on page 3
        assert _pages_of(arts["masrah-qawmi"], pdf) == {4}
        # The continuation's repeated headline is furniture: one H1 per story.
        for art in arts.values():
            assert sum(1 for e in _elements(art) if e.S == "/H1") <= 1
            assert all(e.S != "/Art" for e in _elements(art))


def _threads(pdf: pikepdf.Pdf) -> dict[str, list[Any]]:
    """Each thread's beads, walked from its first bead along ``/N`` back to it, each link
    checked: ``/V`` the bead before, ``/T`` the thread, on the page ``/P`` whose ``/B``
    lists it."""
    threads: dict[str, list[Any]] = {}
    for thread in pdf.Root.Threads:
        beads, bead = [], thread.F
        while True:
            assert bead.T.objgen == thread.objgen and bead.Type == "/Bead"
            assert any(b.objgen == bead.objgen for b in bead.P.B)
            beads.append(bead)
            if bead.N.objgen == thread.F.objgen:
                break
            assert bead.N.V.objgen == bead.objgen
            bead = bead.N
        assert thread.F.V.objgen == beads[-1].objgen
        threads[str(thread.I.Title)] = beads
    return threads


def test_one_article_thread_per_story_with_its_continuations_beads(edition_pdf: Path) -> None:
    """Readers that follow beads (PDFBox) read each story whole: one thread per story, its
    beads on its pages in reading order (the head, then the columns right to left), and
    each page's ``/B`` holding exactly the beads on it."""
    with pikepdf.open(edition_pdf) as pdf:
        threads = _threads(pdf)
        assert set(threads) == _edition_stories()
        pages = {page.obj.objgen: number for number, page in enumerate(pdf.pages, start=1)}
        on_pages = {pages[b.P.objgen] for b in threads["wahdat-al-jabahat"]}
        assert on_pages == {1, 3}  # continued on page 3: the same thread
        beads = [b for chain in threads.values() for b in chain]
        for number, page in enumerate(pdf.pages, start=1):
            listed = [b.objgen for b in page.obj.get("/B", [])]
            assert sorted(listed) == sorted(b.objgen for b in beads if pages[b.P.objgen] == number)
        for chain in threads.values():
            first_page = [b for b in chain if b.P.objgen == chain[0].P.objgen]
            tops = [float(b.R[3]) for b in first_page]
            rights = [float(b.R[2]) for b in first_page[1:]]
            assert tops[0] == max(tops)  # the head first (a brief: its first part)
            assert rights == sorted(rights, reverse=True)  # columns right to left


def test_each_storys_beads_cover_its_headline_and_text(edition_pdf: Path) -> None:
    """Where PDFium finds a story's headline and the first and last words of its first
    paragraph (not the kicker) on the page, every one of their characters lies in a bead of
    that story's thread on that page (PDFBox takes a character into a bead by its origin)."""
    import pypdfium2 as pdfium

    stories = json.loads(run_cli("text", edition_pdf, "--json").out)["stories"]
    document = pdfium.PdfDocument(edition_pdf)
    checked = 0
    try:
        with pikepdf.open(edition_pdf) as pdf:
            threads = _threads(pdf)
            pages = {page.obj.objgen: n for n, page in enumerate(pdf.pages)}
            for story in stories:
                paragraph = next(b["text"] for b in story["blocks"]
                                 if b["role"] == "P" and len(b["text"].split()) > 6)  # fmt: skip
                words = paragraph.split()
                phrases = [" ".join(story["headline"].split()[:3]), " ".join(words[:3]),
                           " ".join(words[-3:])]  # fmt: skip
                rects = [(pages[b.P.objgen], [float(v) for v in b.R])
                         for b in threads[story["story"]]]  # fmt: skip
                for phrase in phrases:
                    for number in {n for n, _ in rects}:
                        textpage = document[number].get_textpage()
                        searcher = textpage.search(phrase)
                        while (found := searcher.get_next()) is not None:
                            start, count = found
                            checked += _check_inside(textpage, start, count, number, rects,
                                                     story["story"], phrase)  # fmt: skip
    finally:
        document.close()
    assert checked >= len(stories) * 2  # most phrases found and checked


def _check_inside(textpage: Any, start: int, count: int, number: int, rects: list[Any],
                  story: str, phrase: str) -> int:  # fmt: skip
    for index in range(start, start + count):
        left, bottom, right, top = textpage.get_charbox(index)
        if right - left <= 0:
            continue
        x, y = (left + right) / 2, (bottom + top) / 2
        assert any(n == number and r[0] <= x <= r[2] and r[1] <= y <= r[3]
                   for n, r in rects), (story, phrase)  # fmt: skip
    return 1


def test_roles_alt_text_and_languages(article_pdf: Path) -> None:
    with pikepdf.open(article_pdf) as pdf:
        (art,) = _arts(pdf)
        kinds = Counter(str(e.S) for e in _elements(art))
        assert kinds["/H1"] == 1 and kinds["/H2"] >= 1 and kinds["/BlockQuote"] == 1
        assert kinds["/L"] == 1 and kinds["/LI"] == kinds["/LBody"] == 3
        (figure,) = [e for e in _elements(art) if e.S == "/Figure"]
        (caption,) = [e for e in _elements(art) if e.S == "/Caption"]
        assert str(figure.Alt) and str(caption.ActualText).startswith(str(figure.Alt))
        latin = [e for e in _elements(art) if e.S == "/Span"]
        assert latin and all(str(e.Lang) == "en" for e in latin)
        for element in _elements(art):
            if element.S in ("/P", "/H1", "/H2", "/Caption", "/LBody"):
                assert str(element.ActualText).strip(), element.S


def _words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).translate(str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789"))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn" and c != "\u0640")
    # Arabic and Latin letters are words of their own ("وHachette": و + Hachette).
    text = re.sub(r"(?<=[\u0600-\u06ff])(?=[A-Za-z])|(?<=[A-Za-z])(?=[\u0600-\u06ff])", " ",
                  text)  # fmt: skip
    return re.findall(r"[^\W_]+", text)


def _article_words(path: Path) -> tuple[list[str], list[str]]:
    """The words of an article file: all of them (head, caption, body), and the body's."""
    article, _ = read_article(path)
    html = render_body(article.body).html
    body = _words(unescape(re.sub(r"<[^>]+>", " ", html)))
    # (An edition prints the page's section in its banner, not the article's.)
    head = [article.kicker, article.headline, article.deck, article.byline]
    if article.image is not None:
        head += [article.image.caption, article.image.credit]
    return [w for part in head if part for w in _words(part)] + body, body


def _is_subsequence(small: list[str], big: list[str]) -> bool:
    it = iter(big)
    return all(word in it for word in small)


def test_sahifa_text_json_gives_each_story_whole_and_in_order(
    edition_pdf: Path, edition_cut: set[str]
) -> None:
    result = run_cli("text", edition_pdf, "--json")
    assert result.code == 0, result.err
    stories = {s["story"]: s for s in json.loads(result.out)["stories"]}
    cut = edition_cut
    assert cut  # the sample edition cuts some stories: the rest must be whole
    for story, data in stories.items():
        path = EDITION.parent / f"{story}.yaml"
        path = path if path.exists() else path.with_suffix(".md")
        every, body = _article_words(path)
        got = [w for text in data["paragraphs"] for w in _words(text)]
        assert data["headline"] and _words(data["headline"]) == _words(read_article(path)[0]
                                                                        .headline)  # fmt: skip
        assert not Counter(got) - Counter(every), story  # nothing that is not the story's
        if story in cut:
            continue
        # The whole body, in reading order (a brief or a small box prints no deck or byline).
        assert _is_subsequence(body, got), story
        assert len(got) >= len(body) + len(_words(data["headline"]))
    assert stories["wahdat-al-jabahat"]["pages"] == [1, 3]
    # Furniture is not text of any story: jump lines, the nameplate, running heads.
    everything = " ".join(" ".join(s["paragraphs"]) for s in stories.values())
    assert "التتمة" not in everything and "بقية المنشور" not in everything
    assert "الدستور" not in everything


def test_sahifa_text_prints_stories_and_refuses_what_is_not_a_tagged_pdf(
    article_pdf: Path, tmp_path: Path
) -> None:
    result = run_cli("text", article_pdf)
    assert result.code == 0 and result.out.startswith("## maarad-alkitab (p. 1)\n")
    bad = tmp_path / "not.pdf"
    bad.write_text("hello")
    result = run_cli("text", bad)
    assert result.code == 1 and result.err.count("\n") == 1 and "not.pdf" in result.err
    plain = tmp_path / "plain.pdf"
    pikepdf.new().save(plain)
    result = run_cli("text", plain)
    assert result.code == 1 and "no structure tree" in result.err


@pytest.mark.parametrize("variant", ["pdf/ua-1", "pdf/a-3a"])
def test_accessible_variants_identify_themselves_and_pass_the_pdfua_checks(
    variant: str, tmp_path: Path
) -> None:
    from pdfua import validate

    out = tmp_path / "out.pdf"
    result = run_cli("render", ARTICLE, "-o", out, "--pdf-variant", variant)
    assert result.code == 0, result.err
    with pikepdf.open(out) as pdf, pdf.open_metadata() as xmp:
        assert xmp["pdfuaid:part"] == "1"
        if variant == "pdf/a-3a":
            assert xmp["pdfaid:part"] == "3" and xmp["pdfaid:conformance"] == "A"
            assert len(pdf.attachments) >= 1  # an archive carries its sources
        else:
            assert not pdf.attachments
        assert pdf.Root.StructTreeRoot and pdf.Root.MarkInfo.Marked is True
    findings = [f"{f.rule_id}: {f.message}" for f in validate(str(out)).findings]
    assert findings == []


def test_the_default_output_passes_the_pdfua_checks_but_does_not_claim_pdfua(
    edition_pdf: Path,
) -> None:
    from pdfua import validate

    findings = {f.rule_id for f in validate(str(edition_pdf)).findings}
    assert findings == {"UA-28-004"}  # no PDF/UA identification: not asked for


PDFBOX = ["/usr/share/java/pdfbox2.jar", "/usr/share/java/fontbox2.jar",
          "/usr/share/java/commons-logging.jar", "/usr/share/java/pdfbox2-tools.jar"]  # fmt: skip
_FOLD = str.maketrans("٠١٢٣٤٥٦٧٨٩٫٬٪", "0123456789.,%")


def _norm(text: str) -> str:
    """Characters as a reader compares them: presentation forms folded, digits Western, no
    tatweel, bidi marks or white space (as ../shared/tools/text_fidelity.py reads)."""
    text = unicodedata.normalize("NFKC", unescape(text)).translate(_FOLD)
    return re.sub(r"[\u0640\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\s]", "", text)


def _in_order_recall(source: str, extracted: str) -> float:
    import difflib

    a, b = _norm(source), _norm(extracted)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / len(a)


def _pdfbox_text(pdf: Path, tmp_path: Path) -> str:
    """What Apache PDFBox's ``PDFTextStripper`` (Tika, Solr) reads: content-stream order."""
    import subprocess

    out = tmp_path / "pdfbox.txt"
    subprocess.run(["java", "-cp", ":".join(PDFBOX), "org.apache.pdfbox.tools.ExtractText",
                    "-encoding", "UTF-8", str(pdf), str(out)], check=True,
                   capture_output=True, timeout=120)  # fmt: skip
    return out.read_text(encoding="utf-8")


def _pdfium_text(pdf: Path) -> str:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def test_content_order_readers_read_every_story_whole_and_in_order(
    edition_pdf: Path, edition_cut: set[str], tmp_path: Path
) -> None:
    """PDFBox and PDFium, per story of the sample edition: every word (headline and body),
    and the characters in order (in-order recall >= 0.99; PDFBox was 0.67-0.81 before)."""
    readers = {"pdfbox": _pdfbox_text(edition_pdf, tmp_path), "pdfium": _pdfium_text(edition_pdf)}
    stories = {s["story"] for s in json.loads(run_cli("text", edition_pdf, "--json").out)[
        "stories"]} - edition_cut  # fmt: skip  (cut: only what fits is printed)
    for story in sorted(stories):
        path = EDITION.parent / f"{story}.yaml"
        path = path if path.exists() else path.with_suffix(".md")
        article, _ = read_article(path)
        body = unescape(re.sub(r"<[^>]+>", " ", render_body(article.body).html))
        source = article.headline + "\n" + body
        for reader, text in readers.items():
            missing = Counter(_words(source)) - Counter(_words(text))
            assert not missing, (story, reader, missing)
            assert _in_order_recall(source, text) >= 0.99, (story, reader)


@pytest.mark.parametrize(
    ("name", "phrases"),
    [
        # A URL across three lines, a bracketed Latin code, a quote ending with a Latin name.
        ("borsa-egx30.yaml", ["https://www.egx.com.eg/ar/news/2023/05/02.aspx.",
                              "الدولي (COMI) بنسبة", "الناشئة» — John Whitfield"]),
        # Quotes in fully vocalized text.
        ("rukn-allugha.yaml", ["بَعْضُهُمْ «تَمَّ افْتِتَاحُ الْمَعْرِضِ» وَالْأَفْصَحُ «",
                               "«إِسْتِثْمَار» بِهَمْزَةِ"]),
    ],
)  # fmt: skip
def test_pdfbox_reads_quotes_brackets_and_urls_as_printed(
    name: str, phrases: list[str], tmp_path: Path
) -> None:
    """PDFBox mirrored every quote and bracket of a right-to-left run (« read »: in-order
    recall 0.988 and 0.989) and moved the weak ends of a URL's lines ("//:https"); the marks
    it alone reads (``textlayer.lineorder``) give it the levels the line was laid out with."""
    pdf = tmp_path / "article.pdf"
    result = run_cli("render", EDITION.parent / name, "-o", pdf)
    assert result.code == 0, result.err
    article, _ = read_article(EDITION.parent / name)
    body = unescape(re.sub(r"<[^>]+>", " ", render_body(article.body).html))
    source = article.headline + "\n" + body
    readers = {"pdfbox": _pdfbox_text(pdf, tmp_path), "pdfium": _pdfium_text(pdf)}
    for reader, text in readers.items():
        assert not Counter(_words(source)) - Counter(_words(text)), reader
        assert _in_order_recall(source, text) >= 0.99, reader
        for phrase in phrases:
            assert _norm(phrase) in _norm(text), (reader, phrase)


@pytest.mark.unit
def test_roles_of_the_templates_elements() -> None:
    """What each element of a page is to a reader (no engine)."""
    from xml.etree import ElementTree

    from sahifa.render.structure.roles import Roles, is_latin, logical_text

    html = ElementTree.fromstring(
        '<html><body><section class="page"><div class="grid-masthead"><p>الدستور</p></div>'
        '<article data-story="a-continued" data-continues="a"><header class="continued-head">'
        '<h1>عنوان</h1><p class="jump">بقية</p></header><p id="p">نص <b>مهم</b>\u00ad جدا'
        '<span class="jump">x</span></p></article><article class="slot slot-briefs" '
        'data-story="b"><section class="brief" data-brief="b1"><h2 id="h">خبر</h2></section>'
        "</article></section></body></html>"
    )
    roles = Roles(html)
    find = {e.get("id") or e.get("class") or e.tag: e for e in html.iter()}
    assert roles.is_artifact(find["grid-masthead"].find("p"))
    assert roles.is_artifact(find["continued-head"].find("h1"))  # repeated headline
    assert [(r.tag, r.story) for r in roles.chain(find["p"])] == [("Art", "a"), ("P", "")]
    assert [(r.tag, r.story) for r in roles.chain(find["h"])] == [("Art", "b1"), ("H2", "")]
    assert logical_text(find["p"], roles) == "نص مهم جدا"  # soft hyphen and furniture out
    assert is_latin("Marcel Koller") and not is_latin("وHachette") and not is_latin("١٢")
