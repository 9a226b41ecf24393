"""(article or edition, paper settings, layout, fonts) → the page's HTML. Pure but templates.

Everything a template prints is prepared here: digits localised, dates formatted, font stacks
and the grid turned into CSS custom properties that the layout's stylesheet reads (and a
designer may override in CSS). For editions, ``plan`` says which words of each story's body
print in which box (the pipeline measures the laid-out boxes and composes again).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from sahifa.arabic import gregorian_line, hijri_line, localize_digits, to_hijri
from sahifa.content.article import Article
from sahifa.content.edition import Edition, EditionPage, Slot
from sahifa.css import css_string
from sahifa.errors import Problem, SahifaError
from sahifa.fonts import FontRegistry
from sahifa.geometry import PageGrid, page_grid
from sahifa.layouts import ROLES, Layout
from sahifa.markup import WordRange, render_body
from sahifa.settings import Settings


@dataclass(frozen=True)
class SlotTweak:
    """What copy-fitting changes in one box, within the designer's limits (``sahifa.copyfit``):
    the photo's height, the headline's size, the box's columns, the box's own height (a
    balanced ending: shorter columns in the same grid area)."""

    image_mm: float | None = None
    headline_pt: float | None = None
    column: int | None = None
    span: int | None = None
    height_mm: float | None = None


@dataclass
class Composed:
    """The HTML of a render and the warnings found while composing it."""

    html: str
    warnings: list[Problem]
    body_words: dict[str, int]  # words in each story's whole body, by story id


def date_parts(date: Any, hijri: Any, settings: Settings) -> list[str]:
    """The date line's parts as the paper prints them: Gregorian and/or Hijri."""
    if date is None:
        return []
    parts = []
    if settings.date_line in ("both", "gregorian"):
        parts.append(gregorian_line(date, settings.digits))
    if settings.date_line in ("both", "hijri"):
        parts.append(hijri_line(hijri or to_hijri(date), settings.digits))
    return parts


def generated_css(settings: Settings, layout: Layout, fonts: FontRegistry, run_date: str) -> str:
    """``@font-face`` rules, the layout's geometry and font stacks as custom properties, and
    the page furniture whose text comes from the paper (running head, folio, jump lines)."""
    stacks = {
        role: ", ".join(css_string(family) for family in layout.font_stack(role)) for role in ROLES
    }
    props = [f"  --font-{role}: {stack};" for role, stack in stacks.items()]
    for group in ("page", "grid", "image"):
        for key, value in (layout.settings.get(group) or {}).items():
            props.append(f"  --{group}-{key}: {value};")
    # Justification (sahifa.render.justify): kashida only where the layout asks for it and the
    # body face's manifest entry allows inserted tatweels.
    justify = str(layout.settings.get("justify", "kashida"))
    if fonts.justification(layout.font_stack("body")[0]) != "kashida":
        justify = "spaces"
    props.append(f"  --sahifa-justify: {justify};")
    props.append(f"  --sahifa-line-breaking: {layout.settings.get('line-breaking', 'paragraph')};")
    grid = page_grid(layout.settings)
    props += [
        f"  --page-content-height: {grid.height:.2f}mm;",
        # Fixed tracks only: sahifa.render skips WeasyPrint's costly sizing of flexible ones.
        f"  --grid-template-columns: repeat({grid.columns}, {grid.column_width():.3f}mm);",
    ]
    # Rows have fixed heights: a box's size must not depend on its text (WeasyPrint grows
    # flexible rows to fit content), so the text that does not fit can be measured. The first
    # row holds the masthead (front page) or the section banner (inside pages).
    for kind, header in grid.headers.items():
        row = grid.row_height(kind)
        props.append(f"  --grid-rows-{kind}: {header:.2f}mm repeat({grid.rows}, {row:.3f}mm);")
    # The page grid runs left-to-right (WeasyPrint 70 sizes and places RTL grid tracks
    # wrongly); compose mirrors each slot's columns so that column 1 is still the rightmost.
    spanning = f".grid-masthead, .grid-banner {{ grid-column: 1 / span {grid.columns}; }}"
    style = "arabic-indic" if settings.digits == "arabic-indic" else "decimal"
    folio = f"counter(page, {style})"
    return "\n".join(
        [
            fonts.font_face_css(),
            ":root {",
            *props,
            "}",
            # The running head is on every page but the first, which has the masthead.
            # (WeasyPrint 70 ignores "@page :not(:first)" entirely, hence the reset.)
            "@page {",
            f"  @bottom-center {{ content: {folio}; }}",
            f"  @top-right {{ content: {css_string(settings.paper)}; }}",
            "  @top-center { content: string(section); }",
            f"  @top-left {{ content: {css_string(run_date + ' — ' if run_date else '')}"
            f' "صفحة " {folio}; }}',
            "}",
            "@page :first {",
            "  @top-right { content: none; } @top-center { content: none; }",
            "  @top-left { content: none; }",
            "}",
            f".jump a::after {{ content: target-counter(attr(href url), page, {style}); }}",
            f".story-body ol, .slot ol {{ list-style-type: {style}; }}",
            spanning,
        ]
    )


def story_context(article: Article, digits: str, words: WordRange | None = None) -> dict[str, Any]:
    """What a template prints of one article (``words``: the part of the body in this box)."""
    body = render_body(article.body, digits, words)
    image = None
    if article.image is not None:
        image = {
            "src": article.image.src.as_uri() if article.image.src else "",
            "caption": localize_digits(article.image.caption, digits),
            "credit": localize_digits(article.image.credit, digits),
        }
    return {
        "id": article.name,
        "headline": localize_digits(article.headline, digits),
        "kicker": localize_digits(article.kicker, digits),
        "deck": localize_digits(article.deck, digits),
        "byline": localize_digits(article.byline, digits),
        "section": localize_digits(article.section, digits),
        "date_iso": article.date.isoformat() if article.date else "",
        "tags": list(article.tags),
        "image": image,
        "body": Markup(body.html),  # markdown-it output, raw HTML removed
        "words": body.words,
        "_removed": body.removed_html,
    }


def _removed_warnings(article: Article, removed: Sequence[tuple[int, str]]) -> list[Problem]:
    return [
        Problem(
            "article",
            f"raw HTML removed from the body: {snippet[:60]}",
            file=article.path,
            key="body",
            line=article.body_line + line - 1 if line else article.body_line,
        )
        for line, snippet in removed
    ]


def _base_context(
    settings: Settings,
    layout: Layout,
    fonts: FontRegistry,
    parts: list[str],
    paper: str,
    issue: str = "",
) -> dict[str, Any]:
    return {
        "paper": {
            "name": paper,
            "issue": localize_digits(issue, settings.digits),
            "masthead": [{"role": m.role, "name": m.name} for m in settings.masthead],
        },
        "dateline": " — ".join(parts),
        "layout": {"name": layout.name},
        "generated_css": Markup(generated_css(settings, layout, fonts, parts[0] if parts else "")),
        "stylesheets": [path.as_uri() for path in layout.stylesheets],
    }


def compose(article: Article, settings: Settings, layout: Layout, fonts: FontRegistry) -> Composed:
    """Render the layout's article template for one article."""
    story = story_context(article, settings.digits)
    parts = date_parts(article.date, article.hijri_date, settings)
    context = _base_context(settings, layout, fonts, parts, settings.paper)
    context["article"] = story
    html = layout.render(layout.template, context)
    return Composed(
        html, _removed_warnings(article, story["_removed"]), {article.name: story["words"]}
    )


def compose_edition(
    edition: Edition,
    settings: Settings,
    layout: Layout,
    fonts: FontRegistry,
    plan: dict[str, WordRange],
    tweaks: dict[str, SlotTweak] | None = None,
) -> Composed:
    """Render the layout's edition template: every page, every slot, ``plan``'s words, each
    box changed as ``tweaks`` says."""
    pages = edition_pages(edition, settings, layout, plan, tweaks)
    return Composed(edition_html(edition, settings, layout, fonts, pages.pages),
                    pages.warnings, pages.words)  # fmt: skip


@dataclass
class EditionPages:
    """What the edition template prints of each page and slot (``edition_pages``)."""

    pages: list[dict[str, Any]]
    warnings: list[Problem]
    words: dict[str, int]  # words in each story's whole body, by story id


def edition_pages(
    edition: Edition,
    settings: Settings,
    layout: Layout,
    plan: dict[str, WordRange],
    tweaks: dict[str, SlotTweak] | None = None,
) -> EditionPages:
    """The template context of every page and slot: ``plan``'s words, each box changed as
    ``tweaks`` says. A slot's context is all its box depends on besides the page (copy-fitting
    lays out only the boxes whose context changed: ``sahifa.fitting``)."""
    digits = settings.digits
    warnings: list[Problem] = []
    words: dict[str, int] = {}
    pages = []
    grid = page_grid(layout.settings)
    for page in edition.pages:
        _check_page_template(edition, page, layout)
        slots = []
        for slot in page.slots:
            _check_on_grid(edition, page.number, slot, grid, layout.name)
            tweak = (tweaks or {}).get(slot.id, SlotTweak())
            context = _slot_context(edition, slot, digits, plan, warnings, words)
            first = tweak.column or slot.column
            span = tweak.span or slot.span
            column = grid.columns - (first + span - 1) + 1  # mirrored: LTR grid
            # The explicit height matters for speed: WeasyPrint lays every grid item out
            # again to size the rows, and a multi-column box without a height is balanced
            # over and over (minutes for four pages); with it, each pass takes seconds.
            height = tweak.height_mm or slot_height(grid, page, slot)
            context["style"] = (
                f"grid-column: {column} / span {span}; "
                f"grid-row: {slot.row + 1} / span {slot.rows}; "
                f"height: {height:.3f}mm; columns: {span};"
            )
            if tweak.image_mm is not None:
                # The photo is cropped to the height (object-fit: cover), taller or shorter.
                context["style"] += f" --image-slot-height: {tweak.image_mm:.2f}mm;"
                context["image_style"] = f"height: {tweak.image_mm:.2f}mm; max-height: none;"
            if tweak.headline_pt is not None:
                context["headline_style"] = f"font-size: {tweak.headline_pt:g}pt;"
            slots.append(context)
        pages.append(
            {
                "number": page.number,
                "template": page.template,
                "section": localize_digits(page.section, digits),
                "slots": slots,
            }
        )
    return EditionPages(pages, warnings, words)


def edition_html(
    edition: Edition,
    settings: Settings,
    layout: Layout,
    fonts: FontRegistry,
    pages: list[dict[str, Any]],
) -> str:
    """The edition template's HTML of ``pages`` (``edition_pages``, or some of their slots)."""
    parts = date_parts(edition.date, edition.hijri_date, settings)
    context = _base_context(
        settings, layout, fonts, parts, edition.paper or settings.paper, edition.issue
    )
    context.update(pages=pages, date_iso=edition.date.isoformat() if edition.date else "")
    return layout.render("edition.html.j2", context)


def slot_height(grid: PageGrid, page: EditionPage, slot: Slot) -> float:
    """The height of a slot's grid area in mm (its rows and the gaps between them)."""
    kind = "front" if page.template == "front" else "inside"
    return slot.rows * grid.row_height(kind) + (slot.rows - 1) * grid.row_gap


def _check_page_template(edition: Edition, page: EditionPage, layout: Layout) -> None:
    """A page's ``template:`` is a name (checked when the edition was read) that the layout
    must have as ``pages/NAME.html.j2``."""
    if not layout.has_template(f"pages/{page.template}.html.j2"):
        known = sorted({p.name.removesuffix(".html.j2") for f in layout.folders
                        for p in (f / "pages").glob("*.html.j2")})  # fmt: skip
        raise SahifaError(
            "edition",
            f"page {page.number}: layout {layout.name!r} has no page template "
            f"{page.template!r} (known: {', '.join(known) or 'none'})",
            file=edition.path, key=f"pages[{page.number}].template", line=page.line,
        )  # fmt: skip


def _check_on_grid(edition: Edition, page: int, slot: Slot, grid: PageGrid, layout: str) -> None:
    columns, rows = grid.columns, grid.rows
    if slot.column + slot.span - 1 > columns or slot.row + slot.rows - 1 > rows:
        raise SahifaError(
            "edition",
            f"page {page}: story {slot.id!r} (column {slot.column}, span {slot.span}, row "
            f"{slot.row}, rows {slot.rows}) does not fit layout {layout!r}'s grid of "
            f"{columns} columns x {rows} rows",
            file=edition.path,
            line=slot.line,
        )


def _slot_context(
    edition: Edition,
    slot: Slot,
    digits: str,
    plan: dict[str, WordRange],
    warnings: list[Problem],
    words: dict[str, int],
) -> dict[str, Any]:
    stories = []
    if slot.kind == "continued":
        found = edition.slot(slot.continues)
        assert found is not None  # checked when the edition was read
        source = found[1]
        # Until the source box has been measured the continuation holds nothing.
        stories.append(
            story_context(source.articles[0], digits, plan.get(slot.id, WordRange(0, 0)))
        )
    else:
        articles = slot.articles
        if slot.kind == "briefs" and slot.id in plan:  # briefs are cut whole
            articles = articles[: plan[slot.id].end]
        for article in articles:
            story = story_context(
                article, digits, plan.get(slot.id) if slot.kind == "story" else None
            )
            warnings += _removed_warnings(article, story.pop("_removed"))
            stories.append(story)
        words[slot.id] = sum(s["words"] for s in stories)
    return {
        "id": slot.id,
        "anchor": f"story-{slot.id}",
        "kind": slot.kind,
        "title": localize_digits(slot.title, digits),
        "size": "normal" if slot.size == "auto" else slot.size,
        "span": slot.span,
        "stories": stories,
        "jump_to": f"story-{slot.id}-continued" if slot.overflow == "continue" else "",
        "jump_from": f"story-{slot.continues}" if slot.kind == "continued" else "",
        # The story a continuation belongs to: one Art in the tagged PDF (render.structure).
        "continues": slot.continues if slot.kind == "continued" else "",
        "headline_style": "",
        "image_style": "",
    }
