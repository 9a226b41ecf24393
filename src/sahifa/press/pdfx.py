"""PDF/X-4 and PDF/X-1a from the PDF WeasyPrint wrote: boxes, marks, CMYK, metadata.

WeasyPrint 70's own ``pdf/x-*`` variants were probed and are not used: no output intent unless
the CSS declares a CMYK ``@color-profile``, the BleedBox capped at 10 pt, RGB crop marks inside
the bleed, and a random XMP DocumentID and wall-clock dates. So sahifa renders a plain PDF with
the bleed in CSS (``@page { bleed }``, which grows the page around the trim and paints the page
background into it) and makes it PDF/X here, with pikepdf (qpdf), deterministically:

- TrimBox is WeasyPrint's (the paper size); BleedBox is the trim plus the bleed asked for; the
  MediaBox grows by the slug that the marks need; page content is clipped to the BleedBox (an
  overset column drawn off the page must not print in the slug).
- Marks are appended to each page in registration colour (``sahifa.press.marks``).
- RGB images and colours become CMYK through the plant's profile (``sahifa.press.cmyk``).
- Link annotations are removed (PDF/X allows no annotation inside the BleedBox; a plate has
  no use for links).
- The output intent (GTS_PDFX, the plant's ICC profile), GTS_PDFXVersion, Trapped and an XMP
  packet with dates from the issue's date and a DocumentID derived from the content.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

import pikepdf

from sahifa.press.cmyk import Converter, convert_image
from sahifa.press.config import PressOptions
from sahifa.press.marks import COLOR_SPACE_NAME, marks_content, slug

FIXED_DATE = dt.date(2000, 1, 1)  # when the source has no date: never the clock
PDFX_VERSION = {"pdf/x-4": "PDF/X-4", "pdf/x-1a": "PDF/X-1a:2003"}
PDF_VERSION = {"pdf/x-4": "1.6", "pdf/x-1a": "1.4"}
_RGB_OPS = {"rg": "k", "RG": "K"}


@dataclass(frozen=True)
class PressMeta:
    """What the metadata says about the document: its date (the issue's or the article's)."""

    date: dt.date | None = None


def make_press_pdf(data: bytes, options: PressOptions, meta: PressMeta) -> bytes:
    """The press file for the PDF WeasyPrint wrote (with the bleed in its CSS)."""
    key = hashlib.sha256(data + repr(_option_key(options)).encode()).hexdigest()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        prepare_pages(pdf, options, Converter(options.icc))
        return finish(pdf, options, meta, key)


def split_plates(press: bytes, options: PressOptions, meta: PressMeta) -> list[bytes]:
    """One PDF/X per page of a press file, each carrying only its own fonts and images."""
    plates = []
    with pikepdf.open(io.BytesIO(press)) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            # A plate is one page: its article beads would bring the other pages along.
            if "/B" in page.obj:
                del page.obj["/B"]
            with pikepdf.new() as plate:
                plate.pages.append(page)
                for key, value in pdf.docinfo.items():  # strings and names: plain values
                    plain = isinstance(value, pikepdf.Name)
                    plate.docinfo[key] = pikepdf.Name(str(value)) if plain else pikepdf.String(
                        str(value))  # fmt: skip
                if "/ViewerPreferences" in pdf.Root:  # the reading order (/Direction /R2L)
                    preferences = pikepdf.Dictionary(dict(pdf.Root.ViewerPreferences.items()))
                    plate.Root.ViewerPreferences = preferences
                plate.remove_unreferenced_resources()
                key = hashlib.sha256(press + str(number).encode()).hexdigest()
                plates.append(finish(plate, options, meta, key))
    return plates


def _option_key(options: PressOptions) -> tuple[object, ...]:
    return (options.variant, round(options.bleed_pt, 4), options.marks,
            hashlib.sha256(options.icc).hexdigest(), options.condition)  # fmt: skip


def prepare_pages(pdf: pikepdf.Pdf, options: PressOptions, converter: Converter) -> None:
    """Boxes, clip, marks, CMYK and no annotations on every page of ``pdf``."""
    registration = pdf.make_indirect(pikepdf.Array([
        pikepdf.Name.Separation, pikepdf.Name.All, pikepdf.Name.DeviceCMYK,
        pikepdf.Dictionary(FunctionType=2, Domain=[0, 1], C0=[0, 0, 0, 0], C1=[1, 1, 1, 1],
                           N=1),
    ]))  # fmt: skip
    seen: set[tuple[int, int]] = set()  # forms and images shared by pages: once each
    images: set[tuple[int, int]] = set()
    for page in pdf.pages:
        trim = [float(v) for v in page.obj.get("/TrimBox", page.MediaBox)]
        b = options.bleed_pt
        bleed = [trim[0] - b, trim[1] - b, trim[2] + b, trim[3] + b]
        s = slug(options.marks)
        media = [bleed[0] - s, bleed[1] - s, bleed[2] + s, bleed[3] + s]
        page.obj.MediaBox = pikepdf.Array([_r(v) for v in media])
        page.obj.BleedBox = pikepdf.Array([_r(v) for v in bleed])
        page.obj.TrimBox = pikepdf.Array([_r(v) for v in trim])
        for box in ("/CropBox", "/ArtBox"):
            if box in page.obj:
                del page.obj[box]
        if "/Annots" in page.obj:
            del page.obj["/Annots"]
            _drop_links(pdf.Root.get("/StructTreeRoot"))
        resources = page.obj.Resources
        for obj in _content_owners(page.obj, resources, seen):
            _rgb_to_cmyk(obj, converter)
        _convert_images(resources, converter, images)
        spaces = resources.get("/ColorSpace")
        if spaces is None:
            resources.ColorSpace = spaces = pikepdf.Dictionary()
        spaces[COLOR_SPACE_NAME] = registration
        x, y = bleed[0], bleed[1]
        w, h = bleed[2] - bleed[0], bleed[3] - bleed[1]
        # The page's own content leaves its graphics state as it likes (WeasyPrint's starts
        # with a flip of the y axis and never restores it): wrap it before adding marks.
        clip = f"q {_n(x)} {_n(y)} {_n(w)} {_n(h)} re W n\n".encode()
        after = b"Q\n" + marks_content((trim[0], trim[1], trim[2], trim[3]), b, options.marks)
        contents = page.obj.Contents
        streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
        page.obj.Contents = pikepdf.Array(
            [pdf.make_stream(clip), *streams, pdf.make_stream(after)]
        )
    if "/AcroForm" in pdf.Root:
        del pdf.Root["/AcroForm"]


def _drop_links(element: Any) -> None:
    """Remove the tagged PDF's ``Link`` elements: their annotations went with the page's."""
    kids = element.get("/K") if isinstance(element, pikepdf.Dictionary) else None
    if not isinstance(kids, pikepdf.Array):
        return
    kept = [kid for kid in kids
            if not (isinstance(kid, pikepdf.Dictionary) and kid.get("/S") == "/Link")]  # fmt: skip
    if len(kept) != len(kids):
        element.K = pikepdf.Array(kept)
    for kid in kept:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            _drop_links(kid)


def _r(value: float) -> float:
    return round(value, 4)


def _n(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".")


def _content_owners(
    page: pikepdf.Dictionary, resources: pikepdf.Dictionary, seen: set[tuple[int, int]]
) -> Iterator[pikepdf.Object]:
    """The page and every Form XObject and tiling pattern it draws (each once)."""
    yield page
    stack = [resources]
    while stack:
        res = stack.pop()
        for group in ("/XObject", "/Pattern"):
            for obj in (res.get(group) or {}).values():
                if not isinstance(obj, pikepdf.Stream) or obj.objgen in seen:
                    continue
                if obj.get("/Subtype") == "/Image":
                    continue
                seen.add(obj.objgen)
                yield obj
                if "/Resources" in obj:
                    stack.append(obj.Resources)


def _rgb_to_cmyk(owner: pikepdf.Object, converter: Converter) -> None:
    """Rewrite RGB colour operators as CMYK (only streams that have any are rewritten)."""
    if isinstance(owner, pikepdf.Dictionary) and "/Contents" in owner:
        contents = owner.Contents
        streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
    else:
        streams = [owner]
    for stream in streams:
        raw = stream.read_bytes()
        if b"rg" not in raw and b"RG" not in raw and b"RGB" not in raw:
            continue
        changed = False
        out = []
        spaces = {"fill": "", "stroke": ""}
        for operands, operator in pikepdf.parse_content_stream(stream):
            op = str(operator)
            if op in ("cs", "CS"):
                spaces["fill" if op == "cs" else "stroke"] = str(operands[0])
                if str(operands[0]) == "/DeviceRGB":
                    operands, changed = [pikepdf.Name.DeviceCMYK], True
            elif op in _RGB_OPS or (op in ("sc", "scn", "SC", "SCN") and len(operands) == 3
                                    and spaces["fill" if op.islower() else "stroke"]
                                    == "/DeviceRGB"):  # fmt: skip
                cmyk = converter.color(*(float(v) for v in operands))
                operands = [pikepdf.objects.Object.parse(str(v).encode()) for v in cmyk]
                operator = pikepdf.Operator(_RGB_OPS.get(op, op))
                changed = True
            out.append((operands, operator))
        if changed:
            stream.write(pikepdf.unparse_content_stream(out))  # compressed when saved


def _convert_images(
    resources: pikepdf.Dictionary, converter: Converter, seen: set[tuple[int, int]]
) -> None:
    stack = [resources]
    while stack:
        res = stack.pop()
        for obj in (res.get("/XObject") or {}).values():
            if not isinstance(obj, pikepdf.Stream):
                continue
            if obj.get("/Subtype") == "/Form" and "/Resources" in obj:
                stack.append(obj.Resources)
            elif obj.get("/Subtype") == "/Image" and obj.objgen not in seen:
                seen.add(obj.objgen)
                convert_image(obj, converter)


def finish(pdf: pikepdf.Pdf, options: PressOptions, meta: PressMeta, key: str) -> bytes:
    """Output intent, Info, XMP, then the bytes: same input, same bytes, no clock."""
    profile = pdf.make_stream(options.icc)
    profile.N = 4
    intent = pikepdf.Dictionary(
        Type=pikepdf.Name.OutputIntent,
        S=pikepdf.Name.GTS_PDFX,
        OutputConditionIdentifier=pikepdf.String(options.condition),
        Info=pikepdf.String(options.info),
        RegistryName=pikepdf.String("http://www.color.org"),
        DestOutputProfile=profile,
    )
    pdf.Root.OutputIntents = pikepdf.Array([intent])
    version = PDFX_VERSION[options.variant]
    date = meta.date or FIXED_DATE
    stamp = f"D:{date:%Y%m%d}000000Z"
    info = pdf.docinfo
    info.GTS_PDFXVersion = pikepdf.String(version)
    if options.variant == "pdf/x-1a":
        info.GTS_PDFXConformance = pikepdf.String(version)
    info.Trapped = pikepdf.Name("/False")
    info.CreationDate = info.get("/CreationDate", pikepdf.String(stamp))
    info.ModDate = info.get("/ModDate", pikepdf.String(stamp))
    title = str(info.get("/Title", ""))
    document_id = uuid.UUID(hashlib.sha256(key.encode()).hexdigest()[:32])
    xmp = _xmp(version, f"{date:%Y-%m-%d}T00:00:00Z", title, document_id)
    pdf.Root.Metadata = pdf.make_stream(xmp, Type=pikepdf.Name.Metadata,
                                        Subtype=pikepdf.Name.XML)  # fmt: skip
    # PDF/X-1a:2003 is PDF 1.4: no object or cross-reference streams.
    streams = pikepdf.ObjectStreamMode.generate
    if options.variant == "pdf/x-1a":
        streams = pikepdf.ObjectStreamMode.disable
    out = io.BytesIO()
    pdf.save(
        out,
        deterministic_id=True,  # /ID from the content, not random
        force_version=PDF_VERSION[options.variant],
        object_stream_mode=streams,
        compress_streams=True,
        fix_metadata_version=False,
    )
    return out.getvalue()


def _xmp(version: str, date: str, title: str, document_id: uuid.UUID) -> bytes:
    """The XMP packet PDF/X-4 requires (X-1a readers take it too), built from fixed values."""
    x4 = version == "PDF/X-4"
    pdfx_id = f"<pdfxid:GTS_PDFXVersion>{version}</pdfxid:GTS_PDFXVersion>" if x4 else ""
    return f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about=""
 xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:xmp="http://ns.adobe.com/xap/1.0/"
 xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"
 xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
 xmlns:pdfx="http://ns.adobe.com/pdfx/1.3/"
 xmlns:pdfxid="http://www.npes.org/pdfx/ns/id/">
<dc:format>application/pdf</dc:format>
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(title)}</rdf:li></rdf:Alt></dc:title>
<xmp:CreateDate>{date}</xmp:CreateDate>
<xmp:ModifyDate>{date}</xmp:ModifyDate>
<xmp:MetadataDate>{date}</xmp:MetadataDate>
<xmp:CreatorTool>sahifa</xmp:CreatorTool>
<xmpMM:DocumentID>uuid:{document_id}</xmpMM:DocumentID>
<xmpMM:InstanceID>uuid:{document_id}</xmpMM:InstanceID>
<xmpMM:VersionID>1</xmpMM:VersionID>
<xmpMM:RenditionClass>default</xmpMM:RenditionClass>
<pdf:Trapped>False</pdf:Trapped>
<pdfx:GTS_PDFXVersion>{version}</pdfx:GTS_PDFXVersion>
{pdfx_id}
</rdf:Description>
</rdf:RDF>
</x:xmpmeta>
<?xpacket end="r"?>""".encode()


def with_bleed(html: str, bleed_pt: float) -> str:
    """The composed page with the bleed asked of WeasyPrint: the page box (the trim) keeps
    its size and layout, the sheet grows around it and the page background fills it."""
    rule = f"<style>@page {{ bleed: {bleed_pt:.4f}pt; }}</style>\n"
    head = html.find("</head>")
    return html[:head] + rule + html[head:] if head >= 0 else rule + html
