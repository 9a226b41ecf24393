"""The structure tree of a sahifa PDF, built from what was drawn on every page.

WeasyPrint's own tree (``weasyprint.pdf.tags.add_tags``) is built page by page from the box
tree: a story continued on a later page becomes two ``Art``s, every text box its own
``Span``, the margin boxes are left out. This one is built from the HTML elements the drawn
boxes belong to (``structure.roles``), across pages:

- one element per HTML element with a role, and one ``Art`` per story, whatever pages and
  columns its parts lie in: each marked-content item is referenced with its page
  (``/MCR`` with ``/Pg``), so an element can hold content from several pages;
- children in the order their content was first drawn (pages in order; on a page, the
  boxes in document order, which is reading order: right column to left);
- ``P``, headings, captions and list bodies carry their logical text as ``/ActualText``,
  figures their caption as ``/Alt``, a run of Latin text a ``Span`` with ``/Lang``;
- link annotations as ``Link`` elements with an ``/OBJR`` (PDF/UA 7.18.5).

Furniture was drawn as artifacts (``patches.marked_content``): it has no MCID and no element.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pydyf

from sahifa.render.structure.roles import TEXT_ROLES, Role, Roles, is_latin, logical_text

LATIN_LANGUAGE = "en"  # a Latin run in an Arabic paper: names, addresses, English terms


@dataclass
class Node:
    """A structure element being built."""

    tag: str
    parent: Node | None = None
    kids: list[Any] = field(default_factory=list)  # Node, or ("mcr"|"objr", page, value)
    elements: list[Any] = field(default_factory=list)  # the HTML elements it stands for
    story: str = ""
    lang: str = ""
    page: int | None = None  # the first page it has content on
    body: Node | None = None  # a list item's LBody
    open_split: Node | None = None  # a story's paragraph cut at its jump, to go on with

    def body_of(self) -> Node:
        """A list item's content goes in its ``LBody`` (PDF 32000 14.8.4.3.3)."""
        if self.body is None:
            self.body = Node("LBody", parent=self)
            self.kids.append(self.body)
        return self.body

    def add(self, kid: Any, page: int) -> None:
        self.kids.append(kid)
        node: Node | None = self
        while node is not None and node.page is None:
            node.page = page
            node = node.parent


class TreeBuilder:
    """Collects every page's marked content into elements; ``write`` makes the PDF objects."""

    def __init__(self, roles: Roles) -> None:
        self.roles = roles
        self.document = Node("Document")
        self.nodes: dict[Any, Node] = {}
        self.links: list[tuple[Node, int, Any]] = []  # (Link element, page, annotation)
        self.parents: dict[tuple[int, int], Node] = {}  # (page, MCID) → its element

    def _node_for(self, chain: Sequence[Role], element: Any) -> Node:
        parent = self.document
        for role in chain:
            node = self.nodes.get(role.key)
            if node is None and "tail" in role.split.split() and parent.open_split is not None:
                # The rest of a paragraph cut at the jump: the same element (one /ActualText).
                node = self.nodes[role.key] = parent.open_split
                parent.open_split = None
            if node is None:
                node = Node(role.tag, story=role.story)
                self.nodes[role.key] = node
                attach = parent.body_of() if parent.tag == "LI" else parent
                node.parent = attach
                attach.kids.append(node)
            if "head" in role.split.split():
                parent.open_split = node
            parent = node
        if element is not None and not any(e is element for e in parent.elements):
            parent.elements.append(element)
        return parent

    def add_page(self, number: int, page_box: Any, tags: dict[Any, Any]) -> None:
        """Put page ``number``'s marked content (``tags``: box → its MCID) into elements."""
        for box in _drawn(page_box):
            annotation = getattr(box, "link_annotation", None)
            if annotation is not None:
                parent = self._node_for(self.roles.outer_chain(_element(box)), None)
                link = Node("Link", parent=_body(parent))
                _body(parent).kids.append(link)
                link.add(("objr", number, annotation), number)
                self.links.append((link, number, annotation))
            if box not in tags:
                continue
            mcid = tags.pop(box)["mcid"]
            element = _element(box)
            chain = self.roles.chain(element) or ()
            node = _body(self._node_for(chain, _owner(chain, element, self.roles)))
            text = getattr(box, "text", None)
            if isinstance(text, str) and is_latin(text) and node.tag != "Figure":
                span = Node("Span", parent=node, lang=LATIN_LANGUAGE)
                node.kids.append(span)
                node = span
            node.add(("mcr", number, mcid), number)
            self.parents[(number, mcid)] = node
        # Anything marked but not reached from the page box (none expected): kept, not lost.
        for entry in list(tags.values()):
            self.document.add(("mcr", number, entry["mcid"]), number)
            self.parents[(number, entry["mcid"])] = self.document
        tags.clear()

    def write(self, pdf: Any, page_count: int) -> Any:
        """The ``StructTreeRoot`` (added to ``pdf``), with its ``ParentTree``."""
        pages = pdf.page_references
        parent_tree = pydyf.Dictionary({"Nums": pydyf.Array()})
        pdf.add_object(parent_tree)
        root = pydyf.Dictionary({"Type": "/StructTreeRoot", "ParentTree": parent_tree.reference})
        pdf.add_object(root)
        refs: dict[int, Any] = {}
        document = self._write(self.document, root.reference, pdf, pages, refs)
        root["K"] = pydyf.Array([document.reference])
        nums = parent_tree["Nums"]
        for number in range(page_count):
            mcids = sorted(m for (p, m) in self.parents if p == number)
            nums.append(number)
            nums.append(pydyf.Array(refs[id(self.parents[(number, m)])] for m in mcids))
        for index, (link, _, annotation) in enumerate(self.links, start=page_count):
            annotation["StructParent"] = index
            nums.append(index)
            nums.append(refs[id(link)])
        root["ParentTreeNextKey"] = page_count + len(self.links)
        return root

    def _write(self, node: Node, parent: Any, pdf: Any, pages: Any, refs: dict[int, Any]) -> Any:
        element = pydyf.Dictionary({"Type": "/StructElem", "S": f"/{node.tag}", "P": parent})
        pdf.add_object(element)
        refs[id(node)] = element.reference
        if node.page is not None:
            element["Pg"] = pages[node.page]
        kids = pydyf.Array()
        for kid in node.kids:
            if isinstance(kid, Node):
                if kid.page is None and not kid.kids:
                    continue  # nothing of it was drawn (a cut story's last paragraphs)
                kids.append(self._write(kid, element.reference, pdf, pages, refs).reference)
            elif kid[0] == "mcr":
                kids.append(pydyf.Dictionary(
                    {"Type": "/MCR", "Pg": pages[kid[1]], "MCID": kid[2]}))  # fmt: skip
            else:
                objr = pydyf.Dictionary({"Type": "/OBJR", "Pg": pages[kid[1]],
                                         "Obj": kid[2].reference})  # fmt: skip
                pdf.add_object(objr)
                kids.append(objr.reference)
        element["K"] = kids
        elements = node.elements
        if node.tag == "LBody" and node.parent is not None and not any(
            isinstance(kid, Node) and kid.tag in TEXT_ROLES for kid in node.kids
        ):
            elements = node.parent.elements  # a tight list item: its text is the item's
        texts = [logical_text(e, self.roles) for e in elements]
        text = " ".join(t for t in texts if t)
        if node.tag in TEXT_ROLES and text:
            element["ActualText"] = pydyf.String(text)
        if node.tag == "Figure":
            element["Alt"] = pydyf.String(_figure_alt(node, self.roles) or "صورة")
        if node.tag == "Art" and node.story:
            element["T"] = pydyf.String(node.story)
        if node.tag == "Link":
            element["Alt"] = pydyf.String(_link_alt(node))
        if node.lang:
            element["Lang"] = pydyf.String(node.lang)
        return element


def _figure_alt(node: Node, roles: Roles) -> str:
    """A figure's alternative text: its ``alt``, which sahifa fills from the caption, or the
    caption beside it."""
    for element in node.elements:
        if element.get("alt"):
            return " ".join(str(element.get("alt")).split())
        if element.get("aria-label"):
            return " ".join(str(element.get("aria-label")).split())
    return ""


def _link_alt(node: Node) -> str:
    annotation = node.kids[0][2] if node.kids else None
    target = annotation.get("Dest") if annotation is not None else None
    return "انتقال إلى بقية الموضوع" if target is not None else "رابط"


def _body(node: Node) -> Node:
    return node.body_of() if node.tag == "LI" else node


def _owner(chain: Sequence[Role], element: Any, roles: Roles) -> Any:
    """The HTML element the innermost role stands for (an ``Art`` needs none)."""
    if not chain:
        return None
    for item in reversed(roles.ancestry(element)):
        if id(item) == chain[-1].key:
            return item
    return None


def _element(box: Any) -> Any:
    return getattr(box, "element", None)


def _drawn(box: Any) -> Iterator[Any]:
    """Every box under ``box``, in document order (line boxes' children included)."""
    from weasyprint.layout.absolute import AbsolutePlaceholder

    if isinstance(box, AbsolutePlaceholder):
        box = box._box
    yield box
    for child in getattr(box, "children", ()):
        yield from _drawn(child)
