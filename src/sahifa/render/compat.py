"""Is this the WeasyPrint the engine patches were written for?

Each patch replaces or wraps a WeasyPrint function and calls some of its internal helpers
(``sahifa.render.patches``). A different WeasyPrint or pydyf could draw wrong pages without
an error, so at start-up the versions must be the pinned ones and the source of every
replaced function and every helper a patch calls must hash to the fingerprint recorded here.
Anything else stops the command with one line ("sahifa needs WeasyPrint 70.0, found 71.0").

To upgrade WeasyPrint: read each patch against the new upstream function, adapt it, then
record the new fingerprints (``python -m sahifa.render.compat``) and the new pins.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from sahifa.errors import SahifaError

VERSIONS = {"weasyprint": "70.0", "pydyf": "0.13.0"}

# sha256 (first 16 hex digits) of the source of each function the patches replace or call.
FINGERPRINTS = {
    "weasyprint.draw.border:draw_column_rules": "e83939b1a206ecee",
    "weasyprint.draw.border:percentage": "ebe404ccd9da50bf",
    "weasyprint.draw.border:clip_border_segment": "624eca4b7d452596",
    "weasyprint.draw.border:styled_color": "73bf2eb81da98a01",
    "weasyprint.draw.border:get_color": "8196bf0c7ddc3e54",
    "weasyprint.draw.border:draw_rect_border": "20c939819a2f908b",
    "weasyprint.layout.grid:_distribute_extra_space": "d51af16f280e9c05",
    "weasyprint.layout.grid:_is_length": "03c124923f52d6c0",
    "weasyprint.pdf.stream:Stream.set_color": "d289ec41ef8285c2",
    "weasyprint.pdf.stream:Stream.set_alpha": "c9c74350fd9a8fb5",
    "weasyprint.pdf.stream:Stream.set_color_rgb": "c64335d569ba1041",
    "weasyprint.draw.text:draw_first_line": "1bb8eae6d88e71b1",
    "weasyprint.text.line_break:get_last_word_end": "4caf4d28204c57af",
    "weasyprint.pdf.stream:Stream.add_font": "e4226e1117477217",
    "weasyprint.pdf.stream:Stream.set_text_matrix": "af511e392ca2a623",
    "weasyprint.pdf.stream:Stream.set_font_size": "34b9096d1555895d",
    "weasyprint.pdf.stream:Stream.show_text": "3e008af86f62f42c",
    "weasyprint.pdf.stream:Stream.set_text_rise": "298e3340161025b0",
    "weasyprint.pdf.stream:Stream.begin_marked_content": "4348260a8eb6e24f",
    "weasyprint.pdf.stream:Stream.end_marked_content": "8a54f4f87e2ae857",
    "weasyprint.pdf.fonts:Font.__init__": "1f281166b10302a4",
    "weasyprint.draw:draw_inline_level": "068162a401d00efd",
    "weasyprint.formatting_structure.boxes:LineBox": "1a068a4d0ed800f8",
    "weasyprint.pdf.fonts:build_fonts_dictionary": "fc551bef35d0d6c3",
    "weasyprint.pdf.fonts:Font.clean": "794f0211f18453f1",
    "weasyprint.text.line_break:split_first_line": "39ad1016863ca34d",
    "weasyprint.text.line_break:create_layout": "6587192cc0ab3ffa",
    "weasyprint.text.line_break:first_line_metrics": "55ec5d0b58b29a8b",
    "weasyprint.text.line_break:line_size": "03fa04fd51fc69aa",
    "weasyprint.text.line_break:_font_style_cache_key": "d6b09d54b8258d58",
    "weasyprint.text.line_break:Layout.get_first_line": "bb65cbda0e27f135",
    "weasyprint.layout.inline:justify_line": "f83b21ff8793ba6b",
    "weasyprint.layout.inline:count_expandable_spaces": "175fe6f42576ed38",
    "weasyprint.layout.inline:add_word_spacing": "879516e71f1b80fa",
    "weasyprint.formatting_structure.boxes:TextBox": "7fcb818c71c2bb89",
    "weasyprint.layout.inline:iter_line_boxes": "04aec48abfcad809",
    "weasyprint.layout.inline:get_next_linebox": "67af458c2545e74f",
    "weasyprint.pdf.stream:Stream.artifact": "be61e42186804e99",
    "weasyprint.pdf.stream:Stream.marked": "3fa3acacbbf66422",
    "weasyprint.pdf.tags:add_tags": "f0e74575b0bafaf3",
    "weasyprint.layout.absolute:AbsolutePlaceholder": "336e26c56311f105",
    "weasyprint.pdf.anchors:add_links": "262e8b9b299892a7",
    "weasyprint.formatting_structure.boxes:InlineBox": "4feae895b8404092",
    "weasyprint.text.line_break:Layout.deactivate": "bfec3ec8406e1c82",
    "weasyprint.text.line_break:Layout.reactivate": "0b89ee097104b713",
    "weasyprint.layout.block:block_box_layout": "a6279066e3d9ff7d",
    "weasyprint.layout.column:columns_layout": "7a05cce3272fc581",
    "weasyprint.text.line_break:Layout.__init__": "c17d3975d808536e",
    "weasyprint.text.line_break:Layout.setup": "fb227a55094f41d4",
    "weasyprint.text.line_break:Layout.set_text": "fe23ca9937dbf520",
    "weasyprint:CSS.__init__": "8263e6979a389242",
    "weasyprint.css:preprocess_stylesheet": "1e8c36ce59677a54",
    "weasyprint.urls:select_source": "c82df7481cb3694c",
    "weasyprint.text.fonts:FontConfiguration.add_font_face": "e4fcfcc36ed8c310",
    "weasyprint.text.line_break:strut": "b57885b70dd08efe",
    "weasyprint.layout.inline:skip_first_whitespace": "deb2f1a5e2a6c035",
    "weasyprint.layout.inline:split_inline_box": "3a0cb7ca7e34c7ef",
    "weasyprint.layout.inline:is_phantom_linebox": "20b14d5418771dc1",
    "weasyprint.layout.inline:remove_last_whitespace": "53f0c79c9fbbda50",
    "weasyprint.layout.inline:text_align": "e953d41b87ccfc30",
    "weasyprint.layout.inline:line_box_verticality": "1018aadb3410f89a",
    "weasyprint.layout.inline:inline_box_verticality": "5c7109868242013b",
    "weasyprint.layout.float:avoid_collisions": "5fc7793c573af328",
    "weasyprint.formatting_structure.boxes:Box.copy": "22622e6493869089",
    "weasyprint.formatting_structure.boxes:Box.translate": "2e16dfbea8bd7d51",
}


class EngineMismatch(SahifaError):
    """The installed engine is not the one sahifa's patches were written for."""

    def __init__(self, message: str) -> None:
        super().__init__("engine", message)


def fingerprint(obj: object) -> str:
    """A short hash of an object's source text."""
    source = inspect.getsource(obj)  # type: ignore[arg-type]
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:16]


def watched() -> list[str]:
    """Every function whose source the patches depend on, by "module:attr"."""
    from sahifa.render.patches import all_patches

    names: list[str] = []
    for patch in all_patches().values():
        for name in (patch.upstream, *patch.calls):
            if name not in names:
                names.append(name)
    return names


def check(
    versions: dict[str, str] | None = None,
    sources: Iterable[str] | None = None,
    fingerprint_of: Callable[[str], str] | None = None,
) -> None:
    """Raise ``EngineMismatch`` unless the engine is the pinned one (arguments: for tests)."""
    if versions is None:
        import pydyf
        import weasyprint

        versions = {"weasyprint": weasyprint.__version__, "pydyf": pydyf.__version__}
    for package, wanted in VERSIONS.items():
        found = versions.get(package)
        if found != wanted:
            raise EngineMismatch(
                f"sahifa needs {_title(package)} {wanted}, found {found}: its engine patches "
                f"were written for that version (pip install {package}=={wanted})"
            )
    if sources is None and fingerprint_of is None:
        names = watched()
        stamp = _stamp(names, versions)
        if stamp is not None and stamp == _read_stamp():
            return  # the very files (sha256) and functions that passed before: ~40 ms saved
        _check_sources(names, _installed_fingerprint)
        if stamp is not None:
            _write_stamp(stamp)
        return
    _check_sources(sources if sources is not None else watched(),
                   fingerprint_of or _installed_fingerprint)  # fmt: skip


def _check_sources(sources: Iterable[str], fingerprint_of: Callable[[str], str]) -> None:
    for name in sources:
        found = fingerprint_of(name)
        if FINGERPRINTS.get(name) != found:
            raise EngineMismatch(
                f"WeasyPrint's {name} is not the one sahifa's engine patches were written "
                f"for (fingerprint {found}, expected {FINGERPRINTS.get(name)}); reinstall "
                f"weasyprint=={VERSIONS['weasyprint']}"
            )


def _installed_fingerprint(name: str) -> str:
    from sahifa.render.patches import unpatched

    try:
        return fingerprint(unpatched(name))
    except (AttributeError, ImportError, OSError, TypeError) as exc:
        return f"missing ({type(exc).__name__})"


# Start-up: fingerprinting reads and tokenizes the source of every watched function (~40 ms
# of each command). A check that passed is remembered in the user's cache as a stamp of what
# it saw: the sha256 of each source file, and where each function is defined (a function
# replaced at run time, e.g. by exec, is defined elsewhere). The same stamp later means the
# same sources, so the check has passed; anything else checks again in full.
def _stamp_path() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "sahifa"
    return base / "engine-check.json"


def _where(name: str) -> list[Any] | None:
    """The file, line and qualified name a watched function or class is defined at."""
    from sahifa.render.patches import unpatched

    try:
        obj = unpatched(name)
    except (AttributeError, ImportError):
        return None
    code = getattr(getattr(obj, "__func__", obj), "__code__", None)
    if code is not None:
        return [code.co_filename, code.co_firstlineno, code.co_qualname]
    if not inspect.isclass(obj):
        return None
    try:
        file = inspect.getsourcefile(obj)
    except TypeError:
        return None
    # A class made elsewhere (exec) has methods whose code says so.
    own = [v.__code__.co_filename for v in vars(obj).values() if hasattr(v, "__code__")]
    if file is None or any(f != file for f in own):
        return None
    return [file, 0, obj.__qualname__]


def _stamp(names: list[str], versions: dict[str, str]) -> dict[str, Any] | None:
    places: dict[str, list[Any]] = {}
    for name in names:
        place = _where(name)
        if place is None:
            return None
        places[name] = place
    files: dict[str, str] = {}
    try:
        for file in sorted({place[0] for place in places.values()}):
            files[file] = hashlib.sha256(Path(file).read_bytes()).hexdigest()
    except OSError:
        return None
    return {"versions": versions, "fingerprints": FINGERPRINTS, "places": places,
            "files": files, "python": sys.version}  # fmt: skip


def _read_stamp() -> Any:
    try:
        return json.loads(_stamp_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write_stamp(stamp: dict[str, Any]) -> None:
    path = _stamp_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=".engine-check-", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(stamp, handle)
        Path(name).replace(path)  # atomic: a concurrent reader sees the old or the new stamp
    except OSError:
        pass  # no cache: the next command checks in full again


def _title(package: str) -> str:
    return {"weasyprint": "WeasyPrint", "pydyf": "pydyf"}.get(package, package)


def main() -> int:
    """Print the fingerprints of the installed engine, to paste above after an upgrade."""
    from sahifa.render.engine import isolated_fontconfig

    with isolated_fontconfig(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "No fonts configured": intended
        import weasyprint  # noqa: F401
    print("FINGERPRINTS = {")
    for name in watched():
        print(f'    "{name}": "{_installed_fingerprint(name)}",')
    print("}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
