"""The state of one PDF being written, passed to the engine patches explicitly.

WeasyPrint calls the patched drawing functions with its own arguments only, so what they need
to know about the write in progress (is it an archive, does it read right to left, the codes
handed out per font, the line box being drawn) lives in a ``WriteContext`` set for the
duration of ``LaidOut.write``. A ``ContextVar`` rather than module globals: the preview and
tests may write from another thread, and each write sees its own context.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from sahifa.render.textlayer.codes import Codes


@dataclass
class WriteContext:
    """What the patches need to know while one PDF is written."""

    # PDF/A: every width in a font dictionary is the glyph's own advance, and the layouts'
    # CMYK colours are written as RGB (an sRGB output intent allows no DeviceCMYK).
    archive: bool = False
    # The document declares /Direction /R2L: PDFium reads every line right to left, so each
    # is written for that reading (``textlayer.lineorder``).
    right_to_left: bool = False
    # The line boxes being drawn, innermost last: their text-less glyphs wait for the line's end.
    line_deferrals: list[Any] = field(default_factory=list)
    # The roles of the document's elements (``structure.roles``): what is tagged, what is
    # furniture. None: WeasyPrint's own tagging (drawn outside a sahifa write).
    roles: Any = None
    codes: dict[int, Codes] = field(default_factory=dict)  # by id() of WeasyPrint's font
    spaces: dict[int, tuple[int, int] | None] = field(default_factory=dict)  # likewise

    def codes_of(self, font: Any) -> Codes:
        codes = self.codes.get(id(font))
        if codes is None:
            codes = self.codes[id(font)] = Codes()
        return codes


_current: ContextVar[WriteContext | None] = ContextVar("sahifa_write", default=None)


def current() -> WriteContext:
    """The write in progress; outside one (a caller drawing through WeasyPrint directly), a
    fresh context for that thread, kept until a write sets its own."""
    context = _current.get()
    if context is None:
        context = WriteContext()
        _current.set(context)
    return context


@contextmanager
def writing(context: WriteContext) -> Iterator[WriteContext]:
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)
