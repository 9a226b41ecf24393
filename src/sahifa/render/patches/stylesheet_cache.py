"""Patch: a stylesheet parsed once per process, replayed into each document that links it.

Upstream: ``weasyprint.CSS.__init__`` (WeasyPrint 70.0, __init__.py), replaced. Every
document parses its stylesheets again: tinycss2 tokenizes them, ``preprocess_stylesheet``
validates each declaration and compiles each selector (cssselect2 ``eval``s a test per
selector). In a batch every article links the same layout stylesheets, and parsing them was
8% of a warm worker's CPU time. Here the source is still fetched each time (the document's
URL fetcher checks and records it: an archive's attachments and refusals are unchanged); when
its text, base URL, encoding and media are the ones parsed before, what ``preprocess_stylesheet``
did to the document is replayed instead: the same compiled selectors and declarations added
to the new matcher in the same order, the same page rules appended, the same ``@font-face``
rules handed to the new document's font configuration (which fetches and registers them as
before). Parsed rules, compiled selectors and validated declarations are never changed after
parsing, so documents can share them; the output is byte-identical
(tests/test_stylesheet_cache.py, benchmarks/throughput.py).

Only a stylesheet whose preprocessing did nothing else is kept: none that logged a message
(each document must report it), fetched anything but its fonts (``@import``,
``@color-profile``), declared layers or counter styles, or was itself imported (a matcher or
layer handed in). Upstream fix: a parsed-stylesheet cache keyed by source and base URL.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sahifa.render.patches import Patch


@dataclass(frozen=True)
class Parsed:
    """What preprocessing one stylesheet did to its document, in order."""

    selectors: tuple[tuple[Any, Any], ...]  # matcher.add_selector arguments
    page_rules: tuple[Any, ...]  # appended to the document's page rules
    font_faces: tuple[Any, ...]  # rule descriptors handed to font_config.add_font_face


_parsed: dict[tuple[Any, ...], Parsed] = {}
_MAX_PARSED = 64
REMEMBER = True  # False: every stylesheet parsed afresh (the benchmark's sha256 on/off)


class _RecordingMatcher:
    def __init__(self, matcher: Any) -> None:
        self.matcher = matcher
        self.added: list[tuple[Any, Any]] = []

    def add_selector(self, selector: Any, payload: Any) -> None:
        self.added.append((selector, payload))
        self.matcher.add_selector(selector, payload)


class _RecordingFonts:
    def __init__(self, font_config: Any, url_fetcher: Any) -> None:
        self.font_config = font_config
        self.url_fetcher = url_fetcher  # the document's own, not the one that watches
        self.added: list[Any] = []

    def add_font_face(self, rule_descriptors: Any, _: Any) -> Any:
        self.added.append(rule_descriptors)
        return self.font_config.add_font_face(rule_descriptors, self.url_fetcher)


class _WatchedFetcher:
    """The document's URL fetcher, counting what it is asked for (an ``@import``, a colour
    profile); anything else WeasyPrint reads of it (``_fail_on_errors``) is the fetcher's."""

    def __init__(self, fetcher: Any) -> None:
        self.fetcher = fetcher
        self.calls = 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        return self.fetcher(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.fetcher, name)


class _Flag(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.raised = False

    def emit(self, record: logging.LogRecord) -> None:
        self.raised = True


def make(original: Callable[..., Any]) -> Callable[..., Any]:
    import cssselect2
    import tinycss2
    from weasyprint import css as css_module
    from weasyprint.logger import PROGRESS_LOGGER
    from weasyprint.urls import URLFetcher, select_source

    def __init__(
        self: Any, guess: Any = None, filename: Any = None, url: Any = None,
        file_obj: Any = None, string: Any = None, encoding: Any = None, base_url: Any = None,
        url_fetcher: Any = None, _check_mime_type: bool = False, media_type: str = "print",
        font_config: Any = None, counter_style: Any = None, color_profiles: Any = None,
        matcher: Any = None, page_rules: Any = None, layers: Any = None, layer: Any = None,
    ) -> None:  # fmt: skip
        if matcher is not None or layer is not None:  # an @import: WeasyPrint's own way
            original(self, guess, filename, url, file_obj, string, encoding, base_url,
                     url_fetcher, _check_mime_type, media_type, font_config, counter_style,
                     color_profiles, matcher, page_rules, layers, layer)  # fmt: skip
            return
        # As upstream, to the parsing.
        PROGRESS_LOGGER.info(
            "Step 2 - Fetching and parsing CSS - %s",
            filename or url or getattr(file_obj, "name", "CSS string"))  # fmt: skip
        if url_fetcher is None:
            url_fetcher = URLFetcher()
        if isinstance(base_url, Path):
            base_url = str(base_url)
        result = select_source(
            guess, filename, url, file_obj, string, base_url=base_url,
            url_fetcher=url_fetcher, check_css_mime_type=_check_mime_type)  # fmt: skip
        with result as (file_obj, base_url, protocol_encoding, _mime_type):
            css = file_obj.read()
        self.base_url = base_url
        self.matcher = cssselect2.Matcher()
        self.page_rules = [] if page_rules is None else page_rules
        self.layers = [] if layers is None else layers
        counter_style = {} if counter_style is None else counter_style
        color_profiles = {} if color_profiles is None else color_profiles
        key = (css, encoding, protocol_encoding, base_url, media_type, font_config is None)
        found = _parsed.get(key) if REMEMBER else None
        if found is not None:
            for selector, payload in found.selectors:
                self.matcher.add_selector(selector, payload)
            self.page_rules.extend(found.page_rules)
            for descriptors in found.font_faces:
                font_config.add_font_face(descriptors, url_fetcher)
            return
        if isinstance(css, str):
            stylesheet = tinycss2.parse_stylesheet(css)
        else:
            stylesheet, _ = tinycss2.parse_stylesheet_bytes(
                css, environment_encoding=encoding, protocol_encoding=protocol_encoding)
        matcher_record = _RecordingMatcher(self.matcher)
        fonts_record = None if font_config is None else _RecordingFonts(font_config, url_fetcher)
        fetcher = _WatchedFetcher(url_fetcher)

        pages_before, layers_before = len(self.page_rules), list(self.layers)
        counters_before, profiles_before = dict(counter_style), dict(color_profiles)
        flag = _Flag()
        weasyprint_log = logging.getLogger("weasyprint")
        weasyprint_log.addHandler(flag)
        try:
            css_module.preprocess_stylesheet(
                media_type, base_url, stylesheet, fetcher, matcher_record, self.page_rules,
                self.layers, fonts_record, counter_style, color_profiles)  # fmt: skip
        finally:
            weasyprint_log.removeHandler(flag)
        if (REMEMBER and not flag.raised and not fetcher.calls and self.layers == layers_before
                and counter_style == counters_before and color_profiles == profiles_before):
            if len(_parsed) >= _MAX_PARSED:
                _parsed.clear()
            _parsed[key] = Parsed(
                tuple(matcher_record.added), tuple(self.page_rules[pages_before:]),
                tuple(fonts_record.added) if fonts_record is not None else ())  # fmt: skip

    return __init__


PATCH = Patch(
    target="weasyprint:CSS.__init__",
    upstream="weasyprint:CSS.__init__",
    calls=(
        "weasyprint.css:preprocess_stylesheet",
        "weasyprint.urls:select_source",
        "weasyprint.text.fonts:FontConfiguration.add_font_face",
    ),
    make=make,
)
