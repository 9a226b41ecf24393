"""WeasyPrint, imported once per process on an empty Fontconfig, checked, and patched.

Fonts come from the project's ``@font-face`` rules only: WeasyPrint runs on an empty
Fontconfig configuration, so no font of the machine can slip into a page. Before any patch is
installed, ``sahifa.render.compat`` checks that this is the WeasyPrint the patches were
written for; anything else stops with one line, never wrong output.
"""

from __future__ import annotations

import atexit
import logging
import os
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

log = logging.getLogger("sahifa")

_EMPTY_FONTCONFIG = (
    '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
    "<!-- sahifa: no system fonts; only the project's @font-face fonts exist -->\n"
    "<fontconfig></fontconfig>\n"
)
_fontconfig_file: Path | None = None  # per process: the path of the empty configuration


@contextmanager
def isolated_fontconfig() -> Iterator[None]:
    """Point Fontconfig at an empty configuration while WeasyPrint loads one.

    WeasyPrint reads Fontconfig's configuration when it is imported and for each
    ``FontConfiguration``; FONTCONFIG_FILE is read at those moments only, so it is set around
    them and restored, and child processes (a browser for the preview) keep the user's fonts.
    """
    global _fontconfig_file
    if _fontconfig_file is None or not _fontconfig_file.is_file():
        _fontconfig_file = _empty_fontconfig_file()
    path = _fontconfig_file
    saved = os.environ.get("FONTCONFIG_FILE")
    os.environ["FONTCONFIG_FILE"] = str(path)
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("FONTCONFIG_FILE", None)
        else:
            os.environ["FONTCONFIG_FILE"] = saved


def _empty_fontconfig_file() -> Path:
    """The empty Fontconfig configuration, in the user's cache: one file for every process.

    A file per process in /tmp (removed at exit) was left behind by every process that was
    killed: batch and Dask workers, previews; 148 of them were found after two sessions. A
    shared name in /tmp could be planted by another user, so the fallback, when the cache
    cannot be written, stays private to the process."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "sahifa"
    target = base / "empty-fontconfig.conf"
    try:
        if target.read_text(encoding="utf-8") == _EMPTY_FONTCONFIG:
            return target
    except OSError:
        pass
    try:
        base.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=".fontconfig-", suffix=".tmp", dir=base)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(_EMPTY_FONTCONFIG)
        Path(name).replace(target)  # atomic: a concurrent reader sees the old or the new file
        return target
    except OSError:
        fd, name = tempfile.mkstemp(prefix="sahifa-fontconfig-", suffix=".conf")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(_EMPTY_FONTCONFIG)
        atexit.register(Path(name).unlink, missing_ok=True)
        return Path(name)


_engine: ModuleType | None = None  # per process: WeasyPrint, once imported and patched


def warm_up() -> ModuleType:
    """Import WeasyPrint once (~0.5 s), on an empty Fontconfig; check it against the patches
    (``compat``), install them and warn once if HarfBuzz subsetting is missing."""
    global _engine
    if _engine is None:
        from sahifa.render.libraries import remembered_lookups

        # remembered_lookups: WeasyPrint's 22 library-name look-ups (subprocesses each)
        # answered from the record of a previous process (``sahifa.render.libraries``).
        with isolated_fontconfig(), warnings.catch_warnings(), remembered_lookups():
            # "No fonts configured": intended, the fonts come from @font-face.
            warnings.simplefilter("ignore")
            import weasyprint as wp
            from weasyprint.text import ffi

        from sahifa.render import compat, patches

        compat.check()  # before any patch: a different engine stops here, in one line
        if ffi.harfbuzz_subset is None:
            log.warning(
                "HarfBuzz subsetting (libharfbuzz-subset0) is not installed: PDFs will be "
                "written 4-8x slower through fontTools. Install it: apt-get install "
                "libharfbuzz-subset0"
            )
        # WeasyPrint repeats that warning for every font of every render; it was said once.
        logging.getLogger("weasyprint").addFilter(
            lambda record: "instead of HarfBuzz-Subset" not in record.getMessage()
        )
        # sahifa.render.capture reports WeasyPrint's messages with the article's name; they
        # must not also reach the user raw through the root logger.
        logging.getLogger("weasyprint").propagate = False
        for patch in patches.all_patches().values():
            patches.install(patch)
        _engine = wp
    return _engine


def harfbuzz_subsetting() -> bool:
    """Whether WeasyPrint will subset fonts with HarfBuzz (without importing it). HarfBuzz
    and fontTools subset fonts to different bytes: an archive re-renders identically only
    with the same subsetter."""
    from sahifa.render.libraries import find_library

    return find_library("harfbuzz-subset") is not None


TEXT_LAYERS = ("sahifa", "weasyprint")


def set_text_layer(mode: str) -> None:
    """Choose how glyphs map to text in the PDFs this process writes: ``sahifa`` (the default:
    the text-layer patches, words come back intact) or ``weasyprint`` (WeasyPrint's own, kept
    for the text-layer benchmark and the test that the pages look the same either way)."""
    from sahifa.render import patches

    if mode not in TEXT_LAYERS:
        raise ValueError(f"text layer {mode!r}: expected one of {', '.join(TEXT_LAYERS)}")
    warm_up()
    found = patches.all_patches()
    for name in patches.TEXT_LAYER:
        (patches.install if mode == "sahifa" else patches.remove)(found[name])
