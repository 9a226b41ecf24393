"""Where a tatweel is safe, asked of HarfBuzz directly (cffi).

Pango 1.50 shapes with HarfBuzz but does not pass on ``HB_GLYPH_FLAG_SAFE_TO_INSERT_TATWEEL``
(PangoGlyphVisAttr has no bit for it), so a word is shaped a second time here, with the very
``hb_font_t`` Pango uses for it (``pango_font_get_hb_font``) and the buffer flag
``HB_BUFFER_FLAG_PRODUCE_SAFE_TO_INSERT_TATWEEL`` (HarfBuzz ≥ 5.1). The flag is a permission
(a tatweel before that cluster does not change how the rest is shaped), not a placement rule:
``sites`` chooses among the permitted positions.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import cffi

_CDEF = """
typedef struct hb_buffer_t hb_buffer_t;
typedef struct hb_font_t hb_font_t;
typedef uint32_t hb_codepoint_t;
typedef uint32_t hb_mask_t;
typedef struct {
  hb_codepoint_t codepoint; hb_mask_t mask; uint32_t cluster; uint32_t var1; uint32_t var2;
} hb_glyph_info_t;
hb_buffer_t *hb_buffer_create (void);
void hb_buffer_destroy (hb_buffer_t *buffer);
void hb_buffer_add_utf8 (hb_buffer_t *buffer, const char *text, int text_length,
                         unsigned int item_offset, int item_length);
void hb_buffer_guess_segment_properties (hb_buffer_t *buffer);
void hb_buffer_set_flags (hb_buffer_t *buffer, unsigned int flags);
void hb_shape (hb_font_t *font, hb_buffer_t *buffer, const void *features,
               unsigned int num_features);
hb_glyph_info_t *hb_buffer_get_glyph_infos (hb_buffer_t *buffer, unsigned int *length);
unsigned int hb_glyph_info_get_glyph_flags (const hb_glyph_info_t *info);
int hb_version_atleast (unsigned int major, unsigned int minor, unsigned int micro);
typedef struct hb_blob_t hb_blob_t;
typedef struct hb_face_t hb_face_t;
hb_blob_t *hb_blob_create_from_file (const char *file_name);
void hb_blob_destroy (hb_blob_t *blob);
hb_face_t *hb_face_create (hb_blob_t *blob, unsigned int index);
void hb_face_destroy (hb_face_t *face);
hb_font_t *hb_font_create (hb_face_t *face);
void hb_font_destroy (hb_font_t *font);
"""
_PRODUCE_SAFE_TO_INSERT_TATWEEL = 0x80  # HB_BUFFER_FLAG_…, HarfBuzz 5.1
_SAFE_TO_INSERT_TATWEEL = 0x4  # HB_GLYPH_FLAG_…


@cache
def _library() -> tuple[Any, Any] | None:
    ffi = cffi.FFI()
    ffi.cdef(_CDEF)
    for name in ("libharfbuzz.so.0", "harfbuzz", "libharfbuzz-0.dll", "libharfbuzz.0.dylib"):
        try:
            library = ffi.dlopen(name)
        except OSError:
            continue
        return (ffi, library) if library.hb_version_atleast(5, 1, 0) else None
    return None


def available() -> bool:
    """HarfBuzz ≥ 5.1 is loaded: tatweel sites can be known (else no kashida is inserted)."""
    return _library() is not None


def glyphs_of_file(font_file: Path, text: str) -> list[int]:
    """The glyph ids HarfBuzz shapes ``text`` into with the font file ``font_file`` (checks:
    a word set with its tatweels keeps the glyphs it has alone)."""
    loaded = _library()
    if loaded is None:
        raise RuntimeError("HarfBuzz 5.1 or later is needed")
    ffi, hb = loaded
    blob = hb.hb_blob_create_from_file(str(font_file).encode())
    face = hb.hb_face_create(blob, 0)
    font = hb.hb_font_create(face)
    buffer = hb.hb_buffer_create()
    try:
        data = text.encode()
        hb.hb_buffer_add_utf8(buffer, data, len(data), 0, len(data))
        hb.hb_buffer_guess_segment_properties(buffer)
        hb.hb_shape(font, buffer, ffi.NULL, 0)
        length = ffi.new("unsigned int *")
        infos = hb.hb_buffer_get_glyph_infos(buffer, length)
        return [infos[i].codepoint for i in range(length[0])]
    finally:
        hb.hb_buffer_destroy(buffer)
        hb.hb_font_destroy(font)
        hb.hb_face_destroy(face)
        hb.hb_blob_destroy(blob)


def safe_positions(hb_font: int, word: str) -> frozenset[int]:
    """Character indices ``i`` of ``word`` before which a tatweel is safe, shaped with the
    ``hb_font_t`` at address ``hb_font`` (the font Pango chose for the word)."""
    loaded = _library()
    if loaded is None or not word:
        return frozenset()
    ffi, hb = loaded
    data = word.encode()
    # Byte offset of each character: HarfBuzz's clusters are byte offsets in the UTF-8 text.
    char_at = {}
    offset = 0
    for index, char in enumerate(word):
        char_at[offset] = index
        offset += len(char.encode())
    buffer = hb.hb_buffer_create()
    try:
        hb.hb_buffer_add_utf8(buffer, data, len(data), 0, len(data))
        hb.hb_buffer_guess_segment_properties(buffer)
        hb.hb_buffer_set_flags(buffer, _PRODUCE_SAFE_TO_INSERT_TATWEEL)
        hb.hb_shape(ffi.cast("hb_font_t *", hb_font), buffer, ffi.NULL, 0)
        length = ffi.new("unsigned int *")
        infos = hb.hb_buffer_get_glyph_infos(buffer, length)
        return frozenset(
            char_at[infos[i].cluster]
            for i in range(length[0])
            if hb.hb_glyph_info_get_glyph_flags(ffi.addressof(infos[i])) & _SAFE_TO_INSERT_TATWEEL
            and infos[i].cluster in char_at
        )
    finally:
        hb.hb_buffer_destroy(buffer)
