"""Justification: kashida, paragraph-level line breaking and balanced headlines.

The pure decisions (where a word takes its kashida, how tatweels are shared out, which breaks
a paragraph gets) are unit tests; each engine patch has a contract test that fails with the
patch removed (``without``, as in test_engine_patches.py); the restraint the issue asks for
is checked on the sample articles as laid out, and the text layer gives back every word
without a tatweel the source does not have, in plain and PDF/A output.
"""

from __future__ import annotations

import statistics
from itertools import pairwise
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import yaml

from conftest import REPO, SAMPLES, SEED
from sahifa import render
from sahifa.fetch import FONT, Fetcher
from sahifa.fonts import load_registry
from sahifa.pipeline import RenderJob, build
from sahifa.render import patches
from sahifa.render.justify import TATWEEL, composer, sites
from test_engine_patches import without
from textlayer import article_text, pdfium_text, pdftotext, word_recall

# ---- where a word takes its kashida (pure) ---------------------------------------------


@pytest.mark.unit
@pytest.mark.parametrize(
    ("word", "safe", "expected"),
    [
        ("سلام", {1, 2, 3}, (1, 2)),  # after seen
        ("محمد", {1, 2, 3}, (3, 3)),  # before a final dal
        ("الجمهورية", set(range(1, 9)), (8, 3)),  # before a final teh marbuta
        ("الوطن", {1, 2, 3, 4}, (4, 7)),  # another join, nearest the end
        ("دنيا", {1, 2, 3}, (3, 4)),  # before a final alef
        ("بيروت", {1, 2, 3, 4}, (1, 5)),  # before a medial beh-form followed by reh
        ("سلام", set(), None),  # HarfBuzz allows none
        ("لا", {1}, None),  # two letters
        ("EGX30", {1, 2}, None),  # Latin
        ("٢٠٢٣", {1, 2}, None),  # digits
        ("دار", {1, 2}, None),  # dal and alef join nothing after them: no stroke can go
    ],
)
def test_a_word_takes_one_site_by_the_established_priority(
    word: str, safe: set[int], expected: tuple[int, int] | None
) -> None:
    assert sites.choose_site(word, safe) == expected


@pytest.mark.unit
def test_tatweels_are_shared_out_one_per_word_before_any_second() -> None:
    classes = [7, 3, 7, 2, 7, 7]
    assert composer.allocate(classes, 2) == [0, 1, 0, 1, 0, 0]  # the best sites first
    spread = composer.allocate([7] * 8, 3)
    assert sum(spread) == 3 and max(spread) == 1
    assert "11" not in "".join(map(str, spread))  # spread: no two neighbours while few
    full = composer.allocate(classes, 9)
    assert sum(full) == 9 and max(full) == composer.PER_SITE and min(full) == 1
    assert composer.allocate(classes, 40) == [composer.PER_SITE] * 6  # never more than two


@pytest.mark.unit
def test_spaces_take_a_comfortable_share_then_kashida_then_spaces_again() -> None:
    em, tatweel = 14.0, 3.0
    assert composer.stretch(2.0, 4, 10, tatweel, em).tatweels == 0  # spaces alone suffice
    plan = composer.stretch(30.0, 4, 10, tatweel, em)
    assert plan.tatweels > 0 and plan.per_gap < composer.COMFORT * em + tatweel
    capped = composer.stretch(60.0, 4, 2, tatweel, em)
    assert capped.tatweels == 2 and capped.per_gap == pytest.approx((60 - 6) / 4)


@pytest.mark.unit
def test_total_fit_breaks_beat_greedy_and_agree_from_any_word() -> None:
    # Greedy takes three words on the first line and leaves the second line very loose.
    items = [composer.Item(w) for w in (30, 30, 30, 50, 50, 20, 20, 20)]
    width, space, em = 100.0, 4.0, 100.0
    after = composer.breaks(items, space, width, 0.0, em)
    lines, i = [], 0
    while i < len(items):
        lines.append((i, after[i]))
        i = after[i]

    def slack(start: int, end: int) -> float:
        natural = sum(it.width for it in items[start:end]) + (end - start - 1) * space
        return width - natural

    greedy, i = [], 0
    while i < len(items):
        j = i + 1
        while j < len(items) and slack(i, j + 1) >= 0:
            j += 1
        greedy.append((i, j))
        i = j
    assert lines != greedy
    assert max(slack(*ln) for ln in lines[:-1]) < max(slack(*ln) for ln in greedy[:-1])
    # The plan for what is left after the first line is the rest of the same plan.
    rest = composer.breaks(items[after[0]:], space, width, 0.0, em)
    assert [after[0] + j for j in rest[: len(rest) - 1]] == after[after[0]:-1]


# ---- the engine patches (contract tests: each fails with its patch removed) -------------


def _page(body: str, css: str, width: int = 190) -> tuple[str, dict[Path, frozenset[str]]]:
    registry = load_registry(REPO / "fonts")
    roots = {REPO / "fonts": frozenset({FONT})}
    roots.update({f.path.parent.resolve(): frozenset({FONT}) for f in registry.fonts})
    html = (f'<html dir="rtl" lang="ar"><style>{registry.font_face_css()} @page {{ size: '
            f"{width + 10}px 2000px; margin: 5px }} body {{ margin: 0; font: 14px 'Noto Naskh "
            f"Arabic' }} {css}</style><body>{body}</body></html>")  # fmt: skip
    return html, roots


def _lay_out(html: str, roots: dict[Path, frozenset[str]]) -> render.LaidOut:
    return render.lay_out(html, base_url=Path("/nonexistent"), fetcher=Fetcher(roots),
                          source=Path("probe.html"))  # fmt: skip


def _paragraphs(path: Path = SEED, count: int = 4) -> list[str]:
    body = str(yaml.safe_load(path.read_text(encoding="utf-8"))["body"])
    plain = [p for p in body.split("\n\n") if p and not p.startswith(("#", "-", ">", "*"))]
    return [p.replace("**", "") for p in plain][:count]


JUSTIFIED = "p { text-align: justify; margin: 0 0 8px }"


def _lines(pdf: bytes) -> list[list[tuple[float, float]]]:
    """Each text line of page 1 as its words' [left, right] extents: PDFium's loose character
    boxes (advances, the font's height) cut where two are more than a fifth of an em apart."""
    page = pdfium.PdfDocument(pdf)[0]
    text = page.get_textpage()
    rows: dict[int, list[tuple[float, float]]] = {}
    for i in range(text.count_chars()):
        char = text.get_text_range(i, 1)
        left, bottom, right, top = text.get_charbox(i, loose=True)
        if char.isspace() or right <= left:
            continue
        rows.setdefault(round((bottom + top) / 4), []).append((left, right))
    lines = []
    for _, boxes in sorted(rows.items(), reverse=True):
        words: list[list[float]] = []
        for left, right in sorted(boxes):
            if words and left - words[-1][1] <= 0.2 * 10.5:
                words[-1][1] = max(words[-1][1], right)
            else:
                words.append([left, right])
        lines.append([(w[0], w[1]) for w in words])
    return lines


def _mean_gaps(pdf: bytes) -> list[float]:
    """The mean word gap of each line with three words or more (paragraph ends included)."""
    gaps = []
    for words in _lines(pdf):
        if len(words) >= 3:
            words.sort()
            gaps.append(statistics.mean(b[0] - a[1] for a, b in pairwise(words)))
    return gaps


def test_kashida_patch_elongates_justified_body_lines_and_the_text_stays_clean() -> None:
    html, roots = _page("".join(f"<p>{p}</p>" for p in _paragraphs()),
                        JUSTIFIED + " body { --sahifa-justify: kashida }")  # fmt: skip
    laid_out = _lay_out(html, roots)
    elongated = render.elongations(laid_out)
    assert len(elongated) > 10
    pdf = laid_out.write()
    text = pdfium.PdfDocument(pdf)[0].get_textpage().get_text_range()
    assert TATWEEL not in text
    with without("kashida"):
        plain = _lay_out(html, roots)
        assert not render.elongations(plain)
        # Without kashida the same lines open wider word gaps.
        assert max(_mean_gaps(plain.write())) > max(_mean_gaps(pdf))


def test_kashida_is_off_where_the_style_says_spaces() -> None:
    html, roots = _page("".join(f"<p>{p}</p>" for p in _paragraphs()),
                        JUSTIFIED + " body { --sahifa-justify: spaces }")  # fmt: skip
    assert not render.elongations(_lay_out(html, roots))


def test_paragraph_breaks_patch_evens_out_the_word_gaps() -> None:
    """paragraph_breaks (total fit), measured on word spaces alone: the loosest lines of
    greedy breaking are gone."""
    css = JUSTIFIED + " body { --sahifa-justify: spaces; --sahifa-line-breaking: paragraph }"
    paragraphs = [p for path in SAMPLES if path.suffix == ".yaml" for p in _paragraphs(path, 3)]
    html, roots = _page("".join(f"<p>{p}</p>" for p in paragraphs), css)
    composed = sorted(_mean_gaps(_lay_out(html, roots).write()))
    with without("paragraph_breaks"):
        greedy = sorted(_mean_gaps(_lay_out(html, roots).write()))
    assert composed[-3:] != greedy[-3:]
    assert sum(g**3 for g in composed) < sum(g**3 for g in greedy)
    assert composed[int(len(composed) * 0.9)] < greedy[int(len(greedy) * 0.9)]


HEADLINE = "وحدة الجبهات ماذا وراء تحرك إسرائيل الدبلوماسي في أذربيجان وتركمانستان"


def test_balanced_lines_patch_keeps_the_line_count_and_ends_on_more_than_one_word() -> None:
    css = "h1 { font-size: 24px; margin: 0; text-align: start; --sahifa-wrap: balance }"
    for width in range(300, 700, 7):  # a width where greedy breaking leaves one word alone
        html, roots = _page(f"<h1>{HEADLINE}</h1>", css, width)
        with without("balanced_lines"):
            greedy = _lines(_lay_out(html, roots).write())
        if len(greedy) >= 2 and len(greedy[-1]) == 1:
            break
    else:
        pytest.fail("no width made greedy breaking end the headline on one word")
    balanced = _lines(_lay_out(html, roots).write())
    assert len(balanced) == len(greedy)
    assert len(balanced[-1]) >= 2
    extents = [max(r for _, r in line) - min(left for left, _ in line) for line in balanced]
    assert min(extents) >= 0.6 * max(extents)


def test_the_three_patches_name_their_upstream_functions() -> None:
    render.warm_up()
    found = patches.all_patches()
    assert {"kashida", "paragraph_breaks", "balanced_lines"} <= set(found)
    assert all(patches.installed(found[name])
               for name in ("kashida", "paragraph_breaks", "balanced_lines"))  # fmt: skip


# ---- restraint and the text layer, on the sample articles -------------------------------


@pytest.fixture(scope="module")
def laid_out_samples() -> list[tuple[Path, render.LaidOut]]:
    from sahifa.pipeline import lay_out

    return [(path, lay_out(RenderJob(source=path, allow_overset=True))[1]) for path in SAMPLES]


def test_restraint_one_site_per_word_two_tatweels_at_most_never_in_heads_or_latin(
    laid_out_samples: list[tuple[Path, render.LaidOut]],
) -> None:
    from sahifa.render.justify import harfbuzz

    assert harfbuzz.available()
    total = 0
    for path, laid_out in laid_out_samples:
        for item in render.elongations(laid_out):
            total += 1
            assert len(set(item.sites)) == 1, (path.name, item)  # one site per word
            assert len(item.sites) <= composer.PER_SITE, (path.name, item)
            assert sites.eligible(item.word), (path.name, item)  # Arabic, three letters or more
            assert sites.site_class(item.word, item.sites[0]) is not None, (path.name, item)
            tags = " ".join(item.elements)
            for furniture in ("h1", "h2", "h3", "headline", "deck", "figcaption", "caption",
                              "blockquote", "masthead", "address", "bdi", "code"):  # fmt: skip
                assert furniture not in tags.replace("story-head", ""), (path.name, item)
    assert total > 100  # the samples are elongated at all


def test_elongations_are_at_harfbuzz_safe_positions(
    laid_out_samples: list[tuple[Path, render.LaidOut]],
) -> None:
    """Checked by shaping: the word set with its tatweels keeps every other glyph of the word
    as HarfBuzz shaped it alone (the safe-to-insert-tatweel promise)."""
    from sahifa.render.justify.harfbuzz import glyphs_of_file

    naskh = REPO / "fonts" / "NotoNaskhArabic-Regular.ttf"
    tatweel = glyphs_of_file(naskh, TATWEEL)[0]
    checked = 0
    for _, laid_out in laid_out_samples[:6]:
        for item in render.elongations(laid_out)[:40]:
            if item.elements[0].split(".")[0] in ("strong", "b", "em"):
                continue  # bold: another font file
            alone = glyphs_of_file(naskh, item.word)
            elongated = [g for g in glyphs_of_file(naskh, item.elongated) if g != tatweel]
            assert elongated == alone, item
            checked += 1
    assert checked > 50


@pytest.mark.parametrize(("variant", "count"), [(None, 8), ("pdf/a-3b", 4)])
def test_the_text_layer_keeps_every_word_and_gains_no_tatweel(
    variant: str | None, count: int, tmp_path: Path
) -> None:
    """Kashida and paragraph breaking on, against both off: poppler and PDFium find every
    word they found before, and no U+0640 that the source does not have."""
    for path in SAMPLES[:count]:
        job = RenderJob(source=path, pdf_variant=variant, allow_overset=True)
        justified, spaces = tmp_path / f"{path.stem}.pdf", tmp_path / f"{path.stem}-0.pdf"
        justified.write_bytes(build(job)[1])
        with without("kashida"), without("paragraph_breaks"):
            spaces.write_bytes(build(job)[1])
        source = article_text(path)
        for reader in (pdftotext, pdfium_text):
            found = reader(justified)
            assert word_recall(source, found) >= word_recall(source, reader(spaces)), path.name
            assert found.count(TATWEEL) == reader(spaces).count(TATWEEL), path.name


def test_what_is_cached_across_documents_never_changes_a_page(tmp_path: Path) -> None:
    """Measures and plans are shared by documents in the same fonts: an article renders to
    the same bytes first in a process and after other articles (warm caches)."""
    import subprocess
    import sys

    script = (
        "import sys; from pathlib import Path; from sahifa.pipeline import RenderJob, build\n"
        "paths = [Path(p) for p in sys.argv[2:]]\n"
        "for p in paths: data = build(RenderJob(source=p, allow_overset=True))[1]\n"
        "Path(sys.argv[1]).write_bytes(data)\n"
    )
    first, last = SAMPLES[0], SAMPLES[-1]
    cold, warm = tmp_path / "cold.pdf", tmp_path / "warm.pdf"
    for out, paths in ((cold, [first]), (warm, [*SAMPLES[1:5], last, first])):
        subprocess.run([sys.executable, "-c", script, out, *paths], check=True, cwd=REPO)
    assert cold.read_bytes() == warm.read_bytes()
