"""Layouts: folders of Jinja2 templates, a stylesheet and ``layout.yaml``.

A layout may ``extends:`` another and override only what it changes: its settings are merged
over the parent's, its stylesheet is applied after the parent's, and its templates shadow the
parent's (a precedence list fed to one Jinja2 ``FileSystemLoader``, as MkDocs themes do).

Layout names are names, never paths (``sahifa.trust``): ``load_layout`` is the one resolver,
and it looks in the project's ``layouts/`` only. Templates run in Jinja2's immutable sandbox,
even though layouts are trusted: a template can print what it is given, never reach Python.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import jinja2.sandbox

from sahifa import builtin, schema
from sahifa.content.yamlfile import YamlMap, parse_yaml, read_text
from sahifa.errors import ConfigError, SahifaError
from sahifa.fonts import FontRegistry
from sahifa.geometry import page_size_mm
from sahifa.trust import BUILTIN_PREFIX, check_name

LAYOUT_FILE = "layout.yaml"
STYLESHEET = "style.css"
ROLES = ("body", "headline", "subhead", "caption", "masthead", "folio")


def _page_size(value: Any, found: schema.Found, key: str, line: int | None) -> str:
    try:
        page_size_mm(str(value))
    except ConfigError as exc:
        raise schema.Invalid(exc.problem.message.removeprefix("page size: ")) from None
    return str(value)


def _template_file(value: Any, found: schema.Found, key: str, line: int | None) -> str:
    if not (isinstance(value, str) and re.fullmatch(r"[A-Za-z0-9_-]+\.html\.j2", value)):
        raise schema.Invalid(f"expected a template file name such as article.html.j2, got "
                             f"{schema.describe(value)}")  # fmt: skip
    return value


_LENGTH = schema.Field(schema.lengths())
# layout.yaml: configuration, so an unknown key fails; sparse, since a layout that extends
# another writes only what it changes.
LAYOUT_SCHEMA = schema.Schema({
    "description": schema.Field(schema.text()),
    "extends": schema.Field(schema.layout_name),
    "template": schema.Field(_template_file, doc="the article template (article.html.j2)"),
    "page": schema.Field(schema.mapping(schema.Schema({
        "size": schema.Field(_page_size, doc="A3, A4 landscape, 380mm 578mm"),
        "margin": schema.Field(schema.lengths((1, 4))),
        "inner": _LENGTH, "outer": _LENGTH,
    }, sparse=True))),
    "grid": schema.Field(schema.mapping(schema.Schema({
        "columns": schema.Field(schema.whole(1, 24)), "rows": schema.Field(schema.whole(1, 60)),
        "gap": _LENGTH, "row-gap": _LENGTH, "masthead": _LENGTH, "banner": _LENGTH,
        "rule": _LENGTH,
    }, sparse=True))),
    "image": schema.Field(schema.mapping(schema.Schema(
        {"height": _LENGTH, "slot-height": _LENGTH, "min-height": _LENGTH,
         "max-height": _LENGTH}, sparse=True))),
    # Copy-fitting (sahifa.copyfit): the headline sizes a box may take (size: auto, and the
    # fixes check offers), and the body lines every story must show on its page.
    "headline": schema.Field(schema.mapping(schema.Schema({
        "scale": schema.Field(schema.list_of(schema.lengths(), nonempty=True,
                                             what="headline sizes such as 28pt")),
        "max-lines": schema.Field(schema.whole(1, 12)),
    }, sparse=True))),
    "fitting": schema.Field(schema.mapping(schema.Schema({
        "min-body-lines": schema.Field(schema.whole(0, 200), doc="per column of the box"),
        "min-body-lines-total": schema.Field(schema.whole(0, 1000)),
    }, sparse=True))),
    "justify": schema.Field(schema.choice("kashida", "spaces"),
                            doc="justified body text: kashida where the body font allows, "
                                "or word spaces only"),
    "line-breaking": schema.Field(schema.choice("paragraph", "greedy"),
                                  doc="justified text: breaks chosen for the whole paragraph, "
                                      "or line by line"),
    "fonts": schema.Field(schema.mapping(schema.Schema(
        {role: schema.Field(schema.list_of(schema.text(), nonempty=True, what="font families"))
         for role in ROLES}, sparse=True))),
}, sparse=True)  # fmt: skip


class _ChainLoader(jinja2.FileSystemLoader):
    """Templates from a layout chain's folders, own first. A compiled template stays valid
    while its file is unchanged and no folder before it in the chain gained a file of that
    name (a local layout overriding its parent's template, saved during a preview)."""

    def get_source(self, environment: jinja2.Environment, template: str) -> Any:
        source, filename, uptodate = super().get_source(environment, template)
        folders = [Path(f) for f in self.searchpath]
        found = Path(filename)
        mine = next((i for i, f in enumerate(folders) if found.is_relative_to(f)), 0)
        earlier = [folder / template for folder in folders[:mine]]

        def still_uptodate() -> bool:
            return bool(uptodate()) and not any(path.is_file() for path in earlier)

        return source, filename, still_uptodate


# The Jinja2 environments by layout chain (its folders), for ``Layout.environment``.
_environments: dict[tuple[str, ...], jinja2.Environment] = {}


@dataclass(frozen=True)
class Layout:
    """A resolved layout: its chain of folders (own first) and merged settings."""

    name: str
    folders: tuple[Path, ...]
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def stylesheets(self) -> list[Path]:
        """Stylesheets from the base layout to this one: later ones override."""
        return [f / STYLESHEET for f in reversed(self.folders) if (f / STYLESHEET).is_file()]

    @property
    def template(self) -> str:
        return str(self.settings.get("template", "article.html.j2"))

    def font_stack(self, role: str) -> list[str]:
        return list(self.settings["fonts"][role])

    def environment(self) -> jinja2.Environment:
        """A sandboxed Jinja2 environment that autoescapes every template and fails on unknown
        names. The immutable sandbox refuses attributes such as ``__globals__`` and calls that
        change data: defence in depth should a hostile template ever reach ``layouts/``.

        One per layout chain and process: its compiled templates are reused by every render
        (a batch worker's items, an edition's stories, the preview's renders), and Jinja2
        compiles a template again when its file changes (``auto_reload``)."""
        key = tuple(str(f) for f in self.folders)
        environment = _environments.get(key)
        if environment is None:
            environment = _environments[key] = jinja2.sandbox.ImmutableSandboxedEnvironment(
                loader=_ChainLoader(list(key)),
                autoescape=True,  # every template, whatever its extension
                undefined=jinja2.StrictUndefined,
                trim_blocks=True,
                lstrip_blocks=True,
                auto_reload=True,
            )
        return environment


    def has_template(self, name: str) -> bool:
        return any((folder / name).is_file() for folder in self.folders)

    def render(self, template: str, context: dict[str, Any]) -> str:
        """Render ``template`` with ``context``; any template problem is one error line
        naming the template file and line (never a traceback)."""
        try:
            return self.environment().get_template(template).render(**context)
        except jinja2.TemplateNotFound as exc:
            raise ConfigError(
                f"layout {self.name!r} has no template {exc.name!r}", file=self.folders[0]
            ) from None
        except jinja2.TemplateSyntaxError as exc:
            raise SahifaError("template", f"syntax error: {exc.message}",
                              file=exc.filename or template, line=exc.lineno) from None  # fmt: skip
        except jinja2.sandbox.SecurityError as exc:
            file, line = _template_frame(exc, template)
            raise SahifaError("template", f"refused by the template sandbox: {exc}",
                              file=file, line=line) from None  # fmt: skip
        except jinja2.TemplateError as exc:
            file, line = _template_frame(exc, template)
            raise SahifaError("template", str(exc) or type(exc).__name__,
                              file=file, line=line) from None  # fmt: skip


def _template_frame(exc: BaseException, template: str) -> tuple[str, int | None]:
    """The template file and line where ``exc`` happened: Jinja2 rewrites tracebacks so that
    a template's frames carry the template's file name and line."""
    file, line = template, None
    tb = exc.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.endswith(".j2"):
            file, line = name, tb.tb_lineno
        tb = tb.tb_next
    return file, line


@dataclass(frozen=True)
class NamedIn:
    """Where a layout name was written, for the error that names it: an edition's
    ``layout:``, a layout's ``extends:`` (nothing: the command line or ``sahifa.yaml``)."""

    file: Path | None = None
    key: str | None = None
    line: int | None = None


def load_layout(
    layouts_dir: Path, name: str, fonts: FontRegistry, named_in: NamedIn = NamedIn()
) -> Layout:
    """Resolve layout ``name`` and its parents; validate the font roles against ``fonts``.

    The one layout-name resolver. A name (``sahifa.trust``) is looked up in the project's
    ``layouts/`` first, then among the layouts that ship with sahifa (``sahifa.builtin``);
    ``builtin:NAME`` names a built-in one only, so a project's own ``tabloid`` can extend the
    built-in ``tabloid``. A built-in layout's own parents are built-in."""
    where = named_in
    chain: list[tuple[Path, dict[str, Any]]] = []
    current: str | None = name
    in_builtin = False
    while current is not None:
        folder, in_builtin = _find(layouts_dir, current, in_builtin, where)
        if any(folder == f for f, _ in chain):
            raise ConfigError(f"layout {name!r} extends itself through {current!r}",
                              file=where.file, key=where.key, line=where.line)  # fmt: skip
        config = folder / LAYOUT_FILE
        raw = parse_yaml(read_text(config, category="config"), config, category="config")
        data, _ = schema.read(LAYOUT_SCHEMA, YamlMap() if raw is None else raw, config,
                              "config")  # fmt: skip
        chain.append((folder, data))
        where = NamedIn(config, "extends", raw.line_of("extends") if raw else None)
        current = data.get("extends") or None
    settings: dict[str, Any] = {}
    for _, data in reversed(chain):
        settings = _merge(settings, data)
    layout = Layout(name=name, folders=tuple(f for f, _ in chain), settings=settings)
    _check_fonts(layout, chain[0][0] / LAYOUT_FILE, fonts)
    return layout


def _find(layouts_dir: Path, name: str, in_builtin: bool, where: NamedIn) -> tuple[Path, bool]:
    """The folder of layout ``name``, and whether it is a built-in one."""
    _check_layout_name(name, where)
    plain = name.removeprefix(BUILTIN_PREFIX)
    places = [] if name.startswith(BUILTIN_PREFIX) or in_builtin else [(layouts_dir, False)]
    places.append((builtin.layouts_dir(), True))
    for folder, is_builtin in places:
        if (folder / plain / LAYOUT_FILE).is_file():
            return folder / plain, is_builtin
    known = sorted(p.name for p in layouts_dir.iterdir() if (p / LAYOUT_FILE).is_file()) \
        if layouts_dir.is_dir() else []
    shipped = sorted(p.name for p in builtin.layouts_dir().iterdir()
                     if (p / LAYOUT_FILE).is_file())  # fmt: skip
    raise ConfigError(
        f"no layout {name!r} in {layouts_dir} (known: {', '.join(known) or 'none'}; built in: "
        f"{', '.join(shipped)})", file=where.file, key=where.key, line=where.line,
    )  # fmt: skip


def _check_layout_name(name: object, where: NamedIn) -> None:
    plain = name.removeprefix(BUILTIN_PREFIX) if isinstance(name, str) else name
    check_name(plain, what="a layout", category="config", file=where.file, key=where.key,
               line=where.line)  # fmt: skip


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _check_fonts(layout: Layout, config: Path, fonts: FontRegistry) -> None:
    roles = layout.settings.get("fonts")
    if not isinstance(roles, dict):
        raise ConfigError("a layout needs 'fonts:' with a stack per role", file=config)
    known = set(fonts.families)
    for role in ROLES:
        stack = roles.get(role)
        if not isinstance(stack, list) or not stack:
            raise ConfigError(
                f"font role {role!r} needs a list of families", file=config, key="fonts"
            )
        for family in stack:
            if family not in known:
                raise ConfigError(
                    f"font role {role!r} names {family!r}, which is not in the font manifest "
                    f"(pinned families: {', '.join(sorted(known))})",
                    file=config,
                    key=f"fonts.{role}",
                )
