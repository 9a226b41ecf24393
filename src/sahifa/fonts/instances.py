"""Static instances of variable fonts, made once with fontTools and cached by the font's hash.

WeasyPrint would instance a variable font itself while writing every PDF (slow, and fontTools
then stamps the current time into ``head.modified``, so no two renders are byte-identical).
Instead each weight a paper uses is made once, into the user's cache, named by the variable
font's sha256 and the weight; the layouts' ``@font-face`` rules point at those files. The
instance is a function of the pinned font and the pinned fontTools, so the cache can never be
stale, and ``head`` keeps the variable font's own timestamps.
"""

from __future__ import annotations

import os
from pathlib import Path

from sahifa.errors import ConfigError


def instances_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "sahifa" / "instances"


def static_instance(path: Path, sha256: str, weight: int) -> Path:
    """The static instance of the variable font ``path`` at ``weight``: made if missing."""
    target = instances_dir() / f"{sha256[:24]}-wght{weight}.ttf"
    if target.is_file():
        return target
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
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        static.save(tmp, reorderTables=True)
        tmp.replace(target)  # atomic: a concurrent worker finds a whole file or none
    finally:
        tmp.unlink(missing_ok=True)
    return target
