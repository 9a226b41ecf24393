"""What the engine's layout depends on besides its input: WeasyPrint's version and the
versions of the libraries that shape and break lines (Pango, HarfBuzz, FriBidi), which a
system upgrade may change under the same WeasyPrint. Measures kept between runs
(``sahifa.copyfit.store``) are only reused by the same engine."""

from __future__ import annotations

import ctypes

_identity: list[str] = []


def engine_identity() -> str:
    if not _identity:
        from sahifa.render.engine import warm_up

        wp = warm_up()
        from weasyprint.text.ffi import pango

        parts = [f"weasyprint {wp.__version__}", f"pango {pango.pango_version()}",
                 f"harfbuzz {_version('libharfbuzz.so.0', 'hb_version_string')}",
                 f"fribidi {_version('libfribidi.so.0', 'fribidi_version_info')}"]  # fmt: skip
        _identity.append("; ".join(parts))
    return _identity[0]


def _version(library: str, symbol: str) -> str:
    """A C library's version: a ``const char *`` function (``*_string``) or variable."""
    try:
        found = ctypes.CDLL(library)
        if symbol.endswith("_string"):
            function = getattr(found, symbol)
            function.restype = ctypes.c_char_p
            return str(function().decode())
        value = ctypes.c_char_p.in_dll(found, symbol).value or b""
        return value.decode().split("\n")[0]
    except (OSError, AttributeError, ValueError):
        return "unknown"
