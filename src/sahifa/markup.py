"""Article bodies: Markdown → HTML for the page, with raw HTML removed.

Bodies come from many hands and from scraped archives, so raw HTML (``<script>``, ``<img
src=file:///…>``) never reaches the page: it is dropped and reported. Plain numbers take the
paper's digits; link targets, code and Latin runs keep theirs. Every block gets ``dir="rtl"``
because WeasyPrint gives a paragraph that starts with Latin or digits an LTR base direction.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token

from sahifa.arabic import localize_digits

_BLOCKS_WITH_DIRECTION = {
    "paragraph_open", "heading_open", "blockquote_open", "bullet_list_open",
    "ordered_list_open", "list_item_open",
}  # fmt: skip


@dataclass
class Body:
    """A rendered body and what was removed from it (line numbers within the body)."""

    html: str
    removed_html: list[tuple[int, str]] = field(default_factory=list)


# HTML parsing is on only so that raw HTML becomes tokens we can drop; it is never rendered.
_MD = MarkdownIt("commonmark", {"html": True})


def render_body(markdown: str, digits: str = "arabic-indic") -> Body:
    """Render a Markdown body to safe HTML."""
    tokens = _MD.parse(markdown)
    removed: list[tuple[int, str]] = []
    kept: list[Token] = []
    for token in tokens:
        if token.type == "html_block":
            removed.append((_line(token), token.content.strip()))
            continue
        if token.type in _BLOCKS_WITH_DIRECTION:
            token.attrSet("dir", "rtl")
        if token.type == "heading_open" and token.tag == "h1":
            token.tag = "h2"  # the article's headline is the page's only h1
        if token.type == "heading_close" and token.tag == "h1":
            token.tag = "h2"
        if token.type == "inline":
            removed += _clean_inline(token, digits)
            _mark_run_in(token, kept)
        kept.append(token)
    html = _MD.renderer.render(kept, _MD.options, {})
    return Body(html=html, removed_html=removed)


def _line(token: Token) -> int:
    return (token.map[0] + 1) if token.map else 0


def _clean_inline(token: Token, digits: str) -> list[tuple[int, str]]:
    """Drop inline raw HTML; localise digits in text outside links and code."""
    removed = []
    children: list[Token] = []
    link_depth = 0
    for child in token.children or []:
        if child.type == "html_inline":
            removed.append((_line(token), child.content))
            continue
        if child.type == "link_open":
            link_depth += 1
        elif child.type == "link_close":
            link_depth -= 1
        elif child.type == "text" and link_depth == 0:
            child.content = localize_digits(child.content, digits)
        children.append(child)
    token.children = children
    return removed


def _mark_run_in(token: Token, kept: list[Token]) -> None:
    """A paragraph opening with bold text ("**البعد الدبلوماسي:** …") has a run-in head."""
    # markdown-it starts the inline run with an empty text token; look past it.
    children = [c for c in token.children or [] if not (c.type == "text" and not c.content)]
    if kept and kept[-1].type == "paragraph_open" and children and children[0].type == "strong_open":
        kept[-1].attrSet("class", "run-in")
        children[0].attrSet("class", "run-in-head")
