"""Article threads: each story read whole by readers that follow beads (PDFBox: Tika, Solr).

A thread per story (``/Threads`` in the catalogue; PDF 32000 12.4.3), one bead per region of
it on a page (``boxes.story_regions``): its head (kicker, headline, deck, photo, byline), then
each column in reading order, on its page and on its continuation's page; a brief of a
briefs box is a thread of its own. Each page lists its beads (``/B``) in reading order.

Apache PDFBox (``PDFTextStripper``, which separates by beads by default) reads each bead's
text, then the next one's, in the order of the page's ``/B``: text outside every bead goes
before the first bead whose left edge is right of it or whose bottom is below it. It writes
nothing between two of those groups unless the first one's last character began a line of its
own (``handleLineSeparation``: when the next group starts a paragraph, as a column's first
line does, the separator is written only if the previous character ``isLineStart``), so the
last word of a column ran into the first word of the next (word recall 0.985-0.998 when the
threads were first tried). Each bead is therefore given, for PDFBox alone, an invisible
space as its first and as its last text, on a line of its own (the bead's top and
bottom edges): the last one begins a line, so a line break follows it; the first one is read
(" ") before the bead's first line, whatever came before. Each is a code the text layer
already maps to a space (a word space or a text-less glyph of a font of the document, so no
font or code is added), at 1 pt in text rendering mode 3 (no ink), as an artifact, inside an
empty ``/ActualText`` (PDFium and poppler read nothing from them, their text stays byte for
byte the same; pdf.js and MuPDF at most a blank line), before and after the page's content.

A bead is the region's box widened by up to 4 pt on either side (never nearer than 1 pt to
another bead beside it): the last letter of a justified line can sit a little outside its
column (a carrier moved over an inserted kashida), and PDFBox takes a character into a bead by
its origin.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sahifa.render.boxes import Region, story_regions

PT_PER_PX = 0.75
PAD_PT = 4.0  # how far a bead reaches beyond its region's box, left and right


@dataclass(frozen=True)
class Bead:
    story: str
    page: int  # 0-based
    rect: tuple[float, float, float, float]  # PDF user space, points: left, bottom, right, top


def plan_beads(regions: Sequence[Region], page_heights: Sequence[float]) -> list[Bead]:
    """The beads of ``regions`` (CSS px from each page's top-left) in PDF points, in the same
    order, each widened left and right by ``PAD_PT`` but never to within 1 pt of another
    bead of its page that lies beside it."""
    boxes = []
    by_page: dict[int, list[int]] = {}
    for index, region in enumerate(regions):
        left, top, right, bottom = (value * PT_PER_PX for value in region.rect)
        height = page_heights[region.page] * PT_PER_PX
        boxes.append((left, height - bottom, right, height - top))
        by_page.setdefault(region.page, []).append(index)
    beads = []
    for index, (region, (left, low, right, high)) in enumerate(zip(regions, boxes, strict=True)):
        pad_left = pad_right = PAD_PT
        for other in by_page[region.page]:
            o_left, o_low, o_right, o_high = boxes[other]
            if other == index or o_high <= low or o_low >= high:
                continue
            if o_right <= left:
                pad_left = min(pad_left, max(0.0, (left - o_right) / 2 - 1))
            elif o_left >= right:
                pad_right = min(pad_right, max(0.0, (o_left - right) / 2 - 1))
        beads.append(Bead(region.story, region.page,
                          (left - pad_left, low, right + pad_right, high)))  # fmt: skip
    return beads


def threads_of(beads: Sequence[Bead]) -> dict[str, list[Bead]]:
    """The beads of each story, in reading order; stories in the order they first appear."""
    threads: dict[str, list[Bead]] = {}
    for bead in beads:
        threads.setdefault(bead.story, []).append(bead)
    return threads


def separator_content(beads: Sequence[Bead], at_top: bool, font: str, code: int) -> bytes:
    """PDFBox's separators for ``beads`` (see the module docstring): ``code`` of the font
    named ``font`` (one that reads as a space), invisible, at each bead's top (``at_top``) or
    bottom edge, just inside it."""
    parts = []
    for bead in beads:
        left, low, right, high = bead.rect
        y = high - 0.01 if at_top else low + 0.01
        parts.append(
            b"q /Artifact BMC /Span <</ActualText ()>> BDC BT /%s 1 Tf 3 Tr "
            b"1 0 0 1 %s %s Tm <%04x> Tj ET EMC EMC Q"
            % (font.encode(), _number((left + right) / 2), _number(y), code)
        )
    return b"\n".join(parts) + b"\n"


def _number(value: float) -> bytes:
    return f"{value:.2f}".rstrip("0").rstrip(".").encode()


def add_threads(document: Any, pdf: Any) -> None:
    """A finisher (``write_pdf(finisher=...)``): the threads, the pages' ``/B`` and their
    separators, written into ``pdf`` (pydyf) after WeasyPrint built it."""
    import pydyf  # the engine's: imported when a PDF is written (the unit tier blocks it)

    regions = story_regions(document)
    if not regions:
        return
    beads = plan_beads(regions, [page.height for page in document.pages])
    pages = [pdf.objects[number] for number in pdf.pages["Kids"][::3]]
    compress = any(getattr(obj, "compress", False) for obj in pdf.objects
                   if isinstance(obj, pydyf.Stream))  # fmt: skip
    threads = pydyf.Array()
    on_page: dict[int, list[tuple[Bead, Any]]] = {}
    for story, chain in threads_of(beads).items():
        thread = pydyf.Dictionary({
            "Type": "/Thread",
            "I": pydyf.Dictionary({"Title": pydyf.String(story)}),
        })  # fmt: skip
        pdf.add_object(thread)
        made = []
        for bead in chain:
            obj = pydyf.Dictionary({
                "Type": "/Bead",
                "T": thread.reference,
                "P": pages[bead.page].reference,
                "R": pydyf.Array(bead.rect),
            })  # fmt: skip
            pdf.add_object(obj)
            made.append(obj)
            on_page.setdefault(bead.page, []).append((bead, obj))
        for index, obj in enumerate(made):  # a thread's beads form a ring (12.4.3)
            obj["N"] = made[(index + 1) % len(made)].reference
            obj["V"] = made[index - 1].reference
        thread["F"] = made[0].reference
        threads.append(thread.reference)
    pdf.catalog["Threads"] = threads
    space = _space_code(document)
    for number, placed in on_page.items():
        page = pages[number]
        page["B"] = pydyf.Array([obj.reference for _, obj in placed])
        if space is None:  # no text that reads as a space: nothing to separate
            continue
        page_beads = [bead for bead, _ in placed]
        # WeasyPrint's content flips the y axis and leaves it flipped: it runs inside q … Q.
        before = pydyf.Stream([separator_content(page_beads, True, *space) + b"q"],
                              compress=compress)  # fmt: skip
        after = pydyf.Stream([b"Q\n" + separator_content(page_beads, False, *space)],
                             compress=compress)  # fmt: skip
        pdf.add_object(before)
        pdf.add_object(after)
        contents = page["Contents"]
        own = list(contents) if isinstance(contents, pydyf.Array) else [contents]
        page["Contents"] = pydyf.Array([before.reference, *own, after.reference])


def _space_code(document: Any) -> tuple[str, int] | None:
    """A font of the document (its resource name: WeasyPrint shares one resource dictionary
    between pages) and a code of it that the text layer maps to a space: a word space, else a
    text-less glyph (``textlayer.codes.TEXTLESS``)."""
    from sahifa.render import context

    write = context.current()
    fallback = None
    for font in document.fonts.values():
        codes = write.codes.get(id(font))
        if codes is None:
            continue
        for code, text in enumerate(codes.texts):
            if code and text == " ":
                return font.hash, code
            if code and text is None and fallback is None:
                fallback = (font.hash, code)
    return fallback
