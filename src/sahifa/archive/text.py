"""The text of a sahifa PDF, story by story, read from its structure tree.

What an archive indexes: every ``Art`` element of the tagged PDF (``sahifa.render.structure``)
is a story, its title (``/T``) the story's id; its paragraphs, headings, captions and list
items carry their logical text as ``/ActualText``, so the words come back whole and in the
order the story is read, its continuation on a later page included, whatever the extractor
would make of the glyphs. The page furniture is not in the tree.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sahifa.errors import SahifaError, visible

# Elements whose /ActualText is one block of the story's text, in reading order.
TEXT_BLOCKS = frozenset({"/P", "/H1", "/H2", "/H3", "/H4", "/H5", "/H6", "/Caption", "/LBody"})


@dataclass
class Block:
    role: str  # the structure type: P, H1, H2, Caption, LBody…
    text: str


@dataclass
class Story:
    story: str  # the story's id (its article file's name)
    headline: str
    pages: list[int]  # 1-based, every page it has text on
    blocks: list[Block] = field(default_factory=list)

    @property
    def paragraphs(self) -> list[str]:
        return [block.text for block in self.blocks]

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["paragraphs"] = self.paragraphs
        return data

    def as_text(self) -> str:
        pages = ", ".join(str(p) for p in self.pages)
        return f"## {self.story} (p. {pages})\n\n" + "\n\n".join(self.paragraphs) + "\n"


def read_stories(path: Path) -> list[Story]:
    """Every story of the tagged PDF at ``path``, in reading order. ``SahifaError`` when the
    file is not a PDF or has no structure tree (rendered before tagging, or not by sahifa)."""
    import pikepdf

    try:
        pdf = pikepdf.open(path)
    except (pikepdf.PdfError, OSError, ValueError) as exc:
        raise SahifaError("text", f"not a readable PDF ({type(exc).__name__})", file=path) from exc
    with pdf:
        root = pdf.Root.get("/StructTreeRoot")
        if root is None:
            raise SahifaError(
                "text", "the PDF has no structure tree (render it again with this sahifa)",
                file=path,
            )  # fmt: skip
        pages = {page.obj.objgen: number for number, page in enumerate(pdf.pages, start=1)}
        try:
            return [_story(art, pages) for art in _elements(root, "/Art", _Seen())]
        except (pikepdf.PdfError, RecursionError, ValueError) as exc:
            raise SahifaError("text", f"its structure tree is damaged ({type(exc).__name__})",
                              file=path) from exc  # fmt: skip


def _story(art: Any, pages: dict[tuple[int, int], int]) -> Story:
    import pikepdf

    title = art.get("/T")
    # Text from the file is shown as it is only where it is printable: a hostile PDF's
    # escape sequence must not drive the terminal that prints it.
    story = Story(story=visible(str(title)) if isinstance(title, pikepdf.String) else "",
                  headline="", pages=[])  # fmt: skip
    for element in _blocks(art, _Seen()):
        role = str(element.S)
        text = element.ActualText
        if not isinstance(text, pikepdf.String):
            continue
        story.blocks.append(Block(role=role[1:], text=visible(str(text))))
        if role == "/H1" and not story.headline:
            story.headline = story.blocks[-1].text
    if not story.headline and story.blocks and story.blocks[0].role.startswith("H"):
        story.headline = story.blocks[0].text  # a brief's head is an H2
    story.pages = sorted(set(_pages(art, pages, _Seen())))
    return story


class _Seen:
    """The elements a walk has entered: a tree that loops back (a hostile or broken file) is
    walked once; one nested deeper than any sahifa writes is refused."""

    LIMIT = 200

    def __init__(self) -> None:
        self.objects: set[tuple[int, int]] = set()
        self.depth = 0

    def enter(self, element: Any) -> bool:
        key = element.objgen
        if key != (0, 0):
            if key in self.objects:
                return False
            self.objects.add(key)
        return True

    def deeper(self) -> _Seen:
        self.depth += 1
        if self.depth > self.LIMIT:
            raise ValueError("structure tree nested too deep")
        return self


def _kids(element: Any) -> list[Any]:
    import pikepdf

    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _is_element(obj: Any) -> bool:
    import pikepdf

    return (isinstance(obj, pikepdf.Dictionary) and isinstance(obj.get("/S"), pikepdf.Name)
            and obj.get("/Type") != "/MCR")  # fmt: skip


def _children(parent: Any, seen: _Seen) -> Iterator[Any]:
    for kid in _kids(parent):
        if _is_element(kid) and seen.enter(kid):
            yield kid


def _elements(parent: Any, tag: str, seen: _Seen) -> Iterator[Any]:
    """Elements of type ``tag`` under ``parent``, in order (not inside one another)."""
    for kid in _children(parent, seen):
        if str(kid.S) == tag:
            yield kid
        else:
            yield from _elements(kid, tag, seen.deeper())
            seen.depth -= 1


def _blocks(element: Any, seen: _Seen) -> Iterator[Any]:
    for kid in _children(element, seen):
        if str(kid.S) in TEXT_BLOCKS and "/ActualText" in kid:
            yield kid
        else:
            yield from _blocks(kid, seen.deeper())
            seen.depth -= 1


def _pages(element: Any, pages: dict[tuple[int, int], int], seen: _Seen) -> Iterator[int]:
    import pikepdf

    for kid in _kids(element):
        if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
            page = kid.get("/Pg")
            if isinstance(page, pikepdf.Dictionary) and page.objgen in pages:
                yield pages[page.objgen]
    for kid in _children(element, seen):
        yield from _pages(kid, pages, seen.deeper())
        seen.depth -= 1


def stories_json(path: Path, stories: list[Story]) -> dict[str, Any]:
    """What ``sahifa text --json`` prints and ``batch --text`` writes."""
    return {"pdf": str(path), "stories": [story.as_json() for story in stories]}


def stories_text(stories: list[Story]) -> str:
    return "\n".join(story.as_text() for story in stories)
