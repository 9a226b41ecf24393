"""Where a tatweel is safe, asked of HarfBuzz directly (ctypes).

Pango 1.50 shapes with HarfBuzz but does not pass on ``HB_GLYPH_FLAG_SAFE_TO_INSERT_TATWEEL``
(PangoGlyphVisAttr has no bit for it), so a word is shaped a second time here, with the very
``hb_font_t`` Pango uses for it (``pango_font_get_hb_font``) and the buffer flag
``HB_BUFFER_FLAG_PRODUCE_SAFE_TO_INSERT_TATWEEL`` (HarfBuzz ≥ 5.1). The flag is a permission
(a tatweel before that cluster does not change how the rest is shaped), not a placement rule:
``sites`` chooses among the permitted positions. ctypes rather than cffi: a dozen functions
need no C declarations parsed at start-up (cffi's parser costs ~20 ms a process).
"""

from __future__ import annotations

import ctypes
from functools import cache
from pathlib import Path

_PRODUCE_SAFE_TO_INSERT_TATWEEL = 0x80  # HB_BUFFER_FLAG_…, HarfBuzz 5.1
_SAFE_TO_INSERT_TATWEEL = 0x4  # HB_GLYPH_FLAG_…


class _GlyphInfo(ctypes.Structure):
    """hb_glyph_info_t"""

    _fields_ = [
        ("codepoint", ctypes.c_uint32),
        ("mask", ctypes.c_uint32),
        ("cluster", ctypes.c_uint32),
        ("var1", ctypes.c_uint32),
        ("var2", ctypes.c_uint32),
    ]


_P = ctypes.c_void_p
_SIGNATURES = {
    "hb_buffer_create": (_P, []),
    "hb_buffer_destroy": (None, [_P]),
    "hb_buffer_add_utf8": (None, [_P, ctypes.c_char_p, ctypes.c_int, ctypes.c_uint,
                                  ctypes.c_int]),
    "hb_buffer_guess_segment_properties": (None, [_P]),
    "hb_buffer_set_flags": (None, [_P, ctypes.c_uint]),
    "hb_shape": (None, [_P, _P, _P, ctypes.c_uint]),
    "hb_buffer_get_glyph_infos": (ctypes.POINTER(_GlyphInfo), [_P, ctypes.POINTER(ctypes.c_uint)]),
    "hb_glyph_info_get_glyph_flags": (ctypes.c_uint, [ctypes.POINTER(_GlyphInfo)]),
    "hb_version_atleast": (ctypes.c_int, [ctypes.c_uint, ctypes.c_uint, ctypes.c_uint]),
    "hb_blob_create_from_file": (_P, [ctypes.c_char_p]),
    "hb_blob_destroy": (None, [_P]),
    "hb_face_create": (_P, [_P, ctypes.c_uint]),
    "hb_face_destroy": (None, [_P]),
    "hb_font_create": (_P, [_P]),
    "hb_font_destroy": (None, [_P]),
}  # fmt: skip


@cache
def _library() -> ctypes.CDLL | None:
    # find_library runs ldconfig (~0.1 s): only when the usual names fail.
    names = ["libharfbuzz.so.0", "libharfbuzz.0.dylib", "libharfbuzz-0.dll", None]
    for name in names:
        if name is None:
            from sahifa.render.libraries import find_library

            name = find_library("harfbuzz")
            if name is None:
                break
        try:
            library = ctypes.CDLL(name)
        except OSError:
            continue
        for function, (result, arguments) in _SIGNATURES.items():
            getattr(library, function).restype = result
            getattr(library, function).argtypes = arguments
        return library if library.hb_version_atleast(5, 1, 0) else None
    return None


def available() -> bool:
    """HarfBuzz ≥ 5.1 is loaded: tatweel sites can be known (else no kashida is inserted)."""
    return _library() is not None


def _shape(hb: ctypes.CDLL, font: int, text: str, flags: int) -> list[tuple[int, int, int]]:
    """(glyph, cluster byte offset, glyph flags) of ``text`` shaped with ``font``."""
    data = text.encode()
    buffer = hb.hb_buffer_create()
    try:
        hb.hb_buffer_add_utf8(buffer, data, len(data), 0, len(data))
        hb.hb_buffer_guess_segment_properties(buffer)
        if flags:
            hb.hb_buffer_set_flags(buffer, flags)
        hb.hb_shape(font, buffer, None, 0)
        length = ctypes.c_uint()
        infos = hb.hb_buffer_get_glyph_infos(buffer, ctypes.byref(length))
        return [(infos[i].codepoint, infos[i].cluster,
                 hb.hb_glyph_info_get_glyph_flags(ctypes.byref(infos[i])))
                for i in range(length.value)]  # fmt: skip
    finally:
        hb.hb_buffer_destroy(buffer)


def safe_positions(hb_font: int, word: str) -> frozenset[int]:
    """Character indices ``i`` of ``word`` before which a tatweel is safe, shaped with the
    ``hb_font_t`` at address ``hb_font`` (the font Pango chose for the word)."""
    hb = _library()
    if hb is None or not word:
        return frozenset()
    # Byte offset of each character: HarfBuzz's clusters are byte offsets in the UTF-8 text.
    char_at = {}
    offset = 0
    for index, char in enumerate(word):
        char_at[offset] = index
        offset += len(char.encode())
    shaped = _shape(hb, hb_font, word, _PRODUCE_SAFE_TO_INSERT_TATWEEL)
    return frozenset(char_at[cluster] for _, cluster, flags in shaped
                     if flags & _SAFE_TO_INSERT_TATWEEL and cluster in char_at)  # fmt: skip


def glyphs_of_file(font_file: Path, text: str) -> list[int]:
    """The glyph ids HarfBuzz shapes ``text`` into with the font file ``font_file`` (checks:
    a word set with its tatweels keeps the glyphs it has alone)."""
    hb = _library()
    if hb is None:
        raise RuntimeError("HarfBuzz 5.1 or later is needed")
    blob = hb.hb_blob_create_from_file(str(font_file).encode())
    face = hb.hb_face_create(blob, 0)
    font = hb.hb_font_create(face)
    try:
        return [glyph for glyph, _, _ in _shape(hb, font, text, 0)]
    finally:
        hb.hb_font_destroy(font)
        hb.hb_face_destroy(face)
        hb.hb_blob_destroy(blob)
