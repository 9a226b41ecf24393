"""Justification the way Arabic typesetters do it: kashida (tatweel) elongation, paragraph-level
line breaking and balanced short blocks. Pure decisions live here (``sites``, ``allocate``,
``composer``); ``harfbuzz`` asks HarfBuzz where a tatweel is safe; the engine patches that
carry them out are ``patches.paragraph_breaks``, ``patches.kashida`` and
``patches.balanced_lines``.

The switches are CSS custom properties, inherited like any property and set by the generated
stylesheet from ``layout.yaml`` and ``fonts/fonts.yaml`` (a designer may override them):

    --sahifa-justify: kashida | spaces       how a justified line is stretched
    --sahifa-line-breaking: paragraph | greedy   breaks chosen per paragraph, or line by line
    --sahifa-wrap: balance                   even lines for headlines, decks and captions
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

TATWEEL = "\u0640"


def custom(style: Any, name: str) -> str | None:
    """The value of custom property ``--name`` in a WeasyPrint computed style, or None."""
    tokens = style[f"__{name.replace('-', '_')}"]
    for token in tokens or ():
        value = getattr(token, "value", None)
        if isinstance(value, str) and value.strip():
            return value.strip().lower()
    return None


def spaced_words(text: str) -> Iterator[tuple[int, str]]:
    """``(start, word)`` for each word of ``text`` between spaces (the only break points
    the composer and kashida consider; a no-break space is part of its word)."""
    position = 0
    for part in text.split(" "):
        if part:
            yield position, part
        position += len(part) + 1
