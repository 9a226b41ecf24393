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
import sys
import warnings
from collections.abc import Callable, Iterable

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
    "weasyprint.layout.block:block_box_layout": "a6279066e3d9ff7d",
    "weasyprint.layout.column:columns_layout": "7a05cce3272fc581",
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
    fingerprint_of = fingerprint_of or _installed_fingerprint
    for name in sources if sources is not None else watched():
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
