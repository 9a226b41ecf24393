"""Patch: one structure tree for the whole document, story by story, across pages.

Upstream: ``weasyprint.pdf.tags.add_tags`` (WeasyPrint 70.0, pdf/tags.py), replaced (where
``weasyprint.pdf`` looks it up). WeasyPrint builds the tree page by page from the box tree: a
story continued on a later page becomes two unrelated ``Art``s, each text box a ``Span``
of its own, and nothing carries the text in logical order. ``sahifa.render.structure.tree``
builds it from the HTML elements instead (one ``Art`` per story, ``/ActualText`` on every
paragraph and heading); the catalogue entries are WeasyPrint's (``/MarkInfo``,
``DisplayDocTitle``, ``/Lang``). Upstreamable in part: elements that span pages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pydyf

from sahifa.render import context
from sahifa.render.patches import Patch
from sahifa.render.structure.tree import TreeBuilder


def make(original: Callable[..., Any]) -> Callable[..., Any]:
    def add_tags(pdf: Any, document: Any, pdf_version: Any, page_streams: Any) -> None:
        roles = context.current().roles
        if roles is None:  # drawn outside a sahifa write: WeasyPrint's own tree
            return original(pdf, document, pdf_version, page_streams)
        builder = TreeBuilder(roles)
        for number, (page, stream) in enumerate(zip(document.pages, page_streams, strict=True)):
            builder.add_page(number, page._page_box, stream._tags)
        pdf.catalog["StructTreeRoot"] = builder.write(pdf, len(document.pages)).reference
        preferences = pdf.catalog.setdefault("ViewerPreferences", pydyf.Dictionary())
        preferences["DisplayDocTitle"] = "true"
        pdf.catalog["MarkInfo"] = pydyf.Dictionary({"Marked": "true"})
        if "Lang" not in pdf.catalog:
            pdf.catalog["Lang"] = pydyf.String("ar")
        return None

    return add_tags


PATCH = Patch(
    target="weasyprint.pdf:add_tags",
    upstream="weasyprint.pdf.tags:add_tags",
    calls=(
        "weasyprint.layout.absolute:AbsolutePlaceholder",
        "weasyprint.pdf.anchors:add_links",
    ),
    make=make,
)
