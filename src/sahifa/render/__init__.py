"""The engine seam: the only package that imports WeasyPrint or pydyf.

The pipeline calls ``lay_out`` (HTML → pages), ``LaidOut.write`` (pages → PDF bytes),
``measure_slots`` and ``stories_by_page`` (a typed view of the laid-out boxes) and
``warm_up`` (import, check and patch the engine once per process: batch and preview workers
do it before their first item). Inside: ``engine`` (import on an empty Fontconfig),
``compat`` (the pinned versions and fingerprints), ``patches`` (one module per change to
WeasyPrint, each naming its upstream counterpart), ``textlayer`` (pure decisions, no engine),
``glyph_writer``, ``context`` (per-write state), ``capture`` (resources and messages),
``document`` and ``boxes``. WeasyPrint itself is imported on first use, not with this package.
"""

from __future__ import annotations

from sahifa.render.boxes import BoxFit, Elongation, elongations, measure_slots, stories_by_page
from sahifa.render.document import Embedded, LaidOut, lay_out
from sahifa.render.engine import TEXT_LAYERS, set_text_layer, warm_up
from sahifa.render.identity import engine_identity
from sahifa.render.patches.line_split_cache import shared_line_splits

__all__ = [
    "TEXT_LAYERS",
    "BoxFit",
    "Elongation",
    "Embedded",
    "LaidOut",
    "elongations",
    "engine_identity",
    "lay_out",
    "measure_slots",
    "set_text_layer",
    "shared_line_splits",
    "stories_by_page",
    "warm_up",
]
