"""One WeasyPrint font configuration per set of pinned fonts, shared by the documents using it.

WeasyPrint gives each document a ``FontConfiguration`` of its own: a Fontconfig
configuration, each ``@font-face`` font fetched, written to a temporary folder and scanned,
and a Pango font map whose caches (fonts opened, their metrics, shaping plans) start empty.
A batch worker or a fitting lays out many documents in the same fonts: every sahifa document
of a project declares the same ``@font-face`` rules (``fonts.registry``'s ``font_face_css``,
identified by the pinned fonts' hashes, ``fonts_key``). Those documents share one
configuration, and a face it already has is not added again (adding it would also reset
Pango's caches: ``pango_fc_font_map_config_changed``). Same fonts, same shaping, the same
bytes (``tests/test_font_config.py``); 2-8% of a batch's CPU saved (runs on a shared machine).

A document sees exactly the faces it declares, as in a configuration of its own: when its
``@font-face`` rules are not the ones the shared configuration has (CSS that declares other
fonts, or fewer), it is laid out again in a configuration of its own
(``declared_exactly``), so its bytes do not depend on the documents before it, and a
configuration that was given another face is retired: later documents start from a fresh
one, and no document's fonts reach another's pages.
"""

from __future__ import annotations

from typing import Any

from sahifa.render.engine import isolated_fontconfig, warm_up

SHARE = True  # False: a configuration per document, as WeasyPrint (the benchmark's switch)
_MAX_SHARED = 8  # font sets kept (projects, layouts with other fonts); the oldest go first
_shared: dict[str, Any] = {}  # fonts_key → its configuration


def font_configuration(fonts_key: str | None) -> Any:
    """The configuration for a document in the fonts known as ``fonts_key`` (None: unknown
    fonts, a configuration of its own)."""
    wp = warm_up()
    if not SHARE or fonts_key is None:
        with isolated_fontconfig():
            return wp.text.fonts.FontConfiguration()
    config = _shared.get(fonts_key)
    if config is None or config.retired:
        with isolated_fontconfig():
            config = _class()()
        if len(_shared) >= _MAX_SHARED:
            del _shared[next(iter(_shared))]
        _shared[fonts_key] = config
    config.documents += 1
    config.declared = set()
    config.grown = False
    return config


def declared_exactly(config: Any) -> bool:
    """Whether the document just laid out with ``config`` declared exactly its faces."""
    if not hasattr(config, "declared"):
        return True  # a configuration of its own
    return config.declared == set(config.faces) and not config.grown


_made: list[type] = []


def _class() -> type:
    """``FontConfiguration`` that adds each face once (made after WeasyPrint is imported)."""
    if not _made:
        from weasyprint.text.fonts import FontConfiguration

        class SharedFontConfiguration(FontConfiguration):  # type: ignore[misc]
            def __init__(self) -> None:
                super().__init__()
                self.faces: dict[str, Any] = {}  # each face's descriptors → what adding gave
                self.declared: set[str] = set()  # the faces the current document declared
                self.grown = False  # the current document added a face after the first one
                self.documents = 0
                self.retired = False

            def add_font_face(self, rule_descriptors: Any, url_fetcher: Any) -> Any:
                # The descriptors are plain data (names, numbers, URL tuples): their repr
                # tells two faces apart.
                key = repr(sorted(rule_descriptors.items()))
                self.declared.add(key)
                if key not in self.faces:
                    if self.documents > 1:
                        # A face the first document did not declare: never shared again.
                        self.retired = self.grown = True
                    self.faces[key] = super().add_font_face(rule_descriptors, url_fetcher)
                return self.faces[key]

        _made.append(SharedFontConfiguration)
    return _made[0]
