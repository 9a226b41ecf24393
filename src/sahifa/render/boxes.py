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

    @property
    def overset(self) -> bool:
        return self.overflow_words > 0 or self.overflow_lines > 0 or self.spilled


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
                fits[story] = replace(
                    earlier,
                    overflow_words=earlier.overflow_words + sum(_words(c) for c in columns),
                    overflow_lines=earlier.overflow_lines + sum(_lines(c) for c in columns),
                    furniture_overflow=earlier.furniture_overflow
                    or any(_has_furniture(c) for c in columns),
                    spilled=True,
                )
                continue
            inside, beyond = columns[:count], columns[count:]
            fits[story] = BoxFit(
                story=story,
                page=number,
                columns=count,
                fitting_words=sum(_words(c) for c in inside),
                overflow_words=sum(_words(c) for c in beyond),
                overflow_lines=sum(_lines(c) for c in beyond),
                furniture_overflow=any(_has_furniture(c) for c in beyond),
            )
    return fits


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
            position = 0
            for part in box.text.split(" "):
                end = position + len(part)
                mine = sorted(i - position for i in indices if position <= i < end)
                if mine:
                    word = "".join(c for k, c in enumerate(part) if k not in mine)
                    # each tatweel's site: the character of the word it stands before
                    sites = tuple(k - n for n, k in enumerate(mine))
                    found.append(Elongation(number, word, part, sites, path))
                position = end + 1
        for child in getattr(box, "children", ()):
            walk(child, number, path)

    for number, page in enumerate(laid_out.document.pages, start=1):
        walk(page._page_box, number, ())
    return found
