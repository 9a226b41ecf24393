"""The designers' CSS reference, generated from what the built-in layouts really compose.

    .venv/bin/python scripts/css_reference.py > reference.md   # the page, on its own

It is also the MkDocs hook (``hooks:`` in mkdocs.yml) that adds the page to the guide on every
build, so the reference cannot drift from the layouts: the sample article and the sample
edition are composed through the real pipeline (``sahifa.pipeline.prepare``) in every built-in
layout; the custom properties are read from the composed HTML, the classes from the HTML and
from the templates, the uses from the stylesheets. A class or property without a description
here, a description of one that no longer exists, or a ``var(--…)`` that nothing declares stops
the build with a message that says which.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
LAYOUTS = REPO / "layouts"
SAMPLE_ARTICLE = REPO / "articles/2023/05/02/wahdat-al-jabahat.yaml"
SAMPLE_EDITION = REPO / "articles/2023/05/02/edition.yaml"
PAGE = "designers/css-reference.md"  # where the page goes in the guide

# What each generated custom property is. Keys are the layout.yaml setting the value comes
# from (group.key) or, for values sahifa computes, the property itself.
PROPERTIES = {
    "page.size": "The paper size (`@page { size }`): A3, A4, or two lengths.",
    "page.margin": "The page margins (top, right, bottom, left).",
    "page.inner": "Facing pages: the margin on the spine side (`@page :left/:right`).",
    "page.outer": "Facing pages: the margin on the outer side.",
    "grid.columns": "Columns of the page grid (editions) and of an article's body.",
    "grid.rows": "Edition pages: story rows under the masthead or section banner.",
    "grid.gap": "The gap between grid columns and between text columns.",
    "grid.row-gap": "The gap between grid rows.",
    "grid.masthead": "Front page: the height of the first row, which holds the masthead.",
    "grid.banner": "Inside and back pages: the height of the first row (the section banner).",
    "grid.rule": "The width of the column rules.",
    "image.height": "An article's lead image height.",
    "image.slot-height": "Edition boxes: the tallest a lead image may be.",
    "--sahifa-justify": "How justified body text is stretched: `kashida` (tatweels at each "
    "word's one site, then word spaces) where layout.yaml's `justify:` asks for it and the body "
    "face's entry in `fonts/fonts.yaml` has `justify: kashida`, else `spaces` (computed; "
    "inherited, so a rule may set it per element).",
    "--sahifa-line-breaking": "Justified text: `paragraph` (breaks chosen for the whole "
    "paragraph, kashida counted as stretch) or `greedy` (line by line), from layout.yaml's "
    "`line-breaking:`.",
    "image.min-height": "Copy-fitting: the shortest photo a fix may choose (edition boxes).",
    "image.max-height": "Copy-fitting: the tallest photo a fix may choose (edition boxes).",
    "--page-content-height": "The page grid's height: the paper less the top and bottom "
    "margins (computed).",
    "--grid-template-columns": "The grid's column tracks, fixed widths in mm (computed; "
    "sahifa mirrors each story onto this left-to-right grid so column 1 is the rightmost).",
    "--grid-rows-front": "Front page rows: the masthead row, then `grid.rows` equal fixed rows "
    "(computed).",
    "--grid-rows-inside": "Inside and back page rows: the banner row, then `grid.rows` equal "
    "fixed rows (computed).",
}

# What each class the templates emit is. A key ending in "*" covers the classes that a
# template builds from a value (``slot-{{ slot.kind }}``).
CLASSES = {
    "layout-*": "On `<body>`: the layout's name, so one stylesheet can serve several layouts.",
    "edition": "On `<body>` of an edition (absent for a single article).",
    "masthead": "The masthead: credits, issue number, nameplate and date line.",
    "masthead-credits": "The editors' credits, at the start (right) corner of the masthead.",
    "credit": "One credit line of the masthead, and an image's credit inside `figcaption`.",
    "role": "A credit's role (رئيس التحرير …).",
    "name": "A credit's name.",
    "masthead-issue": "The issue number (العدد …), at the end (left) corner.",
    "number": "The issue number itself, inside `.masthead-issue`.",
    "nameplate": "The paper's name, from `sahifa.yaml` or the edition's `paper:`.",
    "dateline": "The Gregorian and Hijri date line.",
    "story": "A single article's `<article>`.",
    "story-head": "A story's head: section, kicker, headline, deck, byline.",
    "section": "A single article's section label; its text also runs in the page head.",
    "kicker": "The small line above the headline.",
    "headline": "The headline (never justified).",
    "deck": "The standfirst under the headline (not printed in `size-small` boxes).",
    "byline": "The byline.",
    "lead-image": "The lead image's `<figure>` with its `figcaption`.",
    "placeholder": "The framed placeholder drawn for an image with a caption and no `src`.",
    "story-body": "A single article's body, set in `--grid-columns` columns.",
    "run-in": "A body paragraph that opens with a bold run-in head (from the body Markdown).",
    "run-in-head": "The bold run-in head itself.",
    "address": "A URL or e-mail address, isolated left to right (from the body Markdown).",
    "page": "One edition page (`<section>`); a page break follows each.",
    "page-*": "The page's template: `page-front`, `page-inside`, `page-back`.",
    "page-grid": "The page's grid (laid out left to right; see `--grid-template-columns`).",
    "grid-masthead": "Front page: the masthead's cell, across the first row.",
    "grid-banner": "Inside and back pages: the section banner's cell, across the first row.",
    "page-section": "The section banner's title; its text also runs in the page head.",
    "slot": "A box on the page grid; itself the multi-column element (`columns` = its span).",
    "slot-*": "The box's kind: `slot-story`, `slot-continued` (the rest of a story), "
    "`slot-briefs` (a column of briefs).",
    "size-*": "The box's headline size, from the slot's `size:`: `size-lead`, `size-normal`, "
    "`size-small`.",
    "continued-head": "The head of a continued story: its headline and the jump line.",
    "jump": "A jump line; the page number comes from `target-counter()`.",
    "jump-to": "Where a story breaks: التتمة ص …",
    "jump-from": "Where a story resumes: بقية المنشور ص …",
    "briefs-title": "The title of a column of briefs (the slot's `title:`).",
    "brief": "One brief in a column of briefs.",
    "brief-headline": "A brief's headline (each brief gets a PDF bookmark).",
}

# Classes the body Markdown emits (sahifa.markup), not the templates.
MARKUP_CLASSES = {"run-in", "run-in-head", "address"}


class DriftError(Exception):
    """The layouts and this reference disagree: the message says how."""


class _Classes(HTMLParser):
    """Every class token of an HTML document."""

    def __init__(self) -> None:
        super().__init__()
        self.found: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "class" and value:
                self.found.update(value.split())


@dataclass
class Composed:
    """One built-in layout, as the samples compose in it."""

    name: str
    description: str
    extends: str
    properties: dict[str, str]  # declared by the generated CSS, in order
    settings: dict[str, Any]  # the merged layout.yaml
    stylesheets: list[Path]
    templates: list[Path]
    classes: dict[str, set[str]] = field(default_factory=dict)  # sample kind → classes
    edition_error: str = ""  # the sample edition does not compose in this layout


def builtin_layouts(layouts: Path = LAYOUTS) -> list[str]:
    """The layouts meant for use: every folder of ``layouts`` whose layout.yaml extends
    another (``base`` only holds what they share)."""
    names = []
    for config in sorted(layouts.glob("*/layout.yaml")):
        if (yaml.safe_load(config.read_text(encoding="utf-8")) or {}).get("extends"):
            names.append(config.parent.name)
    # The default layout first, then the others by name.
    return sorted(names, key=lambda name: (name != "tabloid", name))


def declared_properties(html: str) -> dict[str, str]:
    """The custom properties the generated CSS declares in ``:root``, with their values."""
    root = re.search(r"^:root \{\n(.*?)^\}", html, re.M | re.S)
    if root is None:
        raise DriftError("the composed HTML has no ':root {' block of generated properties")
    return dict(re.findall(r"^\s*(--[\w-]+):\s*(.*?);\s*$", root.group(1), re.M))


def classes_of(html: str) -> set[str]:
    parser = _Classes()
    parser.feed(html)
    return parser.found


def css_uses(css: str) -> tuple[dict[str, list[str]], dict[str, str]]:
    """``var(--x)`` uses by property (the rule's selector, at-rules included) and ``--x:``
    declarations, of one stylesheet. A small block walker: the layouts' CSS has no strings
    or URLs with braces in them."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    uses: dict[str, list[str]] = {}
    declared: dict[str, str] = {}
    stack: list[str] = []
    text = ""

    def declaration(text: str) -> None:
        own = re.match(r"\s*(--[\w-]+)\s*:(.*)", text, re.S)
        if own:
            declared[own.group(1)] = " ".join(own.group(2).split())
        for name in re.findall(r"var\(\s*(--[\w-]+)", text):
            where = " ".join(stack)
            if where not in uses.setdefault(name, []):
                uses[name].append(where)

    for char in css:
        if char == "{":
            stack.append(" ".join(text.split()))
            text = ""
        elif char in ";}":
            declaration(text)
            text = ""
            if char == "}" and stack:
                stack.pop()
        else:
            text += char
    return uses, declared


def template_classes(templates: Iterable[Path]) -> dict[str, list[str]]:
    """The classes each template writes: literal ones, and ``prefix-*`` for those built
    from a value."""
    found: dict[str, list[str]] = {}
    for template in templates:
        source = template.read_text(encoding="utf-8")
        for value in re.findall(r'class="([^"]*)"', source):
            for token in re.sub(r"\{\{.*?\}\}", "*", value).split():
                found.setdefault(token, [])
                if template.name not in found[token]:
                    found[token].append(template.name)
    return found


def compose_layout(name: str) -> Composed:
    """Compose the samples in layout ``name`` through the real pipeline."""
    from sahifa.errors import SahifaError
    from sahifa.pipeline import RenderJob, prepare

    article = prepare(RenderJob(source=SAMPLE_ARTICLE, layout=name, root=REPO))
    layout = article.layout
    config = yaml.safe_load((layout.folders[0] / "layout.yaml").read_text(encoding="utf-8"))
    templates = sorted({t for folder in layout.folders for t in folder.rglob("*.j2")})
    composed = Composed(
        name=name,
        description=str(config.get("description", "")),
        extends=str(config.get("extends", "")),
        properties=declared_properties(article.html),
        settings=layout.settings,
        stylesheets=layout.stylesheets,
        templates=templates,
    )
    composed.classes["article"] = classes_of(article.html)
    try:
        edition = prepare(RenderJob(source=SAMPLE_EDITION, layout=name, root=REPO))
    except SahifaError as exc:  # e.g. a 5-column front page on a 3-column grid
        composed.edition_error = str(exc)
    else:
        if declared_properties(edition.html) != composed.properties:
            raise DriftError(f"layout {name}: the article and the edition declare different "
                             "custom properties")  # fmt: skip
        composed.classes["edition"] = classes_of(edition.html)
    return composed


def _doc_key(name: str, docs: dict[str, str]) -> str | None:
    """The description key of a class or property: itself, else the pattern covering it."""
    if name in docs:
        return name
    patterns = [key for key in docs if key.endswith("*") and name.startswith(key[:-1])]
    return max(patterns, key=len) if patterns else None


def _source(prop: str, settings: dict[str, Any]) -> str:
    """The layout.yaml setting a property's value comes from ("" when sahifa computes it)."""
    for group in ("page", "grid", "image"):
        key = prop.removeprefix(f"--{group}-")
        if key != prop and key in (settings.get(group) or {}):
            return f"{group}.{key}"
    return ""


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _code(items: Iterable[str]) -> str:
    return ", ".join(f"`{item}`" for item in items)


def generate(layouts: list[Composed]) -> str:
    """The reference page (Markdown) for ``layouts``; raises ``DriftError``."""
    names = [layout.name for layout in layouts]
    lines = [
        "# CSS reference",
        "",
        "<!-- Generated by scripts/css_reference.py on every build of the guide: "
        "do not edit. -->",
        "",
        "This page is written while the guide is built: the sample article "
        f"(`{SAMPLE_ARTICLE.relative_to(REPO)}`) and the sample edition "
        f"(`{SAMPLE_EDITION.relative_to(REPO)}`) are composed in every built-in layout "
        "through the real pipeline, and the custom properties and classes below are read "
        "from the composed HTML, the templates and the stylesheets. A property or class "
        "without a description, or a `var(--…)` nothing declares, fails the build.",
        "",
        "## Built-in layouts",
        "",
        "| layout | extends | what it is | page | grid |",
        "|---|---|---|---|---|",
    ]
    for layout in layouts:
        grid = layout.settings.get("grid", {})
        lines.append(
            f"| `{layout.name}` | `{layout.extends}` | {_cell(layout.description)} | "
            f"{_cell(str(layout.settings['page']['size']))} | "
            f"{grid.get('columns')} columns × {grid.get('rows')} rows |"
        )
    for layout in layouts:
        if layout.edition_error:
            lines += ["", f"The sample edition does not compose in `{layout.name}` "
                      f"(`{_cell(layout.edition_error)}`): its classes come from the article "
                      "and the templates."]  # fmt: skip
    lines += ["", *_properties(layouts, names), "", *_classes(layouts)]
    return "\n".join(lines) + "\n"


def _properties(layouts: list[Composed], names: list[str]) -> list[str]:
    first = layouts[0]
    order = list(first.properties)
    for layout in layouts[1:]:
        order += [prop for prop in layout.properties if prop not in order]
    uses: dict[str, list[str]] = {}
    overrides: dict[tuple[str, str], str] = {}  # (layout, property) → stylesheet value
    for layout in layouts:
        for sheet in layout.stylesheets:
            sheet_uses, declared = css_uses(sheet.read_text(encoding="utf-8"))
            label = f"{sheet.parent.name}/{sheet.name}"
            for prop, selectors in sheet_uses.items():
                for selector in selectors:
                    entry = f"`{selector or ':root'}` ({label})"
                    if entry not in uses.setdefault(prop, []):
                        uses[prop].append(entry)
            for prop, value in declared.items():
                overrides[layout.name, prop] = f"{value} ({label})"
    undeclared = sorted(set(uses) - set(order) - {prop for _, prop in overrides})
    if undeclared:
        raise DriftError(f"the stylesheets read custom properties nothing declares: "
                         f"{', '.join(undeclared)}")  # fmt: skip
    geometry = [
        "## Custom properties",
        "",
        "Declared in `:root` by the generated CSS (`sahifa.compose.generated_css`) from the "
        "layout's `layout.yaml`; a layout's `style.css` may override any of them. Values are "
        "the composed ones of each built-in layout; *read by* lists the rules of the "
        "stylesheets that use the property.",
        "",
        "### Page, grid and image",
        "",
        f"| property | {' | '.join(f'`{n}`' for n in names)} | set by | what it is | read by |",
        "|---|" + "---|" * len(names) + "---|---|---|",
    ]
    fonts = [
        "### Font stacks",
        "",
        "One per role: `fonts.ROLE` in `layout.yaml`, families of the pinned fonts "
        "(`fonts/fonts.yaml`) only.",
        "",
        f"| property | {' | '.join(f'`{n}`' for n in names)} | read by |",
        "|---|" + "---|" * len(names) + "---|",
    ]
    for prop in order:
        values = []
        for layout in layouts:
            value = layout.properties.get(prop, "—")
            if (layout.name, prop) in overrides:
                value = f"{value}; overridden: {overrides[layout.name, prop]}"
            values.append(_cell(value))
        read_by = "<br>".join(uses.get(prop, [])) or "—"
        if prop.startswith("--font-"):
            fonts.append(f"| `{prop}` | {' | '.join(values)} | {_cell(read_by)} |")
            continue
        setting = _source(prop, first.settings)
        doc = PROPERTIES.get(setting or prop)
        if doc is None:
            raise DriftError(f"custom property {prop} has no description in "
                             f"scripts/css_reference.py PROPERTIES")  # fmt: skip
        source = f"`{setting}`" if setting else "sahifa"
        geometry.append(f"| `{prop}` | {' | '.join(values)} | {source} | {_cell(doc)} | "
                        f"{_cell(read_by)} |")  # fmt: skip
    known = {_source(p, first.settings) or p for p in order}
    stale = sorted(set(PROPERTIES) - known)
    if stale:
        raise DriftError(f"scripts/css_reference.py describes properties no layout declares: "
                         f"{', '.join(stale)}")  # fmt: skip
    return [*geometry, "", *fonts]


def _classes(layouts: list[Composed]) -> list[str]:
    emitted: dict[str, set[str]] = {}  # class → sample kinds it appears in
    for layout in layouts:
        for kind, classes in layout.classes.items():
            for name in classes:
                emitted.setdefault(name, set()).add(kind)
    in_templates = template_classes({t for layout in layouts for t in layout.templates})
    rows: dict[str, dict[str, Any]] = {}
    for name in sorted({*emitted, *in_templates}):
        key = _doc_key(name, CLASSES)
        if key is None:
            raise DriftError(f"class {name!r} has no description in scripts/css_reference.py "
                             "CLASSES")  # fmt: skip
        row = rows.setdefault(key, {"names": [], "kinds": set(), "from": []})
        if "*" not in name:
            row["names"].append(name)
        row["kinds"] |= emitted.get(name, set())
        for template in in_templates.get(name, []):
            if template not in row["from"]:
                row["from"].append(template)
        if name in MARKUP_CLASSES:
            row["from"].append("the body (`sahifa.markup`)")
    stale = sorted(set(CLASSES) - set(rows))
    if stale:
        raise DriftError(f"scripts/css_reference.py describes classes nothing emits: "
                         f"{', '.join(stale)}")  # fmt: skip
    lines = [
        "## Classes",
        "",
        "Every class the templates (`layouts/base/*.j2`, `layouts/base/pages/*.j2`) and the "
        "body Markdown write. *In* says where the samples' composed HTML has it (a dash: "
        "written by a template in a case the samples do not show).",
        "",
        "| class | written by | in | what it is |",
        "|---|---|---|---|",
    ]
    for key in sorted(rows, key=lambda k: k.replace("*", "")):
        row = rows[key]
        shown = _code(row["names"]) if row["names"] else f"`{key}`"
        written = ", ".join(f"`{t}`" if t.endswith(".j2") else t for t in row["from"])
        kinds = ", ".join(sorted(row["kinds"])) or "—"
        lines.append(f"| {shown} | {written} | {kinds} | {_cell(CLASSES[key])} |")
    return lines


def reference() -> str:
    """The whole page, from the layouts of this repository."""
    return generate([compose_layout(name) for name in builtin_layouts()])


def on_files(files: Any, config: Any) -> Any:
    """MkDocs hook: add the generated page to the build (nothing is written into docs/)."""
    from mkdocs.exceptions import PluginError
    from mkdocs.structure.files import File

    try:
        content = reference()
    except DriftError as exc:
        raise PluginError(f"CSS reference: {exc}") from None
    files.append(File.generated(config, PAGE, content=content))
    return files


if __name__ == "__main__":
    sys.stdout.write(reference())
