"""Patch: write ``device-cmyk()`` colours as RGB while a PDF/A archive is written.

Upstream: ``weasyprint.pdf.stream.Stream.set_color`` (WeasyPrint 70.0, pdf/stream.py). The
layouts are CMYK for the press (K-only black); an archive file is for screens and search, and
its output intent is sRGB, under which PDF/A forbids DeviceCMYK. Naive conversion: K-only
black is exactly RGB black. Other writes keep WeasyPrint's own ``set_color``.
Upstream: a conversion of CMYK colours when the variant's output intent is RGB.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sahifa.render import context
from sahifa.render.patches import Patch


def make(original: Callable[..., Any]) -> Callable[..., Any]:
    def set_color(self: Any, color: Any, stroke: bool = False) -> None:
        if not (context.current().archive and color.space == "device-cmyk"):
            original(self, color, stroke)
            return
        *_, alpha = color
        self.set_alpha(alpha, stroke)
        c, m, y, k = color.coordinates
        key = ("cmyk-as-rgb", c, m, y, k)
        current = "_current_color_stroke" if stroke else "_current_color"
        if getattr(self, current) == key:
            return
        setattr(self, current, key)
        self.set_color_rgb((1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k), stroke)

    return set_color


PATCH = Patch(
    target="weasyprint.pdf.stream:Stream.set_color",
    upstream="weasyprint.pdf.stream:Stream.set_color",
    calls=("weasyprint.pdf.stream:Stream.set_alpha", "weasyprint.pdf.stream:Stream.set_color_rgb"),
    make=make,
)
