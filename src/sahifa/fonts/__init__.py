"""The paper's pinned fonts: the manifest, metadata read with fontTools, ``@font-face`` CSS.

This package is the only place that imports fontTools.
"""

from sahifa.fonts.registry import FontFile, FontRegistry, load_registry

__all__ = ["FontFile", "FontRegistry", "load_registry"]
