"""Newspaper settings from ``sahifa.yaml`` at the project root, and finding that root.

A project is a folder with ``sahifa.yaml``, ``layouts/``, ``fonts/`` and articles. The root is
found by walking up from the input file (so an article anywhere in the tree renders with its
paper's settings), then from the working directory.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from sahifa import __version__, schema
from sahifa.content.yamlfile import parse_yaml, read_text
from sahifa.errors import ConfigError, Problem
from sahifa.press.config import PressSettings, read_press
from sahifa.trust import SETTINGS_FILE

DIGIT_STYLES = ("arabic-indic", "western")
DATE_LINE_STYLES = ("both", "gregorian", "hijri")


@dataclass(frozen=True)
class Limits:
    """What one render may cost; an archive of unknown files must not hang or fill a disk."""

    render_seconds: int = 300
    pages: int = 300
    output_mb: int = 200
    image_megapixels: int = 80


@dataclass(frozen=True)
class Remote:
    """``remote:``: internal networks ``--allow-remote`` may reach (a newsroom's image server);
    every other private, loopback or link-local address stays refused."""

    allow_networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()


@dataclass(frozen=True)
class MastheadLine:
    """A masthead credit: a role ("رئيس مجلسى الإدارة والتحرير") and a name."""

    role: str
    name: str


@dataclass(frozen=True)
class Settings:
    """The paper's settings; see README, "Newspaper settings"."""

    root: Path
    paper: str
    masthead: tuple[MastheadLine, ...] = ()
    layout: str = "tabloid"
    digits: str = "arabic-indic"
    date_line: str = "both"
    limits: Limits = Limits()
    press: PressSettings | None = None  # the press preset (sahifa render --press)
    remote: Remote = Remote()

    @property
    def layouts_dir(self) -> Path:
        return self.root / "layouts"

    @property
    def fonts_dir(self) -> Path:
        return self.root / "fonts"

    @property
    def remote_networks(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        return self.remote.allow_networks


def find_root(start: Path | None = None, project: Path | None = None) -> Path:
    """The project: ``project`` when the user named one (``--project``), else the nearest
    folder holding ``sahifa.yaml`` above ``start``, else above the working directory.

    A ``sahifa.yaml`` inside another project is refused: a folder of articles (a stringer's,
    an agency's) must never become the project of the files in it and choose their layouts,
    templates and fonts (README, "Trust model")."""
    if project is not None:
        root = Path(os.path.abspath(project))
        if not (root / SETTINGS_FILE).is_file():
            raise ConfigError(f"--project: no {SETTINGS_FILE} in {project}")
        return root
    candidates: list[Path] = []
    if start is not None:
        start = Path(os.path.abspath(start))  # not resolve(): a symlink loop must not raise
        candidates += [start, *start.parents] if start.is_dir() else list(start.parents)
    cwd = Path.cwd().resolve()
    candidates += [cwd, *cwd.parents]
    for folder in candidates:
        if (folder / SETTINGS_FILE).is_file():
            outer = next((f for f in folder.parents if (f / SETTINGS_FILE).is_file()), None)
            if outer is not None:
                raise ConfigError(
                    f"a project nested inside the project {outer}: a folder of articles "
                    "cannot bring its own settings, layouts or fonts; name the project with "
                    "--project DIR", file=folder / SETTINGS_FILE,
                )  # fmt: skip
            return folder
    raise ConfigError(
        f"no {SETTINGS_FILE} found above {start or cwd}; run sahifa inside a sahifa project "
        "or name it with --project DIR"
    )


_MASTHEAD_LINE = schema.Schema({
    "role": schema.Field(schema.text(one_line=True), required=True),
    "name": schema.Field(schema.text(one_line=True), required=True),
})  # fmt: skip
_WHOLE = schema.Field(schema.whole(1))
# sahifa.yaml: configuration, so an unknown key fails (README, "Newspaper settings").
SETTINGS_SCHEMA = schema.Schema({
    "paper": schema.Field(schema.text(one_line=True), required=True, doc="the nameplate"),
    "masthead": schema.Field(schema.list_of(schema.mapping(_MASTHEAD_LINE),
                                            what="{role: …, name: …}"), default=[]),
    "layout": schema.Field(schema.layout_name, default="tabloid"),
    "digits": schema.Field(schema.choice(*DIGIT_STYLES), default="arabic-indic"),
    "date_line": schema.Field(schema.choice(*DATE_LINE_STYLES), default="both"),
    "limits": schema.Field(schema.mapping(schema.Schema(
        dict.fromkeys(Limits.__dataclass_fields__, _WHOLE), sparse=True)), default={}),
    "press": schema.Field(read_press, doc="press output (README, \"Press output\")"),
    "sahifa": schema.Field(schema.text(one_line=True),
                           doc="the sahifa version the paper's pages were made with"),
    "remote": schema.Field(schema.mapping(schema.Schema({
        "allow_networks": schema.Field(schema.list_of(schema.network, what="networks, e.g. "
                                                      "[10.1.0.0/16]"), default=[]),
    })), default={"allow_networks": []}),
})  # fmt: skip


def load_settings(root: Path) -> tuple[Settings, list[Problem]]:
    """Read and validate ``root/sahifa.yaml``: every problem of the file in one error."""
    path = root / SETTINGS_FILE
    data = parse_yaml(read_text(path, category="config"), path, category="config")
    values, warnings = schema.read(SETTINGS_SCHEMA, data, path, "config")
    pinned = values["sahifa"]
    if pinned and pinned != __version__:
        # pip install -U must not change an archive's pages silently.
        warnings.append(Problem(
            "config", f"this paper pins sahifa {pinned}, and sahifa {__version__} is installed: "
            "pages may differ (pip install sahifa==" + pinned + ", or vendor the layouts: sahifa "
            "layout vendor NAME)", file=path, key="sahifa", line=data.line_of("sahifa"),
        ))  # fmt: skip
    return (
        Settings(
            root=root,
            paper=values["paper"],
            masthead=tuple(MastheadLine(m["role"], m["name"]) for m in values["masthead"]),
            layout=values["layout"],
            digits=values["digits"],
            date_line=values["date_line"],
            limits=Limits(**values["limits"]),
            press=values["press"],
            remote=Remote(tuple(values["remote"]["allow_networks"])),
        ),
        warnings,
    )
