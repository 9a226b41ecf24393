"""What a batch renders: every edition under the source folder, and every article that no
edition uses (loose articles), each to the same relative path under the output folder.

The source folder is the user's; the files in it are not (README, "Trust model"). So:
editions are read with the strict YAML reader (no aliases, size cap) under a time budget per
file, before any worker starts; a file whose symlinks lead out of the folder is an item that
fails, never rendered from outside; and two sources that would write one PDF (``x.yaml`` and
``x.md``) both fail, naming each other, rather than one silently replacing the other.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sahifa.content.edition import is_edition
from sahifa.content.reader import ARTICLE_SUFFIXES
from sahifa.content.yamlfile import YamlMap, parse_yaml, read_text
from sahifa.errors import SahifaError
from sahifa.limits import time_limit
from sahifa.trust import inside


@dataclass(frozen=True)
class Item:
    source: Path
    output: Path
    key: str  # the source relative to the source folder: the manifest's key
    error: str = ""  # set when the item is refused before rendering


def edition_articles(edition: Path, seconds: float) -> set[Path]:
    """The article files an edition names, read leniently: a broken edition is still an item
    (it fails with its own message when rendered) and claims what it can."""
    try:
        with time_limit(seconds, edition):
            data = parse_yaml(read_text(edition, category="edition"), edition, category="edition")
    except SahifaError:  # the render reports the edition's problem; here it claims nothing
        return set()
    pages = data.get("pages") if isinstance(data, YamlMap) else None
    names: set[Path] = set()
    for page in pages if isinstance(pages, list) else []:
        stories = page.get("stories") if isinstance(page, YamlMap) else None
        for slot in stories if isinstance(stories, list) else []:
            if not isinstance(slot, YamlMap):
                continue
            briefs = slot.get("briefs")
            refs = briefs if isinstance(briefs, list) else [slot.get("article")]
            # By the path as written, symlinks not followed: a link named by no edition is
            # still an item of its own (and fails if it leads out of the folder).
            names.update(_normal(edition.parent / r) for r in refs if isinstance(r, str))
    return names


def _normal(path: Path) -> Path:
    return Path(os.path.abspath(path))


def discover(source_dir: Path, out_dir: Path, seconds: float = 60) -> list[Item]:
    """The batch's items, sorted by path; ``seconds``: the reading budget per edition."""
    files = sorted(p for p in source_dir.rglob("*") if p.suffix.lower() in ARTICLE_SUFFIXES
                   and p.is_file() and not p.name.startswith("."))  # fmt: skip
    editions = [p for p in files if inside(p, [source_dir]) and is_edition(p)]
    claimed: set[Path] = set()
    for edition in editions:
        claimed |= edition_articles(edition, seconds)
    items = []
    for path in files:
        if path in editions or _normal(path) not in claimed:
            rel = path.relative_to(source_dir)
            error = ""
            if not inside(path, [source_dir]):
                error = f"batch: {rel}: a symlink that leads out of {source_dir}; not rendered"
            items.append(Item(path, (out_dir / rel).with_suffix(".pdf"), rel.as_posix(), error))
    return _refuse_collisions(items)


def _refuse_collisions(items: list[Item]) -> list[Item]:
    """Items that would write the same PDF fail, each naming the others."""
    by_output: dict[str, list[Item]] = {}
    for item in items:
        # casefold: on a case-insensitive disk X.yaml and x.md collide too
        by_output.setdefault(str(item.output).casefold(), []).append(item)
    result = []
    for item in items:
        same = by_output[str(item.output).casefold()]
        if len(same) > 1 and not item.error:
            others = ", ".join(o.key for o in same if o is not item)
            item = Item(item.source, item.output, item.key,
                        f"batch: {item.key}: would write the same {item.output.name} as "
                        f"{others}; rename one")  # fmt: skip
        result.append(item)
    return result
