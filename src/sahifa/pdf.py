"""HTML → PDF with WeasyPrint: the only module that imports it.

Three things are decided here for every render, whoever calls:
- resources load through one fetcher confined to the project's asset folders (no network,
  no ``file://`` outside them, ``data:`` URIs capped);
- fonts come from the project's ``@font-face`` rules only: WeasyPrint runs on an empty
  Fontconfig configuration, so no font of the machine can slip into a page;
- WeasyPrint's log is captured: a refused resource becomes a warning naming the URL, and any
  other ERROR fails the render instead of yielding a PDF with holes in it.
"""

from __future__ import annotations

import atexit
import datetime as dt
import io
import logging
import os
import tempfile
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from sahifa.errors import Problem, RenderError, SahifaError
from sahifa.fetch import Fetcher

if TYPE_CHECKING:
    from weasyprint.document import Document

log = logging.getLogger("sahifa")

_EMPTY_FONTCONFIG = (
    '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
    "<!-- sahifa: no system fonts; only the project's @font-face fonts exist -->\n"
    "<fontconfig></fontconfig>\n"
)
_weasyprint: Any = None
_fontconfig_file: Path | None = None


@contextmanager
def _isolated_fontconfig() -> Iterator[None]:
    """Point Fontconfig at an empty configuration while WeasyPrint loads one.

    WeasyPrint reads Fontconfig's configuration when it is imported and for each
    ``FontConfiguration``; FONTCONFIG_FILE is read at those moments only, so it is set around
    them and restored, and child processes (a browser for the preview) keep the user's fonts.
    """
    global _fontconfig_file
    if _fontconfig_file is None or not _fontconfig_file.is_file():
        _fontconfig_file = _empty_fontconfig_file()
    path = _fontconfig_file
    saved = os.environ.get("FONTCONFIG_FILE")
    os.environ["FONTCONFIG_FILE"] = str(path)
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("FONTCONFIG_FILE", None)
        else:
            os.environ["FONTCONFIG_FILE"] = saved


def _empty_fontconfig_file() -> Path:
    """The empty Fontconfig configuration, in the user's cache: one file for every process.

    A file per process in /tmp (removed at exit) was left behind by every process that was
    killed: batch and Dask workers, previews; 148 of them were found after two sessions. A
    shared name in /tmp could be planted by another user, so the fallback, when the cache
    cannot be written, stays private to the process."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "sahifa"
    target = base / "empty-fontconfig.conf"
    try:
        if target.read_text(encoding="utf-8") == _EMPTY_FONTCONFIG:
            return target
    except OSError:
        pass
    try:
        base.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=".fontconfig-", suffix=".tmp", dir=base)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(_EMPTY_FONTCONFIG)
        Path(name).replace(target)  # atomic: a concurrent reader sees the old or the new file
        return target
    except OSError:
        fd, name = tempfile.mkstemp(prefix="sahifa-fontconfig-", suffix=".conf")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(_EMPTY_FONTCONFIG)
        atexit.register(Path(name).unlink, missing_ok=True)
        return Path(name)


def weasyprint() -> Any:
    """Import WeasyPrint once (~0.5 s), on an empty Fontconfig, and check HarfBuzz subsetting."""
    global _weasyprint
    if _weasyprint is None:
        with _isolated_fontconfig(), warnings.catch_warnings():
            # "No fonts configured": intended, the fonts come from @font-face.
            warnings.simplefilter("ignore")
            import weasyprint as wp
            from weasyprint.text import ffi

        if ffi.harfbuzz_subset is None:
            log.warning(
                "HarfBuzz subsetting (libharfbuzz-subset0) is not installed: PDFs will be "
                "written 4-8x slower through fontTools. Install it: apt-get install "
                "libharfbuzz-subset0"
            )
        # WeasyPrint repeats that warning for every font of every render; it was said once.
        logging.getLogger("weasyprint").addFilter(
            lambda record: "instead of HarfBuzz-Subset" not in record.getMessage()
        )
        # sahifa.pdf captures WeasyPrint's messages and reports them with the article's name;
        # they must not also reach the user raw through the root logger.
        logging.getLogger("weasyprint").propagate = False
        _fix_rtl_column_rules()
        _skip_fixed_grid_sizing()
        _archive_colours_in_rgb()
        _weasyprint = wp
        set_text_layer("sahifa")
    return _weasyprint


TEXT_LAYERS = ("sahifa", "weasyprint")
_originals: dict[str, Any] = {}


def set_text_layer(mode: str) -> None:
    """Choose how glyphs map to text in the PDFs this process writes: ``sahifa`` (the default:
    ``sahifa.glyphtext``, words come back intact) or ``weasyprint`` (WeasyPrint's own, kept
    for the text-layer benchmark and the test that the pages look the same either way)."""
    import pydyf
    from weasyprint import draw as wp_draw
    from weasyprint import pdf as wp_pdf
    from weasyprint.draw import text as wp_text
    from weasyprint.formatting_structure.boxes import LineBox
    from weasyprint.logger import LOGGER
    from weasyprint.text import ffi as wp_ffi
    from weasyprint.text.line_break import get_last_word_end

    from sahifa import glyphtext

    if mode not in TEXT_LAYERS:
        raise ValueError(f"text layer {mode!r}: expected one of {', '.join(TEXT_LAYERS)}")
    if not _originals:
        _originals["draw"] = wp_text.draw_first_line
        _originals["fonts"] = wp_pdf.build_fonts_dictionary
        _originals["inline"] = wp_draw.draw_inline_level
        parts = SimpleNamespace(
            pango=wp_ffi.pango, ffi=wp_ffi.ffi, FROM_UNITS=wp_ffi.FROM_UNITS,
            TO_UNITS=wp_ffi.TO_UNITS, LOGGER=LOGGER, get_last_word_end=get_last_word_end,
            pydyf=pydyf,
        )  # fmt: skip
        _originals["sahifa-draw"] = glyphtext.make_draw_first_line(parts)
        _originals["sahifa-fonts"] = glyphtext.make_build_fonts_dictionary(pydyf)
        _originals["sahifa-inline"] = glyphtext.make_draw_inline_level(
            wp_draw.draw_inline_level, LineBox, pydyf
        )
    prefix = "sahifa-" if mode == "sahifa" else ""
    # draw_text and SVG text look draw_first_line up in its module; generate_pdf looks
    # build_fonts_dictionary up in weasyprint.pdf, where it was imported.
    wp_text.draw_first_line = _originals[prefix + "draw"]
    wp_pdf.build_fonts_dictionary = _originals[prefix + "fonts"]
    # draw_block_level and draw_stacking_context look draw_inline_level up in their module.
    wp_draw.draw_inline_level = _originals[prefix + "inline"]


def _fix_rtl_column_rules() -> None:
    """Draw column rules in the gaps of right-to-left multi-column boxes.

    WeasyPrint 70 puts each rule to the left of every column but the first, which is right
    for LTR; in RTL the first column is the rightmost, so one rule landed in the left margin
    and the rightmost gap had none (seen on the sample page). Pinned WeasyPrint, so the fix
    replaces that one drawing function; LTR boxes keep WeasyPrint's own code.
    """
    from weasyprint.draw import border

    original = border.draw_column_rules
    if getattr(original, "sahifa_rtl_fix", False):
        return

    def draw_column_rules(stream: Any, box: Any) -> None:
        if box.style["direction"] != "rtl":
            original(stream, box)
            return
        rule_width = box.style["column_rule_width"]
        rule_style = box.style["column_rule_style"]
        border_widths = (0, 0, 0, rule_width)
        if box.style["column_gap"] == "normal":
            gap = box.style["font_size"]  # normal equals 1em
        else:
            gap = border.percentage(box.style["column_gap"], box.style, box.width)
        skip_next = True
        for child in box.children:
            if child.style["column_span"] == "all":
                skip_next = True
                continue
            if skip_next:
                skip_next = False
                continue
            with stream.stacked():
                # The gap lies to the right of an RTL column that is not the first.
                position_x = child.position_x + child.margin_width() + (gap - rule_width) / 2
                border_box = position_x, child.position_y, rule_width, child.height
                border.clip_border_segment(
                    stream, rule_style, rule_width, "left", border_box, border_widths
                )
                color = border.styled_color(
                    rule_style, border.get_color(box.style, "column_rule_color"), "left"
                )
                border.draw_rect_border(stream, border_box, border_widths, rule_style, color)

    draw_column_rules.sahifa_rtl_fix = True  # type: ignore[attr-defined]
    border.draw_column_rules = draw_column_rules


def _skip_fixed_grid_sizing() -> None:
    """Do not lay grid items out to size tracks whose sizes are all fixed lengths.

    WeasyPrint 70 lays every spanning grid item out (a deep copy, unbounded) several times
    while distributing "extra space" to intrinsic tracks, even when no track is intrinsic.
    Edition pages are grids of fixed-size tracks holding multi-column stories, so this made a
    four-page edition take ~90 s a pass. With only fixed tracks there is no extra space to
    distribute, and the function has nothing to do.
    """
    from weasyprint.layout import grid

    original = grid._distribute_extra_space
    if getattr(original, "sahifa_fixed_tracks", False):
        return

    def distribute_extra_space(
        affected_sizes: Any, affected_tracks_types: Any, size_contribution: Any,
        tracks_children: Any, sizing_functions: Any, *args: Any,
    ) -> Any:  # fmt: skip
        if all(grid._is_length(f) for pair in sizing_functions for f in pair):
            return None
        return original(
            affected_sizes, affected_tracks_types, size_contribution, tracks_children,
            sizing_functions, *args,
        )  # fmt: skip

    distribute_extra_space.sahifa_fixed_tracks = True  # type: ignore[attr-defined]
    grid._distribute_extra_space = distribute_extra_space


# Set while a PDF/A document is written: its output intent is sRGB, and PDF/A forbids
# DeviceCMYK under an RGB output intent, so the layouts' CMYK colours are written as RGB there.
_cmyk_as_rgb = False


def _archive_colours_in_rgb() -> None:
    """Write ``device-cmyk()`` colours as RGB while ``_cmyk_as_rgb`` is set (PDF/A archives).

    The layouts are CMYK for the press (K-only black); an archive file is for screens and
    search, and must conform. Naive conversion: K-only black is exactly RGB black."""
    from weasyprint.pdf.stream import Stream

    original = Stream.set_color
    if getattr(original, "sahifa_archive_rgb", False):
        return

    def set_color(self: Any, color: Any, stroke: bool = False) -> None:
        if not (_cmyk_as_rgb and color.space == "device-cmyk"):
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

    set_color.sahifa_archive_rgb = True  # type: ignore[attr-defined]
    Stream.set_color = set_color


def _url_fetcher(fetcher: Fetcher) -> Any:
    """A WeasyPrint ``URLFetcher`` that loads everything through ``fetcher``."""
    urls = weasyprint().urls

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


class _Capture:
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


@dataclass(frozen=True)
class Embedded:
    """A file to attach to the PDF (PDF/A-3 archives carry their sources)."""

    name: str
    data: bytes
    date: dt.datetime
    relationship: str = "Source"
    description: str = ""


@dataclass
class LaidOut:
    """A laid-out document: pages and boxes (for overset checks), not yet written."""

    document: Document
    capture: _Capture

    @property
    def pages(self) -> int:
        return len(self.document.pages)

    @property
    def warnings(self) -> list[Problem]:
        return self.capture.warnings

    def write(
        self,
        identifier: bytes | None = None,
        variant: str | None = None,
        attachments: Sequence[Embedded] = (),
    ) -> bytes:
        """The PDF bytes. ``identifier`` fixes the PDF /ID (derived from content by default);
        ``variant`` is a WeasyPrint PDF variant (``pdf/a-3b``); ``attachments`` are embedded
        with the dates they carry (WeasyPrint would take a file's own ctime/mtime)."""
        options: dict[str, Any] = {}
        if identifier is not None:
            options["pdf_identifier"] = identifier
        if variant:
            options["pdf_variant"] = variant
        if attachments:
            wp = weasyprint()
            options["attachments"] = [
                wp.Attachment(
                    file_obj=io.BytesIO(item.data),
                    name=item.name,
                    description=item.description,
                    created=item.date,
                    modified=item.date,
                    relationship=item.relationship,
                )
                for item in attachments
            ]
        from sahifa.glyphtext import own_widths, right_to_left

        pages = self.document.pages
        rtl = bool(pages) and pages[0]._page_box.style["direction"] == "rtl"
        if rtl:
            options["finisher"] = _declare_reading_order
        global _cmyk_as_rgb
        archive = bool(variant and variant.startswith("pdf/a"))
        with self.capture.capture(), own_widths(archive), right_to_left(rtl):
            _cmyk_as_rgb = archive
            try:
                return bytes(self.document.write_pdf(**options))
            except Exception as exc:
                raise RenderError(
                    f"WeasyPrint failed writing the PDF: {type(exc).__name__}: {exc}",
                    file=self.capture.source,
                ) from exc
            finally:
                _cmyk_as_rgb = False


def _declare_reading_order(document: Any, pdf: Any) -> None:
    """Declare a right-to-left document's reading order (``/ViewerPreferences /Direction
    /R2L``, PDF 32000 12.2): viewers then show facing pages right to left, and PDFium (Chrome's
    viewer) reads every line right to left. Without it PDFium guesses each line's direction
    from its words, and a short line with two Latin words and a comma read as left to right,
    its Arabic words in reverse order. ``sahifa.glyphtext`` writes every line for that
    reading (``right_to_left``)."""
    import pydyf

    preferences = pdf.catalog.setdefault("ViewerPreferences", pydyf.Dictionary())
    preferences["Direction"] = "/R2L"


def lay_out(
    html: str, *, base_url: Path, fetcher: Fetcher, source: Path, strict: bool = False
) -> LaidOut:
    """Lay ``html`` out into pages. Raises ``RenderError`` on any unexplained WeasyPrint error."""
    wp = weasyprint()
    capture = _Capture(fetcher, source, strict)
    with capture.capture():
        try:
            with _isolated_fontconfig():
                font_config = wp.text.fonts.FontConfiguration()
            document = wp.HTML(
                string=html, base_url=base_url.as_uri() + "/", url_fetcher=_url_fetcher(fetcher)
            ).render(font_config=font_config)
        except Exception as exc:  # WeasyPrint raises many types; all mean the same to the desk
            raise RenderError(
                f"WeasyPrint failed: {type(exc).__name__}: {exc}", file=source
            ) from exc
    return LaidOut(document=document, capture=capture)


def _short(url: str, limit: int = 80) -> str:
    return url if len(url) <= limit else url[: limit - 1] + "…"


@dataclass(frozen=True)
class BoxFit:
    """How a story's text sat in its box on the laid-out page."""

    story: str
    page: int
    columns: int
    fitting_words: int  # body words inside the box's own columns
    overflow_words: int  # words that fell into columns beyond the box
    overflow_lines: int
    furniture_overflow: bool = False  # a jump line fell beyond the box
    spilled: bool = False  # part of the box went on to a later page (its head did not fit)

    @property
    def overset(self) -> bool:
        return self.overflow_words > 0 or self.overflow_lines > 0 or self.spilled


def measure_slots(laid_out: LaidOut) -> dict[str, BoxFit]:
    """Measure every ``data-story`` box: which words fit its columns and which overflowed.

    A multi-column box of fixed height puts what does not fit into extra columns beyond its
    edge (off the page in RTL). Those columns are found on the laid-out boxes: the box's
    children that do not span are its columns, in reading order; the first ``column-count``
    are the box, the rest is overset. Words are runs of non-space in the text boxes (as
    ``sahifa.markup`` counts them), so a count maps back to the same place in the body.
    """
    fits: dict[str, BoxFit] = {}
    for number, page in enumerate(laid_out.document.pages, start=1):
        for box in _descendants(page._page_box):  # WeasyPrint pinned: its box tree is stable
            element = getattr(box, "element", None)
            story = element.get("data-story") if element is not None else None
            if not story or not _is_multicol(box):
                continue
            count = int(box.style["column_count"])
            columns = [c for c in box.children if c.style["column_span"] != "all"]
            earlier = fits.get(story)
            if earlier is not None:
                # A box too short even for its head pushes its text onto the next page: all
                # of that fragment is overset, and the edition would gain a page.
                fits[story] = replace(
                    earlier,
                    overflow_words=earlier.overflow_words + sum(_words(c) for c in columns),
                    overflow_lines=earlier.overflow_lines + sum(_lines(c) for c in columns),
                    furniture_overflow=earlier.furniture_overflow
                    or any(_has_furniture(c) for c in columns),
                    spilled=True,
                )
                continue
            inside, beyond = columns[:count], columns[count:]
            fits[story] = BoxFit(
                story=story,
                page=number,
                columns=count,
                fitting_words=sum(_words(c) for c in inside),
                overflow_words=sum(_words(c) for c in beyond),
                overflow_lines=sum(_lines(c) for c in beyond),
                furniture_overflow=any(_has_furniture(c) for c in beyond),
            )
    return fits


def _is_multicol(box: Any) -> bool:
    return box.style["column_count"] != "auto" and bool(getattr(box, "children", None))


def _descendants(box: Any) -> Iterator[Any]:
    yield box
    for child in getattr(box, "children", ()):
        yield from _descendants(child)


def _is_furniture(box: Any) -> bool:
    """Jump lines are added by the layout, not words of the story."""
    element = getattr(box, "element", None)
    return element is not None and "jump" in (element.get("class") or "").split()


def _words(box: Any) -> int:
    if _is_furniture(box):
        return 0
    text = getattr(box, "text", None)
    if isinstance(text, str) and not getattr(box, "children", None):
        return len(text.split())
    return sum(_words(child) for child in getattr(box, "children", ()))


def _lines(box: Any) -> int:
    if _is_furniture(box):
        return 0
    if type(box).__name__ == "LineBox":
        return 1
    return sum(_lines(child) for child in getattr(box, "children", ()))


def _has_furniture(box: Any) -> bool:
    return _is_furniture(box) or any(_has_furniture(c) for c in getattr(box, "children", ()))


def stories_by_page(laid_out: LaidOut) -> dict[int, list[str]]:
    """The ids of the story boxes on each page (the archive's index of an edition)."""
    pages: dict[int, list[str]] = {}
    for number, page in enumerate(laid_out.document.pages, start=1):
        for box in _descendants(page._page_box):
            element = getattr(box, "element", None)
            story = element.get("data-story") if element is not None else None
            if story and story not in pages.setdefault(number, []):
                pages[number].append(story)
    return pages
