"""Static instances of variable fonts, made once with fontTools and cached by the font's hash.

WeasyPrint would instance a variable font itself while writing every PDF (slow, and fontTools
then stamps the current time into ``head.modified``, so no two renders are byte-identical).
Instead each weight a paper uses is made once, into the user's cache, named by the variable
font's sha256 and the weight; the layouts' ``@font-face`` rules point at those files. The
instance is a function of the pinned font and the pinned fontTools, so the cache can never be
stale, and ``head`` keeps the variable font's own timestamps.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from functools import cache
from importlib.metadata import version
from pathlib import Path

from sahifa.errors import ConfigError

_fallback: Path | None = None


def instances_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "sahifa" / "instances"


@cache
def _fonttools_version() -> str:
    return version("fonttools")  # reading package metadata costs ~10 ms: once per process


def _private_dir() -> Path:
    """A folder of this process's own, when the user's cache cannot be written."""
    global _fallback
    if _fallback is None:
        _fallback = Path(tempfile.mkdtemp(prefix="sahifa-instances-"))
        atexit.register(shutil.rmtree, _fallback, ignore_errors=True)
    return _fallback


def static_instance(path: Path, sha256: str, weight: int) -> Path:
    """The static instance of the variable font ``path`` at ``weight``: made if missing.

    The name carries fontTools' version too: another fontTools may instance differently."""
    name = f"{sha256[:24]}-wght{weight}-fonttools{_fonttools_version()}.ttf"
    target = instances_dir() / name
    if target.is_file():
        return target
    try:
        return _make(path, weight, target)
    except OSError:
        # A read-only or broken cache only costs time: make it for this process alone.
        return _make(path, weight, _private_dir() / name)


def _make(path: Path, weight: int, target: Path) -> Path:
    from fontTools.ttLib import TTFont, TTLibError
    from fontTools.varLib.instancer import instantiateVariableFont

    try:
        font = TTFont(path, recalcTimestamp=False)
        location = {axis.axisTag: axis.defaultValue for axis in font["fvar"].axes}
        if "wght" in location:
            location["wght"] = weight
        static = instantiateVariableFont(font, location, static=True, updateFontNames=False)
    except (TTLibError, KeyError, ValueError, AssertionError) as exc:
        raise ConfigError(f"{path.name}: cannot make a static instance at weight {weight}: "
                          f"{exc}") from None  # fmt: skip
    # The OS/2 weight class is what Pango matches @font-face weights against.
    static["OS/2"].usWeightClass = weight
    target.parent.mkdir(parents=True, exist_ok=True)
    # A temporary file of its own (threads share a pid, containers share pid 1), then an
    # atomic rename: a concurrent worker finds a whole file or none.
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            static.save(handle, reorderTables=True)
        tmp.chmod(0o644)
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)
    return target
