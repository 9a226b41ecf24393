"""What WeasyPrint loads and says while it works on one document.

Resources load through one fetcher (``sahifa.fetch``) confined to the project's asset folders.
WeasyPrint's log is captured: a refused resource becomes a warning naming the URL, and any
other ERROR fails the render instead of yielding a PDF with holes in it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sahifa.errors import Problem, RenderError, SahifaError
from sahifa.fetch import Fetcher


def url_fetcher(fetcher: Fetcher) -> Any:
    """A WeasyPrint ``URLFetcher`` that loads everything through ``fetcher``."""
    from weasyprint import urls

    class ConfinedURLFetcher(urls.URLFetcher):  # type: ignore[name-defined, misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            data, mime = fetcher.load(url)  # Refused is a ValueError: WeasyPrint logs it
            return urls.URLFetcherResponse(url, data, headers={"Content-Type": mime})

    return ConfinedURLFetcher()


class _LogCapture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class Capture:
    """WeasyPrint's messages and the fetcher's refusals while it works on one document.

    Layout and writing both load resources (SVG images are drawn, and load what they link,
    only while the PDF is written), so both run inside ``capture``.
    """

    def __init__(self, fetcher: Fetcher, source: Path, strict: bool = False) -> None:
        self.fetcher = fetcher
        self.source = source
        self.strict = strict
        self.warnings: list[Problem] = []

    @contextmanager
    def capture(self) -> Iterator[None]:
        handler = _LogCapture()
        wp_log = logging.getLogger("weasyprint")
        wp_log.addHandler(handler)
        refused_before = len(self.fetcher.refused)
        try:
            yield
        finally:
            wp_log.removeHandler(handler)
        if self.fetcher.fatal:
            url, why = self.fetcher.fatal[0]
            raise RenderError(f"{_short(url)}: {why}", file=self.source)
        refused = self.fetcher.refused[refused_before:]
        if refused and self.strict:  # --strict: a refused resource fails the render
            url, why = refused[0]
            raise SahifaError("resource", f"refused {_short(url)}: {why}", file=self.source)
        self.warnings += [
            Problem("resource", f"refused {_short(url)}: {why}", file=self.source)
            for url, why in refused
        ]
        refused_urls = [url for url, _ in self.fetcher.refused]
        for record in handler.records:
            message = record.getMessage().splitlines()[0] if record.getMessage() else "?"
            # A refusal makes WeasyPrint log its own "Failed to load …" for the same URL.
            if any(url in message for url in refused_urls):
                continue
            if message.startswith("Failed to load image"):
                # A broken or unreadable image: the page prints without it; say which.
                self.warnings.append(Problem("resource", _short(message, 160), file=self.source))
            elif record.levelno >= logging.ERROR:
                raise RenderError(f"WeasyPrint: {message}", file=self.source)
            else:
                self.warnings.append(Problem("weasyprint", message, file=self.source))


def _short(url: str, limit: int = 80) -> str:
    return url if len(url) <= limit else url[: limit - 1] + "…"
