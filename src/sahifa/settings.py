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

from sahifa.content.yamlfile import YamlMap, parse_yaml, read_text
from sahifa.errors import ConfigError, Problem
from sahifa.press.config import PressSettings, read_press
from sahifa.trust import SETTINGS_FILE

DIGIT_STYLES = ("arabic-indic", "western")
DATE_LINE_STYLES = ("both", "gregorian", "hijri")
KNOWN_KEYS = {"paper", "masthead", "layout", "digits", "date_line", "limits", "press", "remote"}


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


def load_settings(root: Path) -> tuple[Settings, list[Problem]]:
    """Read and validate ``root/sahifa.yaml``."""
    path = root / SETTINGS_FILE
    data = parse_yaml(read_text(path, category="config"), path, category="config")
    if not isinstance(data, YamlMap):
        raise ConfigError("expected a mapping of settings", file=path, line=1)
    warnings = [
        Problem("config", "unknown key; ignored", file=path, key=key, line=data.line_of(key))
        for key in data
        if key not in KNOWN_KEYS
    ]
    paper = data.get("paper")
    if not isinstance(paper, str) or not paper.strip():
        raise ConfigError(
            "the paper's name is required (paper: …)",
            file=path,
            key="paper",
            line=data.line_of("paper"),
        )
    return (
        Settings(
            root=root,
            paper=paper.strip(),
            masthead=_masthead(data, path),
            layout=_choice(data, "layout", None, "tabloid", path),
            digits=_choice(data, "digits", DIGIT_STYLES, "arabic-indic", path),
            date_line=_choice(data, "date_line", DATE_LINE_STYLES, "both", path),
            limits=_limits(data, path),
            press=read_press(data, path),
            remote=_remote(data, path),
        ),
        warnings,
    )


def _choice(
    data: YamlMap, key: str, allowed: tuple[str, ...] | None, default: str, path: Path
) -> str:
    value = data.get(key, default)
    if not isinstance(value, str) or (allowed and value not in allowed):
        expected = f"one of {', '.join(allowed)}" if allowed else "text"
        raise ConfigError(
            f"expected {expected}, got {value!r}", file=path, key=key, line=data.line_of(key)
        )
    return value


def _limits(data: YamlMap, path: Path) -> Limits:
    value = data.get("limits")
    if value is None:
        return Limits()
    if not isinstance(value, YamlMap):
        raise ConfigError(
            "expected a mapping", file=path, key="limits", line=data.line_of("limits")
        )
    fields = {}
    for key, number in value.items():
        if key not in Limits.__dataclass_fields__:
            raise ConfigError("unknown limit", file=path, key=f"limits.{key}",
                              line=value.line_of(key))  # fmt: skip
        if not (isinstance(number, str) and number.isdigit() and int(number) > 0):
            raise ConfigError("expected a whole number > 0", file=path, key=f"limits.{key}",
                              line=value.line_of(key))  # fmt: skip
        fields[key] = int(number)
    return Limits(**fields)


def _remote(data: YamlMap, path: Path) -> Remote:
    value = data.get("remote")
    if value is None:
        return Remote()
    if not isinstance(value, YamlMap):
        raise ConfigError("expected a mapping", file=path, key="remote",
                          line=data.line_of("remote"))  # fmt: skip
    for key in value:
        if key != "allow_networks":
            raise ConfigError("unknown key (known: allow_networks)", file=path,
                              key=f"remote.{key}", line=value.line_of(key))  # fmt: skip
    where = {"file": path, "key": "remote.allow_networks", "line": value.line_of("allow_networks")}
    networks = value.get("allow_networks") or []
    if not isinstance(networks, list) or not all(isinstance(n, str) for n in networks):
        raise ConfigError("expected a list of networks, e.g. [10.1.0.0/16]", **where)
    try:  # strict: 10.1.2.0/16 (host bits set) is a typo, not 10.1.0.0/16
        return Remote(tuple(ipaddress.ip_network(n.strip()) for n in networks))
    except ValueError as exc:
        raise ConfigError(f"not a network: {exc}", **where) from None


def _masthead(data: YamlMap, path: Path) -> tuple[MastheadLine, ...]:
    value = data.get("masthead") or []
    problem = ConfigError(
        "expected a list of {role: …, name: …}",
        file=path,
        key="masthead",
        line=data.line_of("masthead"),
    )
    if not isinstance(value, list):
        raise problem
    lines = []
    for item in value:
        if not isinstance(item, dict) or not all(
            isinstance(item.get(k), str) for k in ("role", "name")
        ):
            raise problem
        lines.append(MastheadLine(item["role"].strip(), item["name"].strip()))
    return tuple(lines)
