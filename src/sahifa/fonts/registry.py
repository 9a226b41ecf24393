"""The font manifest (``fonts/fonts.yaml``): pinned files, checked by sha256 at start-up.

A font file that changed under the paper changes every page it prints, so a hash mismatch is
an error, not a warning. Family, weight and style come from the font files (fontTools), and the
``@font-face`` rules are generated from them: nothing about a font is written twice.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from sahifa.content.yamlfile import YamlMap, parse_yaml, read_text
from sahifa.css import css_string
from sahifa.errors import ConfigError
from sahifa.hashing import file_sha256

MANIFEST = "fonts.yaml"


@dataclass(frozen=True)
class FontFile:
    """One pinned font file and what its own tables say it is."""

    path: Path
    sha256: str
    family: str
    weight: int
    style: str  # "normal" or "italic"
    licence: Path | None
    source: str = ""

    def font_face(self) -> str:
        """The ``@font-face`` rule that makes this file available to the layouts."""
        return (
            "@font-face { "
            f"font-family: {css_string(self.family)}; "
            f"src: url({css_string(self.path.as_uri())}); "
            f"font-weight: {self.weight}; font-style: {self.style}; }}"
        )


@dataclass(frozen=True)
class FontRegistry:
    """All fonts of a project, in manifest order."""

    folder: Path
    fonts: tuple[FontFile, ...]

    @property
    def families(self) -> list[str]:
        seen: dict[str, None] = {}
        for font in self.fonts:
            seen.setdefault(font.family, None)
        return list(seen)

    def font_face_css(self) -> str:
        return "\n".join(font.font_face() for font in self.fonts)


# Metadata read from a font file, keyed by the file's sha256: a warm worker or the preview
# server re-reads the manifest on every render but parses each font only once, and a new
# process finds it in the user's cache instead of importing fontTools (~0.1 s per render).
# Keyed by content hash, so a stale entry is impossible.
_METADATA: dict[str, tuple[str, int, str]] = {}


def _cache_file() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "sahifa" / "font-metadata.json"


def _load_cache() -> None:
    try:
        data = json.loads(_cache_file().read_text(encoding="utf-8"))
        for digest, (family, weight, style) in data.items():
            _METADATA.setdefault(digest, (str(family), int(weight), str(style)))
    except (OSError, ValueError, TypeError):
        pass  # no cache yet, or unreadable: the fonts are read again


def _save_cache() -> None:
    path = _cache_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(_METADATA, sort_keys=True), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass  # a read-only home only costs speed


def load_registry(folder: Path) -> FontRegistry:
    """Read ``folder/fonts.yaml``, verify every file's sha256, read family/weight/style."""
    manifest = folder / MANIFEST
    data = parse_yaml(read_text(manifest, category="config"), manifest, category="config")
    entries = data.get("fonts") if isinstance(data, YamlMap) else None
    if not isinstance(entries, list) or not entries:
        raise ConfigError("expected 'fonts:' with a list of font entries", file=manifest)
    if not _METADATA:
        _load_cache()
    known = len(_METADATA)
    fonts = []
    for entry in entries:
        if not isinstance(entry, YamlMap) or not isinstance(entry.get("file"), str):
            raise ConfigError("each font entry needs 'file' and 'sha256'", file=manifest)
        fonts.append(_font(folder, manifest, entry))
    if len(_METADATA) > known:
        _save_cache()
    return FontRegistry(folder=folder, fonts=tuple(fonts))


def _font(folder: Path, manifest: Path, entry: YamlMap) -> FontFile:
    line = entry.line_of("file")
    path = (folder / entry["file"]).resolve()
    if not path.is_file() or not path.is_relative_to(folder.resolve()):
        raise ConfigError(
            f"font file {entry['file']!r} not found in {folder}", file=manifest, line=line
        )
    digest = file_sha256(path)
    expected = entry.get("sha256")
    if digest != expected:
        raise ConfigError(
            f"{entry['file']}: sha256 is {digest}, the manifest pins {expected}; "
            "a changed font changes the printed pages — update the manifest deliberately",
            file=manifest,
            line=entry.line_of("sha256") or line,
        )
    if digest not in _METADATA:
        _METADATA[digest] = _read_metadata(path, manifest, line)
    family, weight, style = _METADATA[digest]
    licence = entry.get("licence")
    return FontFile(
        path=path,
        sha256=digest,
        family=family,
        weight=weight,
        style=style,
        licence=(folder / licence) if isinstance(licence, str) else None,
        source=str(entry.get("source") or ""),
    )


def _read_metadata(path: Path, manifest: Path, line: int | None) -> tuple[str, int, str]:
    from fontTools.ttLib import TTFont, TTLibError

    try:
        with TTFont(path, lazy=True) as font:
            names = font["name"]
            family = names.getDebugName(16) or names.getDebugName(1)
            os2 = font["OS/2"]
            weight = int(os2.usWeightClass)
            italic = bool(os2.fsSelection & 0b1) or bool(font["head"].macStyle & 0b10)
    except (TTLibError, KeyError, OSError) as exc:
        raise ConfigError(
            f"{path.name}: not a usable font: {exc}", file=manifest, line=line
        ) from None
    if not family:
        raise ConfigError(f"{path.name}: font has no family name", file=manifest, line=line)
    return family, weight, "italic" if italic else "normal"
