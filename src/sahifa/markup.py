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
from markupsafe import escape

from sahifa.arabic import ADDRESS, localize_digits

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
            children += _text_tokens(child.content, digits)
            continue
        children.append(child)
    token.children = children
    return removed


def _text_tokens(text: str, digits: str) -> list[Token]:
    """Text with localised digits; URLs and e-mails isolated as left-to-right units.

    Without isolation the bidi algorithm reorders an address's parts inside an Arabic line
    ("https://…/2023/05" prints as "//:https …"), so it goes into a ``<bdi dir="ltr">``.
    """
    if not ADDRESS.search(text):
        return [_text_token(localize_digits(text, digits))]
    tokens: list[Token] = []
    pos = 0
    for match in ADDRESS.finditer(text):
        if match.start() > pos:
            tokens.append(_text_token(localize_digits(text[pos : match.start()], digits)))
        html = f'<bdi dir="ltr" class="address">{escape(match.group())}</bdi>'
        tokens.append(Token("html_inline", "", 0, content=html))
        pos = match.end()
    if pos < len(text):
        tokens.append(_text_token(localize_digits(text[pos:], digits)))
    return tokens


def _text_token(text: str) -> Token:
    return Token("text", "", 0, content=text)


def _mark_run_in(token: Token, kept: list[Token]) -> None:
    """A paragraph opening with bold text ("**البعد الدبلوماسي:** …") has a run-in head."""
    # markdown-it starts the inline run with an empty text token; look past it.
    children = [c for c in token.children or [] if not (c.type == "text" and not c.content)]
    if (
        kept
        and kept[-1].type == "paragraph_open"
        and children
        and children[0].type == "strong_open"
    ):
        kept[-1].attrSet("class", "run-in")
        children[0].attrSet("class", "run-in-head")
