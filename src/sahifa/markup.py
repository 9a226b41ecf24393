"""Article bodies: Markdown → HTML for the page, with raw HTML removed.

Bodies come from many hands and from scraped archives, so raw HTML (``<script>``, ``<img
src=file:///…>``) never reaches the page: it is dropped and reported. Plain numbers take the
paper's digits; link targets, code and Latin runs keep theirs. Every block gets ``dir="rtl"``
because WeasyPrint gives a paragraph that starts with Latin or digits an LTR base direction.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import escape

from sahifa.arabic import ADDRESS, localize_digits

_BLOCKS_WITH_DIRECTION = {
    "paragraph_open", "heading_open", "blockquote_open", "bullet_list_open",
    "ordered_list_open", "list_item_open",
}  # fmt: skip


@dataclass(frozen=True)
class Body:
    """A rendered body and what was removed from it (line numbers within the body)."""

    html: str
    removed_html: tuple[tuple[int, str], ...] = ()
    words: int = 0  # words in the whole body, counted as the layout counts them


@dataclass(frozen=True)
class WordRange:
    """Words ``start`` (inclusive) to ``end`` (exclusive, None: to the end) of a body: what a
    story box prints when the rest is cut or continues on another page."""

    start: int = 0
    end: int | None = None

    def __contains__(self, index: int) -> bool:
        return index >= self.start and (self.end is None or index < self.end)


# HTML parsing is on only so that raw HTML becomes tokens we can drop; it is never rendered.
_MD = MarkdownIt("commonmark", {"html": True})


# Copy-fitting composes an edition again for every pass and trial, mostly with the same words
# in the same boxes; a body is parsed once per range (the result is not changed by callers).
@functools.lru_cache(maxsize=1024)
def render_body(
    markdown: str, digits: str = "arabic-indic", words: WordRange | None = None
) -> Body:
    """Render a Markdown body to safe HTML; with ``words``, only that range of its words."""
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
    total = _count_words(kept)
    if words is not None:
        kept = _slice_words(kept, words)
    html = _MD.renderer.render(kept, _MD.options, {})
    return Body(html=html, removed_html=tuple(removed), words=total)


_WORD = re.compile(r"\S+")
_WORDY = {"text", "code_inline", "html_inline"}


def _child_words(child: Token) -> list[re.Match[str]]:
    if child.type == "html_inline":  # an isolated address: one word
        return list(_WORD.finditer("address"))
    return list(_WORD.finditer(child.content)) if child.type in _WORDY else []


def _count_words(tokens: list[Token]) -> int:
    count = 0
    for token in tokens:
        if token.type == "inline":
            count += sum(len(_child_words(c)) for c in token.children or [])
        elif token.type in ("fence", "code_block"):
            count += len(token.content.split())
    return count


def _slice_words(tokens: list[Token], words: WordRange) -> list[Token]:
    """Keep only the words in ``words``, splitting a paragraph at a word boundary.

    Words are counted as the layout counts them (runs of non-space), so a range measured on
    the laid-out page maps back to the same place in the body. A block is kept when any of its
    words is; containers (lists, quotes) are kept around the blocks they still hold.
    """
    counter = 0
    keep = [False] * len(tokens)
    for i, token in enumerate(tokens):
        if token.type == "inline":
            children = []
            dropped_before = dropped_after = False
            for child in token.children or []:
                found = _child_words(child)
                if not found:
                    children.append(child)
                    continue
                inside = [m for k, m in enumerate(found) if counter + k in words]
                counter += len(found)
                if not inside:
                    dropped_before |= not keep[i]
                    dropped_after |= keep[i]
                    continue
                if child.type == "text" and len(inside) < len(found):
                    first = 0 if inside[0] is found[0] else inside[0].start()
                    last = len(child.content) if inside[-1] is found[-1] else inside[-1].end()
                    dropped_before |= first > 0 and not keep[i]
                    dropped_after |= last < len(child.content)
                    child.content = child.content[first:last]
                children.append(child)
                keep[i] = True
            token.children = children
            if keep[i] and i and tokens[i - 1].nesting == 1 and (dropped_before or dropped_after):
                # A block cut at the range's edge: its parts are one paragraph to a reader
                # (the tagged PDF joins them: sahifa.render.structure).
                split = ("tail " if dropped_before else "") + ("head" if dropped_after else "")
                tokens[i - 1].attrSet("data-split", split.strip())
        elif token.type in ("fence", "code_block"):
            n = len(token.content.split())
            keep[i] = counter in words
            counter += n
    stack: list[int] = []
    for i, token in enumerate(tokens):
        if token.nesting == 1:
            stack.append(i)
        elif token.nesting == -1:
            opened = stack.pop()
            keep[opened] = keep[i] = any(keep[opened + 1 : i])
    return [token for token, kept in zip(tokens, keep, strict=True) if kept]


def _line(token: Token) -> int:
    return (token.map[0] + 1) if token.map else 0


def _clean_inline(token: Token, digits: str) -> list[tuple[int, str]]:
    """Drop inline raw HTML; localise digits in text (link targets and code keep theirs)."""
    removed = []
    children: list[Token] = []
    for child in token.children or []:
        if child.type == "html_inline":
            removed.append((_line(token), child.content))
            continue
        if child.type == "text":
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
