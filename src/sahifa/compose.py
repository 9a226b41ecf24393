"""(article, paper settings, layout, fonts) → the page's HTML. Pure: no I/O but templates.

Everything a template prints is prepared here: digits localised, dates formatted, font stacks
and grid turned into CSS custom properties that the layout's stylesheet reads (and a designer
may override in CSS).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from sahifa.arabic import gregorian_line, hijri_line, localize_digits, to_hijri
from sahifa.content.article import Article
from sahifa.errors import Problem
from sahifa.fonts import FontRegistry
from sahifa.layouts import ROLES, Layout
from sahifa.markup import render_body
from sahifa.settings import Settings


@dataclass
class Composed:
    """The HTML of a render and the warnings found while composing it."""

    html: str
    warnings: list[Problem]


def css_string(text: str) -> str:
    """A CSS string literal that cannot end the string or the <style> element it sits in."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ")
    return '"' + escaped.replace("\n", "\\a ") + '"'


def date_line(article: Article, settings: Settings) -> str:
    """The dateline as the paper prints it: Gregorian and/or Hijri."""
    if article.date is None:
        return ""
    parts = []
    if settings.date_line in ("both", "gregorian"):
        parts.append(gregorian_line(article.date, settings.digits))
    if settings.date_line in ("both", "hijri"):
        hijri = article.hijri_date or to_hijri(article.date)
        parts.append(hijri_line(hijri, settings.digits))
    return " — ".join(parts)


def generated_css(
    article: Article, settings: Settings, layout: Layout, fonts: FontRegistry, dateline: str
) -> str:
    """``@font-face`` rules, the layout's geometry and font stacks as custom properties, and
    the page furniture whose text comes from the paper (running head, folio)."""
    stacks = {
        role: ", ".join(css_string(family) for family in layout.font_stack(role)) for role in ROLES
    }
    props = [f"  --font-{role}: {stack};" for role, stack in stacks.items()]
    for group in ("page", "grid", "image"):
        for key, value in (layout.settings.get(group) or {}).items():
            props.append(f"  --{group}-{key}: {value};")
    folio_style = "arabic-indic" if settings.digits == "arabic-indic" else "decimal"
    running = css_string(settings.paper)
    running_date = css_string(dateline.split(" — ")[0] if dateline else "")
    return "\n".join(
        [
            fonts.font_face_css(),
            ":root {",
            *props,
            "}",
            "@page {",
            f"  @bottom-center {{ content: counter(page, {folio_style}); }}",
            "}",
            # The running head is on every page but the first, which has the masthead.
            # (WeasyPrint 70 ignores "@page :not(:first)" entirely, hence the reset.)
            "@page {",
            f"  @top-right {{ content: {running}; }}",
            f"  @top-center {{ content: {running_date}; }}",
            f'  @top-left {{ content: "صفحة " counter(page, {folio_style}); }}',
            "}",
            "@page :first {",
            "  @top-right { content: none; } @top-center { content: none; }",
            "  @top-left { content: none; }",
            "}",
        ]
    )


def compose(article: Article, settings: Settings, layout: Layout, fonts: FontRegistry) -> Composed:
    """Render the layout's template for ``article``."""
    digits = settings.digits
    body = render_body(article.body, digits)
    warnings = [
        Problem(
            "article",
            f"raw HTML removed from the body: {snippet[:60]}",
            file=article.path,
            key="body",
            line=article.body_line + line - 1 if line else article.body_line,
        )
        for line, snippet in body.removed_html
    ]
    dateline = date_line(article, settings)
    context: dict[str, Any] = {
        "paper": {
            "name": settings.paper,
            "masthead": [{"role": m.role, "name": m.name} for m in settings.masthead],
        },
        "dateline": dateline,
        "article": {
            "headline": localize_digits(article.headline, digits),
            "kicker": localize_digits(article.kicker, digits),
            "deck": localize_digits(article.deck, digits),
            "byline": localize_digits(article.byline, digits),
            "section": localize_digits(article.section, digits),
            "date_iso": article.date.isoformat() if article.date else "",
            "tags": list(article.tags),
            "image": _image(article, digits),
            "body": Markup(body.html),  # markdown-it output, raw HTML removed
        },
        "layout": {"name": layout.name},
        "generated_css": Markup(generated_css(article, settings, layout, fonts, dateline)),
        "stylesheets": [path.as_uri() for path in layout.stylesheets],
    }
    html = layout.environment().get_template(layout.template).render(**context)
    return Composed(html=html, warnings=warnings)


def _image(article: Article, digits: str) -> dict[str, str] | None:
    if article.image is None:
        return None
    return {
        "src": article.image.src.as_uri() if article.image.src else "",
        "caption": localize_digits(article.image.caption, digits),
        "credit": localize_digits(article.image.credit, digits),
    }
