"""Patch: font dictionaries keyed by the text layer's codes.

Upstream: ``weasyprint.pdf.fonts.build_fonts_dictionary`` (WeasyPrint 70.0, pdf/fonts.py),
replaced where ``weasyprint.pdf`` imported it. The ``draw_first_line`` patch writes codes, not
glyph ids; here the subset keeps the glyphs used (``to_unicode``'s keys are glyph ids), and
each font gets a ToUnicode map, widths and a CIDToGIDMap keyed by code. Fonts are
TrueType-outline, static and colourless (the registry refuses others), so the one route
suffices. Part of sahifa's text layer.
"""

from __future__ import annotations

from collections.abc import Callable
from math import ceil
from typing import Any

import pydyf

from sahifa.render import context
from sahifa.render.patches import Patch
from sahifa.render.textlayer.codes import TO_UNICODE_HEADER, Codes, cid_to_gid_map, to_unicode_cmap


def make(original: Callable[..., Any]) -> Callable[..., Any]:
    def build_fonts_dictionary(
        pdf: Any, fonts: dict[str, Any], compress: bool, subset: bool, options: dict[str, Any]
    ) -> Any:
        write = context.current()
        pdf_fonts = pydyf.Dictionary()
        by_file: dict[str, list[Any]] = {}
        for font in fonts.values():
            by_file.setdefault(font.hash, []).append(font)
        references = {}
        for file_hash, file_fonts in by_file.items():
            font = file_fonts[0]
            # The glyphs every font of this file used (``to_unicode``'s keys are glyph ids).
            used: dict[int, str] = {0: ""}
            for file_font in file_fonts:
                used.update(file_font.to_unicode)
            font.clean(used, options["hinting"])
            extra = pydyf.Dictionary({"Length1": len(font.file_content)})
            font_stream = pydyf.Stream([font.file_content], extra, compress=compress)
            pdf.add_object(font_stream)
            references[file_hash] = font_stream.reference
        for font in fonts.values():
            codes = write.codes_of(font)
            to_unicode = pydyf.Stream(to_unicode_cmap(codes, TO_UNICODE_HEADER),
                                      compress=compress)  # fmt: skip
            pdf.add_object(to_unicode)
            font_dictionary = pydyf.Dictionary({
                "Type": "/Font", "Subtype": "/Type0", "BaseFont": font.name,
                "Encoding": "/Identity-H", "ToUnicode": to_unicode.reference,
            })  # fmt: skip
            descendant = _descendant_font(pdf, font, codes, references[font.hash], compress,
                                          options["pdf_version"])  # fmt: skip
            font_dictionary["DescendantFonts"] = pydyf.Array([descendant.reference])
            pdf.add_object(font_dictionary)
            pdf_fonts[font.hash] = font_dictionary.reference
        return pdf_fonts

    return build_fonts_dictionary


def _descendant_font(
    pdf: Any, font: Any, codes: Codes, reference: Any, compress: bool, pdf_version: Any
) -> Any:
    widths = codes.widths
    flags = font.flags
    if len(widths) > 2 and len(set(widths[1:])) == 1:
        flags += 1  # FixedPitch
    descriptor = pydyf.Dictionary({
        "Type": "/FontDescriptor", "FontName": font.name,
        "FontFamily": pydyf.String(font.family), "Flags": flags,
        "FontBBox": pydyf.Array((0, font.descent, max(widths), font.ascent)),
        "ItalicAngle": font.italic_angle, "Ascent": font.ascent, "Descent": font.descent,
        "CapHeight": font.ascent, "StemV": font.stemv, "StemH": font.stemh,
        "FontFile2": reference,
    })  # fmt: skip
    if str(pdf_version) <= "1.4":  # PDF/A-1 lists the codes used (CIDSet)
        size = ceil(len(widths) / 8)
        bits = int("1" * len(widths) + "0" * (size * 8 - len(widths)), 2)
        cid_set = pydyf.Stream((bits.to_bytes(size, "big"),), compress=compress)
        pdf.add_object(cid_set)
        descriptor["CIDSet"] = cid_set.reference
    pdf.add_object(descriptor)
    gid_map = pydyf.Stream((cid_to_gid_map(codes),), compress=compress)
    pdf.add_object(gid_map)
    descendant = pydyf.Dictionary({
        "Type": "/Font", "Subtype": "/CIDFontType2", "BaseFont": font.name,
        "CIDSystemInfo": pydyf.Dictionary({
            "Registry": pydyf.String("Adobe"), "Ordering": pydyf.String("Identity"),
            "Supplement": 0,
        }),
        "CIDToGIDMap": gid_map.reference,
        "W": pydyf.Array([1, pydyf.Array(widths[1:])]) if len(widths) > 1 else pydyf.Array(),
        "FontDescriptor": descriptor.reference,
    })  # fmt: skip
    pdf.add_object(descendant)
    return descendant


PATCH = Patch(
    # generate_pdf looks build_fonts_dictionary up in weasyprint.pdf, where it was imported.
    target="weasyprint.pdf:build_fonts_dictionary",
    upstream="weasyprint.pdf.fonts:build_fonts_dictionary",
    calls=("weasyprint.pdf.fonts:Font.clean",),
    make=make,
)
