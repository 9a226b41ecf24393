"""The font manifest (``fonts/fonts.yaml``): pinned files, checked by sha256 at start-up.

A font file that changed under the paper changes every page it prints, so a hash mismatch is
an error, not a warning. Family, weight and style come from the font files (fontTools), and the
``@font-face`` rules are generated from them: nothing about a font is written twice.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sahifa import schema
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
    origin: Path | None = None  # the pinned variable font this static instance was made from
    justify: str = "spaces"  # "kashida": its designer allows inserted tatweels

    @property
    def pinned(self) -> Path:
        """The file in ``fonts/`` (an instance's variable font): what the output depends on."""
        return self.origin or self.path

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

    @property
    def identity(self) -> str:
        """One hash of every font file (its pinned content) with the face it is known as:
        documents with equal identities set the same text in the same shapes."""
        digest = hashlib.sha256()
        for font in self.fonts:
            digest.update(repr((font.family, font.weight, font.style, font.sha256,
                                str(font.path))).encode())  # fmt: skip
        return digest.hexdigest()

    def justification(self, family: str) -> str:
        """``kashida`` when the manifest allows inserted tatweels in ``family``, else
        ``spaces`` (the default: some designers reject them, Amiri's among them)."""
        faces = [font for font in self.fonts if font.family == family]
        return "kashida" if faces and all(f.justify == "kashida" for f in faces) else "spaces"

    def font_face_css(self) -> str:
        return "\n".join(font.font_face() for font in self.fonts)


# Metadata read from a font file, keyed by the file's sha256: a warm worker or the preview
# server re-reads the manifest on every render but parses each font only once, and a new
# process finds it in the user's cache instead of importing fontTools (~0.1 s per render).
# Keyed by content hash, so a stale entry is impossible.
# (family, weight, style, refusal or "", weight axis "min max" or "" for a static font)
_METADATA: dict[str, tuple[str, int, str, str, str]] = {}
# Weights made from a variable font when its entry names none: what CSS calls normal and bold.
DEFAULT_WEIGHTS = (400, 700)


def _cache_file() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "sahifa" / "font-metadata-2.json"


def _load_cache() -> None:
    try:
        data = json.loads(_cache_file().read_text(encoding="utf-8"))
        for digest, (family, weight, style, refusal, axis) in data.items():
            _METADATA.setdefault(
                digest, (str(family), int(weight), str(style), str(refusal), str(axis))
            )
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


def _entry(value: Any, found: schema.Found, key: str, line: int | None) -> Any:
    """A font entry, checked for its form; its file is checked by ``_fonts``."""
    values = _ENTRY.check(value, found, key, line)
    if isinstance(value, YamlMap) and not any(v is schema.MISSING for v in values.values()):
        return value
    return schema.MISSING


_ENTRY = schema.Schema({
    "file": schema.Field(schema.text(), required=True, doc="the font file, in fonts/"),
    "sha256": schema.Field(schema.sha256, required=True, doc="its pinned hash"),
    "licence": schema.Field(schema.text(), doc="the licence file, in fonts/"),
    "source": schema.Field(schema.text(), doc="where the file came from"),
    "weights": schema.Field(schema.list_of(schema.whole(1, 1000), what="weights, e.g. [400, 700]"),
                            doc="variable fonts: the static weights to make"),
    "justify": schema.Field(schema.choice("kashida", "spaces"),
                            doc="kashida: justified lines may insert tatweels in this font"),
})  # fmt: skip
# fonts.yaml: configuration, so an unknown key fails.
MANIFEST_SCHEMA = schema.Schema({
    "fonts": schema.Field(schema.list_of(_entry, what="font entries"), default=[]),
    "builtin": schema.Field(schema.choice("true", "false"), default="false",
                            doc="also the fonts that ship with sahifa (pinned by its version)"),
})  # fmt: skip


def load_registry(folder: Path) -> FontRegistry:
    """Read ``folder/fonts.yaml``, verify every file's sha256, read family/weight/style;
    every problem of the manifest in one error."""
    manifest = folder / MANIFEST
    data = parse_yaml(read_text(manifest, category="config"), manifest, category="config")
    found = schema.Found(manifest, "config")
    values = MANIFEST_SCHEMA.check(data, found, "", 1)
    entries = values["fonts"]
    if not entries and values["builtin"] != "true" and not found.errors:
        found.error("no fonts: list the project's fonts or set builtin: true", "fonts", 1)
    if not _METADATA:
        _load_cache()
    known = len(_METADATA)
    fonts = []
    if values["builtin"] == "true":
        from sahifa import builtin

        fonts += load_registry(builtin.fonts_dir()).fonts
    for entry in entries if isinstance(entries, list) else []:
        if entry is schema.MISSING:
            continue
        try:
            fonts += _fonts(folder, manifest, entry)
        except ConfigError as exc:
            found.errors.append(exc.problem)
    found.raise_errors()
    if len(_METADATA) > known:
        _save_cache()
    return FontRegistry(folder=folder, fonts=tuple(fonts))


def _fonts(folder: Path, manifest: Path, entry: YamlMap) -> list[FontFile]:
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
    family, weight, style, refusal, axis = _METADATA[digest]
    if refusal:
        raise ConfigError(f"{entry['file']}: {refusal}", file=manifest, line=line)
    licence = entry.get("licence")
    font = FontFile(
        path=path,
        sha256=digest,
        family=family,
        weight=weight,
        style=style,
        licence=(folder / licence) if isinstance(licence, str) else None,
        source=str(entry.get("source") or ""),
        justify=str(entry.get("justify") or "spaces"),
    )
    if not axis:
        if "weights" in entry:
            raise ConfigError(f"{entry['file']}: 'weights' is for variable fonts; this one is "
                              "static", file=manifest, line=entry.line_of("weights"))  # fmt: skip
        return [font]
    from sahifa.fonts.instances import static_instance

    low, high = (int(float(v)) for v in axis.split())
    weights = _weights(entry, manifest, low, high)
    return [
        replace(font, path=static_instance(path, digest, w), weight=w, origin=path)
        for w in weights
    ]


def _weights(entry: YamlMap, manifest: Path, low: int, high: int) -> list[int]:
    """The static weights to make of a variable font: ``weights: [400, 700]`` or the default,
    each within the font's weight axis."""
    value = entry.get("weights")
    if value is None:
        return sorted({min(max(w, low), high) for w in DEFAULT_WEIGHTS})
    line = entry.line_of("weights")
    if not isinstance(value, list) or not value:
        raise ConfigError("expected a list of weights, e.g. [400, 700]", file=manifest,
                          key="weights", line=line)  # fmt: skip
    weights = []
    for item in value:
        if not (isinstance(item, str) and item.isdigit() and low <= int(item) <= high):
            raise ConfigError(f"weight {item!r}: expected a whole number from {low} to {high} "
                              "(the font's weight axis)", file=manifest, key="weights",
                              line=line)  # fmt: skip
        weights.append(int(item))
    return sorted(set(weights))


def _read_metadata(
    path: Path, manifest: Path, line: int | None
) -> tuple[str, int, str, str, str]:
    from fontTools.ttLib import TTFont, TTLibError

    try:
        with TTFont(path, lazy=True) as font:
            names = font["name"]
            family = names.getDebugName(16) or names.getDebugName(1)
            os2 = font["OS/2"]
            weight = int(os2.usWeightClass)
            italic = bool(os2.fsSelection & 0b1) or bool(font["head"].macStyle & 0b10)
            refusal = _refusal(font)
            axis = ""
            if "fvar" in font:  # variable: static instances are made per weight
                axes = {a.axisTag: a for a in font["fvar"].axes}
                wght = axes.get("wght")
                axis = f"{wght.minValue} {wght.maxValue}" if wght else f"{weight} {weight}"
    except (TTLibError, KeyError, OSError) as exc:
        raise ConfigError(
            f"{path.name}: not a usable font: {exc}", file=manifest, line=line
        ) from None
    if not family:
        raise ConfigError(f"{path.name}: font has no family name", file=manifest, line=line)
    return family, weight, "italic" if italic else "normal", refusal, axis


def _refusal(font: object) -> str:
    """Why a font cannot print with a faithful text layer, or "" if it can.

    sahifa writes its own character codes mapped to glyphs by a CIDToGIDMap, which PDF defines
    for TrueType outlines only; colour and bitmap glyphs are not printable plates."""
    tables = set(font.keys())  # type: ignore[attr-defined]
    if tables & {"CFF ", "CFF2"}:
        return ("PostScript (CFF) outlines are not supported; use the TrueType-outline (.ttf) "
                "build of this font, or convert it (fontTools' otf2ttf) and pin the result")
    if tables & {"COLR", "SVG ", "CBDT", "sbix"}:
        return "colour (emoji) fonts are not supported in print"
    if "glyf" not in tables:
        return "no TrueType outlines (a bitmap font?)"
    return ""
