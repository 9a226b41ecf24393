"""A typed view of the laid-out boxes: what copy-fitting and the archive's story index read.

WeasyPrint is pinned (``sahifa.render.compat``), so its box tree is stable; this is the one
module that walks it (pages' ``_page_box``, box classes, styles), so callers get plain data.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from weasyprint.document import Document

    from sahifa.render.document import LaidOut


def reads_right_to_left(document: Document) -> bool:
    """The document's first page runs right to left (the ``dir`` of its root element)."""
    pages = document.pages
    return bool(pages) and pages[0]._page_box.style["direction"] == "rtl"


def root_element(document: Document) -> Any:
    """The document's root HTML element (``<html>``), from its first page's root box."""
    for page in document.pages:
        for box in page._page_box.children:
            if getattr(box, "element", None) is not None:
                return box.element
    return None


@dataclass(frozen=True)
class BoxFit:
    """How a story's text sat in its box on the laid-out page."""

    story: str
    page: int
    columns: int
    fitting_words: int  # body words inside the box's own columns
    overflow_words: int  # words that fell into columns beyond the box
    overflow_lines: int
    furniture_overflow: bool = False  # a jump line fell beyond the box
    spilled: bool = False  # part of the box went on to a later page (its head did not fit)
    # Geometry, in millimetres (copy-fitting's rules and the flat plan read these):
    box_mm: float = 0.0  # the box's content height
    head_mm: float = 0.0  # taken by what spans the columns: headline, deck, photo, caption
    line_mm: float = 0.0  # one body line (the most common line box height)
    column_lines: tuple[int, ...] = ()  # body lines in each of the box's own columns
    column_white_mm: tuple[float, ...] = ()  # white under each of the box's own columns
    words_per_line: float = 0.0  # body words per line, wherever the body was laid out
    headline_lines: int = 0
    headline_pt: float = 0.0  # the headline's font size
    first_column_bottoms: tuple[float, ...] = ()  # mm from the box's top to each line's foot
    headline_width: float = 0.0  # the headline's line widths, summed (px): text length
    rect: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)  # x, y, w, h (px)
    page_size: tuple[float, float] = (0.0, 0.0)  # the page's width and height (px)
    # Part of the head (headline, deck, photo, caption) went on to a later page with the
    # columns: ``head_mm`` is then only what stayed on the box's page.
    head_spilled: bool = False

    @property
    def overset(self) -> bool:
        return self.overflow_words > 0 or self.overflow_lines > 0 or self.spilled

    @property
    def body_lines(self) -> int:
        return sum(self.column_lines)


def measure_slots(laid_out: LaidOut) -> dict[str, BoxFit]:
    """Measure every ``data-story`` box: which words fit its columns and which overflowed.

    A multi-column box of fixed height puts what does not fit into extra columns beyond its
    edge (off the page in RTL). Those columns are found on the laid-out boxes: the box's
    children that do not span are its columns, in reading order; the first ``column-count``
    are the box, the rest is overset. Words are runs of non-space in the text boxes (as
    ``sahifa.markup`` counts them), so a count maps back to the same place in the body.
    """
    fits: dict[str, BoxFit] = {}
    for number, page in enumerate(laid_out.document.pages, start=1):
        for box in _descendants(page._page_box):  # WeasyPrint pinned: its box tree is stable
            element = getattr(box, "element", None)
            story = element.get("data-story") if element is not None else None
            if not story or not _is_multicol(box):
                continue
            count = int(box.style["column_count"])
            columns = [c for c in box.children if c.style["column_span"] != "all"]
            earlier = fits.get(story)
            if earlier is not None:
                # A box too short even for its head pushes its text onto the next page: all
                # of that fragment is overset, and the edition would gain a page.
                head_spilled = any(c.style["column_span"] == "all" for c in box.children)
                fits[story] = replace(
                    earlier,
                    head_spilled=earlier.head_spilled or head_spilled,
                    overflow_words=earlier.overflow_words + sum(_words(c) for c in columns),
                    overflow_lines=earlier.overflow_lines + sum(_lines(c) for c in columns),
                    furniture_overflow=earlier.furniture_overflow
                    or any(_has_furniture(c) for c in columns),
                    spilled=True,
                )
                headline = [b for b in _descendants(box) if _has_class(b, "headline")]
                if not earlier.headline_pt and headline:  # the headline went on too
                    lines = [b for b in _descendants(headline[0])
                             if type(b).__name__ == "LineBox"]  # fmt: skip
                    fits[story] = replace(
                        fits[story], headline_lines=len(lines),
                        headline_pt=headline[0].style["font_size"] * 0.75,
                        headline_width=sum(_content_width(b) for b in lines))  # fmt: skip
                if not earlier.line_mm:  # none of its body was on its page: measure it here
                    heights = [h for c in columns for h in _line_heights(c)]
                    lines = sum(_lines(c) for c in columns)
                    fits[story] = replace(
                        fits[story],
                        line_mm=(max(set(heights), key=heights.count) if heights else 0) * _MM,
                        words_per_line=sum(_words(c) for c in columns) / lines if lines else 0,
                    )
                continue
            inside, beyond = columns[:count], columns[count:]
            heights = [h for c in columns for h in _line_heights(c)]
            # Where the columns end: the box's own height, unless the grid stretched the box
            # past the height its style gave the columns (a balanced ending).
            bottom = box.content_box_y() + box.height
            if inside:
                bottom = min(bottom, max(c.position_y + c.height for c in inside))
            head_bottom = max((_bottom(c) for c in box.children
                               if c.style["column_span"] == "all"),
                              default=box.content_box_y())  # fmt: skip
            whites = [max(0.0, bottom - _last_bottom(c)) for c in inside]
            whites += [max(0.0, bottom - head_bottom)] * (count - len(inside))
            all_lines = sum(_lines(c) for c in columns)
            headline = [b for b in _descendants(box) if _has_class(b, "headline")]
            head_lines = [b for h in headline[:1] for b in _descendants(h)
                          if type(b).__name__ == "LineBox"]  # fmt: skip
            # A block forced into a column (see patches.column_overflow) may reach below
            # the box, where it is clipped: those lines are overset too.
            clipped = [b for c in inside for b in _descendants(c)
                       if type(b).__name__ == "LineBox" and not _has_furniture(b)
                       and b.position_y + b.height > bottom + 0.5]  # fmt: skip
            clipped_words = sum(_words(b) for b in clipped)
            fits[story] = BoxFit(
                story=story,
                page=number,
                columns=count,
                fitting_words=sum(_words(c) for c in inside) - clipped_words,
                overflow_words=sum(_words(c) for c in beyond) + clipped_words,
                overflow_lines=sum(_lines(c) for c in beyond) + len(clipped),
                furniture_overflow=any(_has_furniture(c) for c in beyond),
                box_mm=(bottom - box.content_box_y()) * _MM,
                head_mm=(head_bottom - box.content_box_y()) * _MM,
                line_mm=(max(set(heights), key=heights.count) if heights else 0.0) * _MM,
                column_lines=tuple(_lines(c) - sum(1 for b in clipped if _within(b, c))
                                   for c in inside) + (0,) * (count - len(inside)),
                column_white_mm=tuple(w * _MM for w in whites),
                words_per_line=sum(_words(c) for c in columns) / all_lines if all_lines else 0.0,
                headline_lines=len(head_lines),
                headline_pt=headline[0].style["font_size"] * 0.75 if headline else 0.0,
                first_column_bottoms=tuple(
                    (b.position_y + b.height - box.content_box_y()) * _MM
                    for b in (_descendants(inside[0]) if inside else ())
                    if type(b).__name__ == "LineBox" and not _has_furniture(b)
                ),
                headline_width=sum(_content_width(b) for b in head_lines),
                rect=(box.position_x, box.position_y, box.margin_width(), box.margin_height()),
                page_size=(page._page_box.margin_width(), page._page_box.margin_height()),
            )
    return fits


_MM = 25.4 / 96  # CSS px → mm


def _within(box: Any, column: Any) -> bool:
    return any(b is box for b in _descendants(column))


def _has_class(box: Any, name: str) -> bool:
    element = getattr(box, "element", None)
    return element is not None and name in (element.get("class") or "").split()


def _bottom(box: Any) -> float:
    """The bottom edge of ``box`` with its bottom margin."""
    return box.position_y + box.margin_height()


def _last_bottom(column: Any) -> float:
    """Where a column's text ends: the bottom of its last line (or of its last block)."""
    bottoms = [b.position_y + b.height for b in _descendants(column)
               if type(b).__name__ in ("LineBox", "BlockReplacedBox")]  # fmt: skip
    if bottoms:
        return max(bottoms)
    return column.position_y


def _line_heights(box: Any) -> list[float]:
    return [round(b.height, 2) for b in _descendants(box)
            if type(b).__name__ == "LineBox" and not _has_furniture(b)]  # fmt: skip


def _content_width(line: Any) -> float:
    """The width of a line's text (its inline children), not of the line box."""
    children = getattr(line, "children", ())
    if not children:
        return 0.0
    left = min(c.position_x for c in children)
    right = max(c.position_x + c.margin_width() for c in children)
    return right - left


def _is_multicol(box: Any) -> bool:
    return box.style["column_count"] != "auto" and bool(getattr(box, "children", None))


def _descendants(box: Any) -> Iterator[Any]:
    yield box
    for child in getattr(box, "children", ()):
        yield from _descendants(child)


def _is_furniture(box: Any) -> bool:
    """Jump lines are added by the layout, not words of the story."""
    element = getattr(box, "element", None)
    return element is not None and "jump" in (element.get("class") or "").split()


def _words(box: Any) -> int:
    if _is_furniture(box):
        return 0
    text = getattr(box, "text", None)
    if isinstance(text, str) and not getattr(box, "children", None):
        return len(text.split())
    return sum(_words(child) for child in getattr(box, "children", ()))


def _lines(box: Any) -> int:
    if _is_furniture(box):
        return 0
    if type(box).__name__ == "LineBox":
        return 1
    return sum(_lines(child) for child in getattr(box, "children", ()))


def _has_furniture(box: Any) -> bool:
    return _is_furniture(box) or any(_has_furniture(c) for c in getattr(box, "children", ()))


def stories_by_page(laid_out: LaidOut) -> dict[int, list[str]]:
    """The ids of the story boxes on each page (the archive's index of an edition)."""
    pages: dict[int, list[str]] = {}
    for number, page in enumerate(laid_out.document.pages, start=1):
        for box in _descendants(page._page_box):
            element = getattr(box, "element", None)
            story = element.get("data-story") if element is not None else None
            if story and story not in pages.setdefault(number, []):
                pages[number].append(story)
    return pages


@dataclass(frozen=True)
class Elongation:
    """A word that kashida justification elongated (``patches.kashida``)."""

    page: int
    word: str  # as written, without the inserted tatweels
    elongated: str  # as set
    sites: tuple[int, ...]  # where tatweels went: before these characters of ``word``
    elements: tuple[str, ...]  # its element and ancestors, as "tag.class.class", innermost first


def elongations(laid_out: LaidOut) -> list[Elongation]:
    """Every elongated word of the laid-out pages (restraint checks, benchmarks)."""
    from sahifa.render.justify import spaced_words
    from sahifa.render.patches.kashida import inserted

    found: list[Elongation] = []

    def walk(box: Any, number: int, path: tuple[str, ...]) -> None:
        element = getattr(box, "element", None)
        if element is not None and isinstance(element.tag, str):
            name = ".".join([element.tag, *(element.get("class") or "").split()])
            if not path or path[0] != name:  # a block and its lines share an element
                path = (name, *path)
        indices = inserted(box)
        if indices:
            for position, part in spaced_words(box.text):
                end = position + len(part)
                mine = sorted(i - position for i in indices if position <= i < end)
                if mine:
                    word = "".join(c for k, c in enumerate(part) if k not in mine)
                    # each tatweel's site: the character of the word it stands before
                    sites = tuple(k - n for n, k in enumerate(mine))
                    found.append(Elongation(number, word, part, sites, path))
        for child in getattr(box, "children", ()):
            walk(child, number, path)

    for number, page in enumerate(laid_out.document.pages, start=1):
        walk(page._page_box, number, ())
    return found


@dataclass(frozen=True)
class Region:
    """Where a story lies on a page, for its article thread's beads (``sahifa.render.threads``):
    its head (what spans its columns: kicker, headline, deck, photo, byline), one of its
    columns, or a brief's part of a column. Rects are CSS px from the page's top-left."""

    story: str  # the story's id, as its ``Art`` has it: a continuation's is its story's
    page: int  # 0-based
    rect: tuple[float, float, float, float]  # left, top, right, bottom
    kind: str  # "head", "column" or "brief"


def story_regions(document: Document) -> list[Region]:
    """Every story's head and columns on every page, in reading order: pages in order, on a
    page the story boxes in document order, in a box its head and then its columns (which
    WeasyPrint lays out in reading order: right to left in a right-to-left page). An edition's
    story box is itself the multi-column box; an article's page holds its head above a
    multi-column body. A briefs box gives each brief's part of each column. Columns beyond the
    box (overset, off its edge) and empty ones are left out."""
    regions: list[Region] = []
    for number, page in enumerate(document.pages):
        for box in _descendants(page._page_box):
            element = getattr(box, "element", None)
            story = element.get("data-story") if element is not None else None
            if not story or getattr(box, "is_column", False):
                continue
            story = element.get("data-continues") or story
            if _is_multicol(box):
                briefs = "slot-briefs" in (element.get("class") or "").split()
                regions += _multicol_regions(story, number, box, briefs)
                continue
            body = next((b for b in _descendants(box) if b is not box and _is_multicol(b)), None)
            if body is None:
                continue
            left = box.content_box_x()
            if body.position_y - box.content_box_y() > 1:  # the head above the body
                regions.append(Region(story, number, (left, box.content_box_y(),
                                                      left + box.width, body.position_y),
                                      "head"))  # fmt: skip
            regions += _multicol_regions(story, number, body, False)
    return regions


def _multicol_regions(story: str, number: int, box: Any, briefs: bool) -> list[Region]:
    """The regions of a multi-column box: what spans its columns, then each column."""
    regions: list[Region] = []
    left = box.content_box_x()
    right = left + box.width
    head: list[Any] = []
    for child in box.children:
        if child.style["column_span"] == "all":
            head.append(child)
            continue
        if head and not briefs:
            regions.append(_head_region(story, number, left, right, head))
        head = []
        if child.margin_height() <= 0 or not (
            left - 1 <= child.position_x <= right + 1 - child.margin_width()
        ):
            continue  # empty, or an overset column beyond the box's edge
        if briefs:
            regions += [Region(part.element.get("data-brief"), number, _rect(part), "brief")
                        for part in _brief_parts(child)]  # fmt: skip
        else:
            regions.append(Region(story, number, _rect(child), "column"))
    if head and not briefs:
        regions.append(_head_region(story, number, left, right, head))
    return regions


def _head_region(story: str, page: int, left: float, right: float, head: list[Any]) -> Region:
    top = min(child.position_y for child in head)
    bottom = max(_bottom(child) for child in head)
    return Region(story, page, (left, top, right, bottom), "head")


def _rect(box: Any) -> tuple[float, float, float, float]:
    return (box.position_x, box.position_y, box.position_x + box.margin_width(), _bottom(box))


def _brief_parts(column: Any) -> Iterator[Any]:
    """The outermost boxes of briefs (``data-brief``) in a briefs box's column."""
    for child in getattr(column, "children", ()):
        element = getattr(child, "element", None)
        if element is not None and element.get("data-brief") and child.margin_height() > 0:
            yield child
        else:
            yield from _brief_parts(child)
