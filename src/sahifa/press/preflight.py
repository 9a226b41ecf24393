"""``sahifa check --press``: the press preflight, on the PDF itself.

A source (article or edition) is rendered to press output in memory, or a PDF is read as it
is, and its pages are inspected with pikepdf the way a plant's preflight would:

- every font embedded;
- PDF/X structure: output intent, GTS_PDFXVersion, TrimBox and BleedBox on every page;
- no RGB content in PDF/X-1a (colour operators, colour spaces, images), no DeviceRGB in X-4;
  no transparency in X-1a;
- effective image resolution at print size: pixels ÷ placed size, from the CTM in force where
  the image is drawn (warn below 200 ppi, error below 120);
- total ink coverage (C+M+Y+K) above the plant's limit. Computed from what the page paints
  rather than from a raster: every CMYK/grey colour set in the content, and every pixel of the
  CMYK images (averaged over small blocks, as a plant's densitometer sees an area). Exact for
  flat colours, needs no Ghostscript, and separations stay separate (a raster through PDFium
  is RGB). Registration colour (marks outside the bleed) is not ink on the page.
- from the render: overset stories and characters no font covers.

The report fits a screen: one line per problem naming the file, the page and what; exit 1 on
errors.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import pikepdf
from PIL import Image, ImageChops

from sahifa.errors import Problem, SahifaError
from sahifa.press.cmyk import is_rgb_space

WARN_PPI, ERROR_PPI = 200, 120
PAINTING_OPS = {"f", "F", "f*", "B", "B*", "b", "b*", "S", "s", "Tj", "TJ", "'", '"', "sh"}


@dataclass
class Report:
    """What the preflight found in one PDF."""

    variant: str
    pages: int = 0
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    fonts: int = 0
    images: int = 0
    lowest_ppi: float | None = None
    highest_ink: float = 0.0
    highest_ink_page: int = 0


@dataclass
class _State:
    ctm: tuple[float, ...] = (1, 0, 0, 1, 0, 0)
    fill_space: str = "/DeviceGray"
    stroke_space: str = "/DeviceGray"


def _multiply(m: tuple[float, ...], n: tuple[float, ...]) -> tuple[float, ...]:
    """m × n for PDF matrices [a b c d e f] (m applied first)."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2,
            e * a2 + f * c2 + e2, e * b2 + f * d2 + f2)  # fmt: skip


class _Inspector:
    def __init__(self, report: Report, source: Path | str, ink_limit: int,
                 image_names: dict[tuple[int, int], str]) -> None:  # fmt: skip
        self.report = report
        self.source = source
        self.ink_limit = ink_limit
        self.image_names = image_names
        self.x1a = report.variant == "pdf/x-1a"
        self.image_ink: dict[tuple[int, int], float] = {}
        self.fonts_seen: set[tuple[int, int]] = set()
        self.said: set[tuple[int, str]] = set()

    def problem(self, level: str, page: int, message: str) -> None:
        if (page, message) in self.said:  # one line per thing per page
            return
        self.said.add((page, message))
        where = self.report.errors if level == "error" else self.report.warnings
        where.append(Problem("preflight", f"page {page}: {message}", file=self.source))

    def ink(self, page: int, amount: float, what: str) -> None:
        if amount > self.report.highest_ink:
            self.report.highest_ink, self.report.highest_ink_page = amount, page
        if amount > self.ink_limit + 0.5:
            self.problem("error", page, f"{what}: total ink {amount:.0f}% is over the "
                         f"limit of {self.ink_limit}% (press.ink_limit)")  # fmt: skip

    def space_name(self, resources: pikepdf.Dictionary, name: object) -> object:
        if str(name) in ("/DeviceRGB", "/DeviceCMYK", "/DeviceGray", "/Pattern"):
            return pikepdf.Name(str(name))
        return (resources.get("/ColorSpace") or {}).get(str(name), pikepdf.Name(str(name)))

    def color(self, page: int, space: object, operands: list[float]) -> None:
        family = str(space[0]) if isinstance(space, pikepdf.Array) and len(space) else str(space)
        if family == "/Separation" and str(space[1]) == "/All":
            return  # registration colour: the marks, outside the page
        if is_rgb_space(space):
            if self.x1a or str(space) == "/DeviceRGB":
                self.problem("error", page, "RGB colour in the page content (PDF/X needs CMYK)")
            return
        if family == "/DeviceCMYK" or (family == "/ICCBased" and len(operands) == 4):
            self.ink(page, sum(operands) * 100, "colour " + " ".join(f"{v:g}" for v in operands))
        elif family in ("/DeviceGray", "/CalGray") and len(operands) == 1:
            self.ink(page, (1 - operands[0]) * 100, "grey")
        elif family in ("/Lab", "/ICCBased") and self.x1a:
            self.problem("error", page, f"{family[1:]} colour: PDF/X-1a allows CMYK and spots")

    def run(self, page: int, owner: pikepdf.Object, resources: pikepdf.Dictionary,
            ctm: tuple[float, ...], depth: int = 0) -> None:  # fmt: skip
        self.check_resources(page, resources)
        state, stack = _State(ctm=ctm), []
        for operands, operator in pikepdf.parse_content_stream(owner):
            op = str(operator)
            if op == "q":
                stack.append(_State(state.ctm, state.fill_space, state.stroke_space))
            elif op == "Q" and stack:
                state = stack.pop()
            elif op == "cm":
                state.ctm = _multiply(tuple(float(v) for v in operands), state.ctm)
            elif op in ("rg", "RG"):
                self.color(page, pikepdf.Name.DeviceRGB, [float(v) for v in operands])
            elif op in ("k", "K"):
                self.color(page, pikepdf.Name.DeviceCMYK, [float(v) for v in operands])
            elif op in ("g", "G"):
                self.color(page, pikepdf.Name.DeviceGray, [float(v) for v in operands])
            elif op in ("cs", "CS"):
                space = self.space_name(resources, operands[0])
                if op == "cs":
                    state.fill_space = space  # type: ignore[assignment]
                else:
                    state.stroke_space = space  # type: ignore[assignment]
            elif op in ("sc", "scn", "SC", "SCN"):
                values = [float(v) for v in operands if not isinstance(v, pikepdf.Name)]
                if values:
                    space = state.fill_space if op.islower() else state.stroke_space
                    self.color(page, space, values)
            elif op == "Do" and depth < 8:
                self.draw(page, resources, operands[0], state.ctm, depth)

    def draw(self, page: int, resources: pikepdf.Dictionary, name: object,
             ctm: tuple[float, ...], depth: int) -> None:  # fmt: skip
        xobject = (resources.get("/XObject") or {}).get(str(name))
        if not isinstance(xobject, pikepdf.Stream):
            return
        if xobject.get("/Subtype") == "/Form":
            if self.x1a and str((xobject.get("/Group") or {}).get("/S", "")) == "/Transparency":
                self.problem("error", page, "a transparency group (PDF/X-1a has none)")
            matrix = tuple(float(v) for v in xobject.get("/Matrix", [1, 0, 0, 1, 0, 0]))
            inner = xobject.get("/Resources", resources)
            self.run(page, xobject, inner, _multiply(matrix, ctm), depth + 1)
        elif xobject.get("/Subtype") == "/Image" and not xobject.get("/ImageMask", False):
            self.image(page, xobject, ctm)

    def image(self, page: int, image: pikepdf.Stream, ctm: tuple[float, ...]) -> None:
        self.report.images += 1
        width, height = int(image.Width), int(image.Height)
        name = self.image_names.get((width, height), f"{width}×{height} px")
        placed_w, placed_h = math.hypot(ctm[0], ctm[1]), math.hypot(ctm[2], ctm[3])
        if placed_w > 0 and placed_h > 0:
            ppi = min(width / (placed_w / 72), height / (placed_h / 72))
            low = self.report.lowest_ppi
            self.report.lowest_ppi = ppi if low is None else min(low, ppi)
            size = f"{placed_w / 72 * 25.4:.0f}×{placed_h / 72 * 25.4:.0f} mm"
            if ppi < ERROR_PPI:
                self.problem("error", page, f"image {name}: {ppi:.0f} ppi at print size ({size})"
                             f", below {ERROR_PPI}: it will print blurred")  # fmt: skip
            elif ppi < WARN_PPI:
                self.problem("warning", page, f"image {name}: {ppi:.0f} ppi at print size "
                             f"({size}), below {WARN_PPI}")  # fmt: skip
        space = image.get("/ColorSpace")
        if is_rgb_space(space):
            self.problem("error", page, f"image {name} is RGB (PDF/X needs CMYK images)")
        elif str(space) == "/DeviceCMYK" or (
            isinstance(space, pikepdf.Array) and str(space[0]) == "/ICCBased"
            and int(space[1].get("/N", 0)) == 4
        ):  # fmt: skip
            self.ink(page, self.image_coverage(image), f"image {name}")
        if self.x1a and "/SMask" in image:
            self.problem("error", page, f"image {name} has an alpha mask (PDF/X-1a: none)")

    def image_coverage(self, image: pikepdf.Stream) -> float:
        """The highest C+M+Y+K of a CMYK image, over blocks of ~0.25 Mpx images."""
        if image.objgen in self.image_ink:
            return self.image_ink[image.objgen]
        picture = pikepdf.PdfImage(image).as_pil_image()
        if picture.mode != "CMYK":
            picture = picture.convert("CMYK")
        factor = max(1, round(math.sqrt(picture.width * picture.height / 250_000)))
        if factor > 1:
            picture = picture.reduce(factor)
        # C+M+Y+K per pixel without a Python loop: two halved sums, then their half.
        c, m, y, k = picture.split()
        quarter = ImageChops.add(ImageChops.add(c, m, 2.0), ImageChops.add(y, k, 2.0), 2.0)
        highest = quarter.getextrema()[1] * 4 / 255 * 100
        self.image_ink[image.objgen] = highest
        return highest

    def check_resources(self, page: int, resources: pikepdf.Dictionary) -> None:
        for font in (resources.get("/Font") or {}).values():
            if font.objgen in self.fonts_seen and font.objgen != (0, 0):
                continue
            self.fonts_seen.add(font.objgen)
            self.report.fonts += 1
            if not _embedded(font):
                name = str(font.get("/BaseFont", "?"))[1:]
                self.problem("error", page, f"font {name} is not embedded")
        if not self.x1a:
            return
        for state in (resources.get("/ExtGState") or {}).values():
            alpha = min(float(state.get("/ca", 1)), float(state.get("/CA", 1)))
            soft = str(state.get("/SMask", "/None")) != "/None"
            blend = str(state.get("/BM", "/Normal")) not in ("/Normal", "/Compatible")
            if alpha < 1 or soft or blend:
                self.problem("error", page, "transparency (opacity, soft mask or blend mode)"
                             " in PDF/X-1a")  # fmt: skip


def _embedded(font: pikepdf.Dictionary) -> bool:
    if str(font.get("/Subtype")) == "/Type3":
        return True
    if str(font.get("/Subtype")) == "/Type0":
        font = font.DescendantFonts[0]
    descriptor = font.get("/FontDescriptor")
    return descriptor is not None and any(
        key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
    )


def inspect(
    data: bytes, source: Path | str, variant: str, ink_limit: int,
    image_names: dict[tuple[int, int], str] | None = None,
) -> Report:  # fmt: skip
    """Preflight the PDF ``data`` for ``variant`` (``pdf/x-4`` or ``pdf/x-1a``)."""
    report = Report(variant)
    inspector = _Inspector(report, source, ink_limit, image_names or {})
    with pikepdf.open(io.BytesIO(data)) as pdf:
        report.pages = len(pdf.pages)
        intents = pdf.Root.get("/OutputIntents") or []
        if not any(str(i.get("/S")) == "/GTS_PDFX" and "/DestOutputProfile" in i
                   for i in intents):  # fmt: skip
            report.errors.append(Problem("preflight", "no PDF/X output intent (GTS_PDFX with "
                                         "the plant's ICC profile)", file=source))  # fmt: skip
        if "/GTS_PDFXVersion" not in pdf.docinfo and "GTS_PDFXVersion" not in _xmp(pdf):
            report.errors.append(Problem("preflight", "no GTS_PDFXVersion", file=source))
        for number, page in enumerate(pdf.pages, start=1):
            for box in ("/TrimBox", "/BleedBox"):
                if box not in page.obj:
                    inspector.problem("error", number, f"no {box[1:]}")
            inspector.run(number, page, page.Resources, (1, 0, 0, 1, 0, 0))
    return report


def _xmp(pdf: pikepdf.Pdf) -> str:
    metadata = pdf.Root.get("/Metadata")
    return metadata.read_bytes().decode("utf-8", "replace") if metadata is not None else ""


def _variant_of(data: bytes) -> str | None:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        version = str(pdf.docinfo.get("/GTS_PDFXVersion", ""))
    return "pdf/x-1a" if version.startswith("PDF/X-1") else "pdf/x-4" if version else None


def image_names(files: list[Path]) -> dict[tuple[int, int], str]:
    """Image files by pixel size, so a finding names the file the desk placed."""
    names = {}
    for path in files:
        try:
            with Image.open(path) as picture:
                names[picture.size] = path.name
        except (OSError, Image.DecompressionBombError):  # the render reported it already
            continue
    return names


def _check_is_pdf(data: bytes, source: Path) -> None:
    """One line for a file named .pdf that is none (empty, garbage, HTML saved as .pdf):
    qpdf would "recover" it into an exception that says nothing useful to the desk."""
    if not data:
        raise SahifaError("press", "not a PDF (the file is empty)", file=source)
    if b"%PDF-" not in data[:1024]:  # where the PDF standard allows the header
        raise SahifaError("press", "not a PDF (no %PDF- header)", file=source)


def _unreadable(exc: pikepdf.PdfError, source: Path) -> SahifaError:
    if isinstance(exc, pikepdf.PasswordError):
        return SahifaError("press", "not a PDF the preflight can read: encrypted", file=source)
    # qpdf names the in-memory stream ("stream <_io.BytesIO object at 0x…>: "); the file
    # name is already in the line.
    reason = re.sub(r"^stream <[^>]*>: ", "", str(exc).splitlines()[0] if str(exc) else "")
    return SahifaError("press", f"not a PDF the preflight can read: {reason or 'damaged'}",
                       file=source)  # fmt: skip


def run_check(source: Path, layout: str | None, variant: str | None, strict: bool,
              stdout: TextIO, stderr: TextIO) -> int:  # fmt: skip
    """The command: render (or read) ``source``, inspect, print the report; 0 or 1."""
    from sahifa.content.yamlfile import read_bytes
    from sahifa.settings import find_root, load_settings

    problems: list[Problem] = []
    names: dict[tuple[int, int], str] = {}
    if source.suffix.lower() == ".pdf":
        data = read_bytes(source)
        _check_is_pdf(data, source)
        settings, _ = load_settings(find_root())
        try:
            variant = variant or _variant_of(data) or "pdf/x-4"
        except pikepdf.PdfError as exc:
            raise _unreadable(exc, source) from None
    else:
        from sahifa.archive.inputs import source_files
        from sahifa.pipeline import RenderJob, build, prepare
        from sahifa.press.config import PressRequest

        job = RenderJob(source=source, layout=layout, allow_overset=True, strict=strict,
                        allow_missing_glyphs=True, press=PressRequest(variant=variant))  # fmt: skip
        prepared = prepare(job)
        settings = prepared.settings
        assert prepared.press is not None
        variant = prepared.press.variant
        result, data = build(job, prepared)
        names = image_names(source_files(prepared.source, prepared.article, prepared.edition))
        problems += [w for w in result.warnings if w.category == "fonts"]
        problems += [o.problem(result.source) for o in result.overset]
        for warning in result.warnings:
            if warning.category != "fonts":
                print(f"warning: {warning}", file=stderr)
    limit = settings.press.ink_limit if settings.press else 300
    try:
        report = inspect(data, source, variant, limit, names)
    except pikepdf.PdfError as exc:  # a damaged PDF that qpdf opened but cannot walk
        raise _unreadable(exc, source) from None
    errors = problems + report.errors
    lowest = f", lowest {report.lowest_ppi:.0f} ppi" if report.lowest_ppi is not None else ""
    print(f"preflight {source}: {report.variant.upper()}, {report.pages} page(s), "
          f"{report.fonts} font(s), {report.images} image(s){lowest}, highest ink "
          f"{report.highest_ink:.0f}% (page {report.highest_ink_page}; limit {limit}%)",
          file=stdout)  # fmt: skip
    for problem in _screen(errors, "error"):
        print(problem, file=stdout)
    for problem in _screen(report.warnings, "warning"):
        print(problem, file=stdout)
    print(f"{len(errors)} error(s), {len(report.warnings)} warning(s)", file=stdout)
    return 1 if errors else 0


def _screen(problems: list[Problem], level: str, most: int = 12) -> Iterator[str]:
    """At most ``most`` lines of one level: a report that fits a screen."""
    for problem in problems[:most]:
        yield f"{level}: {problem}"
    if len(problems) > most:
        yield f"{level}: … and {len(problems) - most} more"
