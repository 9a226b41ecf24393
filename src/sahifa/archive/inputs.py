"""An item's inputs and their hash: what an archive re-renders from, and what ``--resume``
compares. The hash covers sahifa's and WeasyPrint's versions, the project's files (settings,
the layout chain, the fonts) and the item's own (its source, articles and images).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from sahifa.content.article import Article
from sahifa.content.edition import Edition
from sahifa.hashing import file_sha256

if TYPE_CHECKING:
    from sahifa.pipeline import Resolved


def source_files(source: Path, article: Article | None, edition: Edition | None) -> list[Path]:
    """The files of one item: its source, the articles it uses and their images."""
    files = {source.resolve()}
    articles = [article] if article else []
    if edition is not None:
        articles += [a for page in edition.pages for s in page.slots for a in s.articles]
    for item in articles:
        files.add(item.path.resolve())
        if item.image is not None and item.image.src is not None:
            files.add(item.image.src)
    return sorted(files)


def project_files(prepared: Resolved) -> list[Path]:
    """The files every item of a project shares: settings, the layout chain, the fonts."""
    files = {prepared.settings.root / "sahifa.yaml", prepared.settings.fonts_dir / "fonts.yaml"}
    for folder in prepared.layout.folders:
        files.update(p.resolve() for p in folder.rglob("*") if p.is_file())
    files.update(font.pinned for font in prepared.fonts.fonts)
    return sorted(files)


def input_files(prepared: Resolved) -> list[Path]:
    """Every file whose content changes the output (the archive's re-render key)."""
    items = source_files(prepared.source, prepared.article, prepared.edition)
    return sorted({*items, *project_files(prepared)})


def _files_digest(files: list[Path], root: Path) -> str:
    digest = hashlib.sha256()
    for path in files:
        name = archive_name(path, root)
        digest.update(name.encode() + b"\0" + file_sha256(path).encode() + b"\n")
    return digest.hexdigest()


def project_digest(prepared: Resolved) -> str:
    """The shared part of every item's input hash (a batch computes it once per layout)."""
    return _files_digest(project_files(prepared), prepared.settings.root.resolve())


def input_hash(prepared: Resolved, extra: str = "", project: str | None = None) -> str:
    """sha256 over sahifa's and WeasyPrint's versions, the project's files (settings, layout,
    fonts: ``project``, when already computed) and the item's own files."""
    return hash_inputs(
        prepared.source, prepared.article, prepared.edition, prepared.settings.root,
        project or project_digest(prepared), extra,
    )  # fmt: skip


def hash_inputs(
    source: Path, article: Article | None, edition: Edition | None, root: Path, project: str,
    extra: str = "",
) -> str:  # fmt: skip
    """``input_hash`` from its parts (a batch has the project's part already)."""
    from importlib.metadata import version

    from sahifa import __version__

    items = source_files(source, article, edition)
    digest = hashlib.sha256()
    digest.update(f"sahifa {__version__} weasyprint {version('weasyprint')} {extra}\n".encode())
    digest.update(project.encode())
    digest.update(_files_digest(items, root.resolve()).encode())
    return digest.hexdigest()


def archive_name(path: Path, root: Path) -> str:
    """How an input file is named in hashes and archives: by its path in the project; a file
    that ships with sahifa as ``builtin:`` and its path in the package (pinned by hash with
    sahifa's version, never attached); anything else by its name."""
    from sahifa.builtin import BUILTIN

    if path.is_relative_to(root):
        return path.relative_to(root).as_posix()
    for shipped in (BUILTIN, BUILTIN.resolve()):
        for part in ("layouts", "fonts"):
            folder = (shipped / part).resolve()
            if path.is_relative_to(folder):
                return f"builtin:{part}/{path.relative_to(folder).as_posix()}"
    return path.name
