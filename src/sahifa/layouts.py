"""Layouts: folders of Jinja2 templates, a stylesheet and ``layout.yaml``.

A layout may ``extends:`` another and override only what it changes: its settings are merged
over the parent's, its stylesheet is applied after the parent's, and its templates shadow the
parent's (a precedence list fed to one Jinja2 ``FileSystemLoader``, as MkDocs themes do).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from sahifa.content.yamlfile import YamlMap, parse_yaml, read_text
from sahifa.errors import ConfigError
from sahifa.fonts import FontRegistry

LAYOUT_FILE = "layout.yaml"
STYLESHEET = "style.css"
ROLES = ("body", "headline", "subhead", "caption", "masthead", "folio")
KNOWN_KEYS = {"description", "extends", "page", "grid", "fonts", "image", "template"}


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
        """A Jinja2 environment that autoescapes every template and fails on unknown names."""
        return jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(f) for f in self.folders]),
            autoescape=True,  # every template, whatever its extension
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )


def load_layout(layouts_dir: Path, name: str, fonts: FontRegistry) -> Layout:
    """Resolve layout ``name`` and its parents; validate the font roles against ``fonts``."""
    chain: list[tuple[Path, YamlMap]] = []
    current: str | None = name
    while current is not None:
        folder = layouts_dir / current
        if any(folder == f for f, _ in chain):
            raise ConfigError(f"layout {name!r} extends itself through {current!r}")
        config = folder / LAYOUT_FILE
        if not config.is_file():
            known = sorted(p.name for p in layouts_dir.iterdir() if (p / LAYOUT_FILE).is_file())
            raise ConfigError(
                f"no layout {current!r} in {layouts_dir} (known: {', '.join(known) or 'none'})"
            )
        data = parse_yaml(read_text(config, category="config"), config, category="config")
        if data is None:
            data = YamlMap()
        if not isinstance(data, YamlMap):
            raise ConfigError("expected a mapping of layout settings", file=config, line=1)
        for key in data:
            if key not in KNOWN_KEYS:
                raise ConfigError(
                    "unknown layout key", file=config, key=key, line=data.line_of(key)
                )
        chain.append((folder, data))
        parent = data.get("extends")
        current = parent if isinstance(parent, str) and parent else None
    settings: dict[str, Any] = {}
    for _, data in reversed(chain):
        settings = _merge(settings, data)
    layout = Layout(name=name, folders=tuple(f for f, _ in chain), settings=settings)
    _check_fonts(layout, chain[0][0] / LAYOUT_FILE, fonts)
    return layout


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
