"""What a batch renders: every edition under the source folder, and every article that no
edition uses (loose articles), each to the same relative path under the output folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sahifa.content.edition import is_edition
from sahifa.content.reader import ARTICLE_SUFFIXES


@dataclass(frozen=True)
class Item:
    source: Path
    output: Path
    key: str  # the source relative to the source folder: the manifest's key


def _edition_articles(edition: Path) -> set[Path]:
    """The article files an edition names, read leniently: a broken edition is still an item
    (it fails with its own message) and claims what it can."""
    import yaml

    try:
        data = yaml.safe_load(edition.read_text(encoding="utf-8-sig"))
        pages = data.get("pages") or []
    except Exception:  # the render reports the edition's problem; here it claims nothing
        return set()
    names: set[Path] = set()
    for page in pages if isinstance(pages, list) else []:
        for slot in (page or {}).get("stories") or [] if isinstance(page, dict) else []:
            if not isinstance(slot, dict):
                continue
            refs = (
                slot.get("briefs")
                if isinstance(slot.get("briefs"), list)
                else [slot.get("article")]
            )
            names.update((edition.parent / r).resolve() for r in refs if isinstance(r, str))
    return names


def discover(source_dir: Path, out_dir: Path) -> list[Item]:
    files = sorted(p for p in source_dir.rglob("*") if p.suffix.lower() in ARTICLE_SUFFIXES
                   and p.is_file() and not p.name.startswith("."))  # fmt: skip
    editions = [p for p in files if is_edition(p)]
    claimed: set[Path] = set()
    for edition in editions:
        claimed |= _edition_articles(edition)
    items = []
    for path in files:
        if path in editions or path.resolve() not in claimed:
            rel = path.relative_to(source_dir)
            items.append(Item(path, (out_dir / rel).with_suffix(".pdf"), rel.as_posix()))
    return items
