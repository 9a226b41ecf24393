"""What each element of a sahifa page is to a reader: a structure role, furniture, or neither.

Pure decisions on the page's HTML (``xml.etree`` elements, as WeasyPrint parses them), no
engine: the ``marked_content`` patch asks ``Roles.is_artifact`` while drawing, and
``structure.tree`` asks ``Roles.chain`` when it builds the structure tree from what was drawn.

- A story is one ``Art``: the story box (``data-story``), its continuation on a later page
  (``data-continues`` names the story it continues: one key, one element) and each brief of a
  briefs box (``data-brief``).
- Furniture is an artifact: the masthead, section banners, jump lines, the briefs box's title,
  a continuation's repeated head, placeholder images, and anything without an element (the
  page's margin boxes: running heads and folios) or made by CSS (list markers).
- ``p``/``h1``-``h6``/``blockquote``/``ul``/``ol``/``li``/``img``/``figcaption`` keep their
  HTML meaning; every other element (``div``, ``header``, ``span``, ``em``…) is transparent:
  its content belongs to the nearest element above that has a role.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

ARTIFACT = "Artifact"

# Classes of page furniture (layouts/base templates): printed, but not the story's words.
FURNITURE_CLASSES = frozenset(
    {"masthead", "grid-masthead", "grid-banner", "jump", "briefs-title", "continued-head",
     "placeholder"}
)  # fmt: skip

_TAGS = {
    "p": "P",
    "h1": "H1",
    "h2": "H2",
    "h3": "H3",
    "h4": "H4",
    "h5": "H5",
    "h6": "H6",
    "blockquote": "BlockQuote",
    "ul": "L",
    "ol": "L",
    "li": "LI",
    "img": "Figure",
    "figcaption": "Caption",
    "pre": "P",
}

# Elements that carry their logical text as /ActualText (with LBody of a list item).
TEXT_ROLES = frozenset({"P", "H1", "H2", "H3", "H4", "H5", "H6", "Caption", "LBody"})


def _local(tag: Any) -> str:
    """``{namespace}svg`` → ``svg``; comments and processing instructions have no name."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _classes(element: Any) -> set[str]:
    return set((element.get("class") or "").split())


@dataclass(frozen=True)
class Role:
    """A structure element to make for an HTML element: its type and what identifies it."""

    tag: str
    key: tuple[str, str] | int  # a story's id (its parts share one element) or id(element)
    story: str = ""  # for an Art: the story id
    split: str = ""  # a block cut where the story jumps: "head" (goes on), "tail" (goes on from)


def role_of(element: Any) -> Role | str | None:
    """``ARTIFACT``, a ``Role``, or None (transparent)."""
    tag = _local(element.tag)
    if not tag:
        return None
    if _classes(element) & FURNITURE_CLASSES:
        return ARTIFACT
    if tag == "svg":
        # A drawn image without a name is decoration (the placeholder's frame).
        return ARTIFACT if not element.get("aria-label") else Role("Figure", id(element))
    if tag == "article" or tag == "section":
        story = element.get("data-continues") or element.get("data-brief")
        if not story and "slot-briefs" not in _classes(element):
            story = element.get("data-story")
        return Role("Art", ("story", story), story) if story else None
    if tag in _TAGS:
        return Role(_TAGS[tag], id(element), split=element.get("data-split") or "")
    return None


class Roles:
    """The roles of one document's elements, with the parent links ElementTree lacks."""

    def __init__(self, root: Any) -> None:
        self.root = root
        self.parents = {child: parent for parent in root.iter() for child in parent}
        self._chains: dict[int, tuple[Role, ...] | None] = {}

    def ancestry(self, element: Any) -> list[Any]:
        """``element`` and its ancestors, outermost first."""
        found = []
        while element is not None:
            found.append(element)
            element = self.parents.get(element)
        return found[::-1]

    def chain(self, element: Any) -> tuple[Role, ...] | None:
        """The roles from the outermost to ``element``'s own; None when it is furniture."""
        if element is None:
            return None
        key = id(element)
        if key not in self._chains:
            roles: list[Role] = []
            for item in self.ancestry(element):
                role = role_of(item)
                if role == ARTIFACT:
                    self._chains[key] = None
                    break
                if isinstance(role, Role):
                    roles.append(role)
            else:
                self._chains[key] = tuple(roles)
        return self._chains[key]

    def outer_chain(self, element: Any) -> tuple[Role, ...]:
        """The roles above ``element`` up to the first furniture: where a link in a jump
        line belongs (its story)."""
        roles: list[Role] = []
        for item in self.ancestry(element) if element is not None else ():
            role = role_of(item)
            if role == ARTIFACT:
                break
            if isinstance(role, Role):
                roles.append(role)
        return tuple(roles)

    def is_artifact(self, element: Any) -> bool:
        return self.chain(element) is None


def logical_text(element: Any, roles: Roles) -> str:
    """An element's text as the article has it: whitespace collapsed as HTML does, soft
    hyphens dropped (WeasyPrint's hyphens are not in it), furniture inside left out."""
    return " ".join("".join(_texts(element, roles)).replace("\u00ad", "").split())


def _texts(element: Any, roles: Roles) -> Iterable[str]:
    if role_of(element) == ARTIFACT:
        return
    if element.text:
        yield element.text
    for child in element:
        yield from _texts(child, roles)
        if child.tail:
            yield child.tail


_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
_LATIN = re.compile("[A-Za-z]")


def is_latin(text: str) -> bool:
    """Text with Latin letters and no Arabic ones: a run in another language."""
    return _LATIN.search(text) is not None and _ARABIC.search(text) is None
