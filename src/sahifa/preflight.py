"""Before WeasyPrint: is every character that will print in the fonts of the role printing it?

Each field maps to a layout role (headline, body, caption, masthead, folio) and is checked
against that role's whole pinned stack. A miss names the character, its code point, the file
and the field, so the desk can fix the text (or add a font) instead of printing a box.
"""

from __future__ import annotations

from pathlib import Path

from sahifa.arabic import localize_digits
from sahifa.content.article import Article
from sahifa.errors import Problem
from sahifa.fonts.coverage import covered, missing
from sahifa.fonts.registry import FontRegistry
from sahifa.layouts import Layout
from sahifa.settings import Settings

# (field, role): which role prints which part of an article.
ARTICLE_FIELDS = (
    ("headline", "headline"), ("kicker", "headline"), ("deck", "headline"),
    ("byline", "caption"), ("section", "caption"), ("body", "body"),
)  # fmt: skip


def _units(article: Article, digits: str) -> list[tuple[str, str, str, int | None]]:
    """(key, role, text as printed, line) for one article."""
    units = []
    for key, role in ARTICLE_FIELDS:
        text = getattr(article, key)
        if text:
            units.append((key, role, localize_digits(text, digits), article.key_lines.get(key)))
    if article.image is not None:
        line = article.key_lines.get("image")
        for key in ("caption", "credit"):
            text = getattr(article.image, key)
            if text:
                units.append((f"image.{key}", "caption", localize_digits(text, digits), line))
    return units


def _is_emoji(char: str) -> bool:
    """Pictographs (U+1F000-1FAFF: emoticons, pictographs, flags) and the emoji
    presentation selector: colour glyphs on screen that no print font should stand in for."""
    point = ord(char)
    return 0x1F000 <= point <= 0x1FAFF or point == 0xFE0F


def check_glyphs(
    articles: list[Article], settings: Settings, layout: Layout, fonts: FontRegistry,
    furniture: list[tuple[str, str]], source: Path,
) -> list[Problem]:  # fmt: skip
    """Problems for every character no font of its role covers. ``furniture`` is the page
    text the paper adds (role, text): nameplate, masthead lines, date line, folios."""
    stacks: dict[str, frozenset[int]] = {}

    def available(role: str) -> frozenset[int]:
        if role not in stacks:
            stacks[role] = covered(fonts, layout.font_stack(role))
        return stacks[role]

    problems = []
    units = [(a.path, *u) for a in articles for u in _units(a, settings.digits)]
    units += [(settings.root / "sahifa.yaml", role, role, text, None) for role, text in furniture]
    for file, key, role, text, line in units:
        for char in sorted({c for c in text if _is_emoji(c)}, key=text.index):
            problems.append(Problem(
                "fonts",
                f"emoji {char!r} (U+{ord(char):04X}) cannot print: a symbol font may draw it as "
                "a black-and-white sign, or not at all; write it in words",
                file=file, key=key, line=line,
            ))  # fmt: skip
        for char in missing(text, available(role)):
            if _is_emoji(char):
                continue
            problems.append(Problem(
                "fonts",
                f"character {char!r} (U+{ord(char):04X}) is in no font of the {role} role "
                f"({', '.join(layout.font_stack(role))})",
                file=file, key=key, line=line,
            ))  # fmt: skip
    return problems
