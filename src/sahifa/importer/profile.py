"""Import profiles: a paper's boilerplate lines and the limits of the heuristics.

Profiles are YAML files named ``NAME.yaml`` in the project's ``profiles/`` folder; ``default``
ships with the project.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sahifa.content.yamlfile import YamlMap, parse_yaml, read_text
from sahifa.errors import ConfigError


def collapse(text: str) -> str:
    return " ".join(text.split())


@dataclass(frozen=True)
class Profile:
    name: str
    boilerplate: frozenset[str]
    subhead_max_words: int = 8
    runin_max_words: int = 5
    caption_max_words: int = 30


def load_profile(root: Path, name: str) -> Profile:
    path = root / "profiles" / f"{name}.yaml"
    if not path.is_file():
        known = sorted(p.stem for p in (root / "profiles").glob("*.yaml"))
        raise ConfigError(f"no import profile {name!r} (known: {', '.join(known) or 'none'})")
    data = parse_yaml(read_text(path, category="config"), path, category="config")
    if not isinstance(data, YamlMap):
        raise ConfigError("expected a mapping", file=path, line=1)
    lines = data.get("boilerplate") or []
    if not isinstance(lines, list) or not all(isinstance(x, str) for x in lines):
        raise ConfigError(
            "boilerplate: a list of lines", file=path, key="boilerplate",
            line=data.line_of("boilerplate"),
        )  # fmt: skip
    limits = {}
    for key in ("subhead_max_words", "runin_max_words", "caption_max_words"):
        value = data.get(key)
        if value is None:
            continue
        if not (isinstance(value, str) and value.isdigit()):
            raise ConfigError("expected a whole number", file=path, key=key, line=data.line_of(key))
        limits[key] = int(value)
    return Profile(
        name=name, boilerplate=frozenset(collapse(x) for x in lines if x.strip()), **limits
    )
