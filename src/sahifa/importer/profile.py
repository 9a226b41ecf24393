"""Import profiles: a paper's boilerplate lines and the limits of the heuristics.

Profiles are YAML files named ``NAME.yaml`` in the project's ``profiles/`` folder; ``default``
ships with the project.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sahifa import schema
from sahifa.content.yamlfile import parse_yaml, read_text
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


_LIMITS = ("subhead_max_words", "runin_max_words", "caption_max_words")
# An import profile: configuration, so an unknown key fails.
PROFILE_SCHEMA = schema.Schema({
    "name": schema.Field(schema.text(one_line=True), doc="the profile's own name"),
    "boilerplate": schema.Field(schema.list_of(schema.text(), what="lines"), default=[],
                                doc="lines dropped wherever they appear"),
    **{key: schema.Field(schema.whole(1)) for key in _LIMITS},
})  # fmt: skip


def load_profile(root: Path, name: str) -> Profile:
    path = root / "profiles" / f"{name}.yaml"
    if not path.is_file():
        known = sorted(p.stem for p in (root / "profiles").glob("*.yaml"))
        raise ConfigError(f"no import profile {name!r} (known: {', '.join(known) or 'none'})")
    data = parse_yaml(read_text(path, category="config"), path, category="config")
    values, _ = schema.read(PROFILE_SCHEMA, data, path, "config")
    limits = {key: values[key] for key in _LIMITS if values[key] is not None}
    lines = values["boilerplate"]
    return Profile(
        name=name, boilerplate=frozenset(collapse(x) for x in lines if x.strip()), **limits
    )
