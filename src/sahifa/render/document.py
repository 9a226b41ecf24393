"""HTML → laid-out pages → PDF bytes: the two calls the pipeline makes of the engine."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sahifa.errors import Problem, RenderError
from sahifa.fetch import Fetcher
from sahifa.render.boxes import reads_right_to_left, root_element
from sahifa.render.capture import Capture, url_fetcher
from sahifa.render.context import WriteContext, writing
from sahifa.render.engine import warm_up
from sahifa.render.font_config import declared_exactly, font_configuration
from sahifa.render.stack import with_headroom
from sahifa.render.structure.roles import Roles
from sahifa.render.threads import add_threads

if TYPE_CHECKING:
    from weasyprint.document import Document


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
    capture: Capture

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
        # Tagged by default: a structure tree story by story (``sahifa.render.structure``).
        options: dict[str, Any] = {"pdf_tags": True}
        if identifier is not None:
            options["pdf_identifier"] = identifier
        if variant:
            options["pdf_variant"] = variant
        if attachments:
            wp = warm_up()
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
        rtl = reads_right_to_left(self.document)
        archive = bool(variant and variant.startswith("pdf/a"))
        roles = document_roles(self.document)
        write = WriteContext(archive=archive, right_to_left=rtl, roles=roles)
        # Article threads: a story read whole by readers that follow beads (PDFBox).
        finishers = [add_threads, *([_declare_reading_order] if rtl else [])]
        if variant in ACCESSIBLE_ARCHIVES:
            finishers.append(_identify_pdf_ua)
        options["finisher"] = lambda document, pdf: [f(document, pdf) for f in finishers]
        with self.capture.capture(), writing(write):
            try:
                return bytes(with_headroom(self.document.write_pdf, **options))
            except Exception as exc:
                raise RenderError(
                    f"WeasyPrint failed writing the PDF: {type(exc).__name__}: {exc}",
                    file=self.capture.source,
                ) from exc


# PDF/A-3a archives are tagged, and sahifa's tags are PDF/UA's: the file says so too. WeasyPrint
# writes one variant's identification; PDF/UA's is added to the XMP packet (``_identify_pdf_ua``),
# with the extension
# schema PDF/A requires for a namespace it does not predefine (ISO 19005-3 6.6.2.3).
ACCESSIBLE_ARCHIVES = ("pdf/a-3a",)
PDF_UA_IDENTIFICATION = b"""<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">
<pdfuaid:part>1</pdfuaid:part></rdf:Description>
<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
 xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"
 xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>
<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">
<pdfaProperty:name>part</pdfaProperty:name>
<pdfaProperty:valueType>Integer</pdfaProperty:valueType>
<pdfaProperty:category>internal</pdfaProperty:category>
<pdfaProperty:description>Part of ISO 14289 to which the file conforms</pdfaProperty:description>
</rdf:li></rdf:Seq></pdfaSchema:property>
</rdf:li></rdf:Bag></pdfaExtension:schemas></rdf:Description>
"""


def _identify_pdf_ua(document: Any, pdf: Any) -> None:
    """Add PDF/UA's identification inside the XMP packet's ``rdf:RDF`` (WeasyPrint's
    ``xmp_metadata`` would put it in a second one, which XMP readers do not see)."""
    import pydyf

    for obj in pdf.objects:
        if isinstance(obj, pydyf.Stream) and obj.extra.get("Type") == "/Metadata":
            packet = b"".join(obj.stream)
            obj.stream = [packet.replace(b"</rdf:RDF>", PDF_UA_IDENTIFICATION + b"</rdf:RDF>", 1)]


def document_roles(document: Document) -> Roles | None:
    """The roles of the document's elements, for its tags (None: an empty document)."""
    root = root_element(document)
    return Roles(root) if root is not None else None


def _declare_reading_order(document: Any, pdf: Any) -> None:
    """Declare a right-to-left document's reading order (``/ViewerPreferences /Direction
    /R2L``, PDF 32000 12.2): viewers then show facing pages right to left, and PDFium (Chrome's
    viewer) reads every line right to left. Without it PDFium guesses each line's direction
    from its words, and a short line with two Latin words and a comma read as left to right,
    its Arabic words in reverse order. the text layer writes every line for that
    reading (``right_to_left``)."""
    import pydyf

    preferences = pdf.catalog.setdefault("ViewerPreferences", pydyf.Dictionary())
    preferences["Direction"] = "/R2L"


def lay_out(
    html: str, *, base_url: Path, fetcher: Fetcher, source: Path, strict: bool = False,
    fonts_key: str | None = None,
) -> LaidOut:  # fmt: skip
    """Lay ``html`` out into pages. Raises ``RenderError`` on any unexplained WeasyPrint error.
    ``fonts_key``: the identity of the pinned fonts the HTML's @font-face rules name (its
    words' measures are then shared with other documents in the same fonts)."""
    from sahifa.render.justify.measure import fonts_known_as

    wp = warm_up()

    def attempt(font_config: Any) -> tuple[Document, Capture]:
        capture = Capture(fetcher, source, strict)
        with capture.capture():
            try:
                with fonts_known_as(fonts_key):
                    document = with_headroom(lambda: wp.HTML(
                        string=html, base_url=base_url.as_uri() + "/",
                        url_fetcher=url_fetcher(fetcher),
                    ).render(font_config=font_config))  # fmt: skip
            except Exception as exc:  # WeasyPrint raises many types; all mean the same
                raise RenderError(
                    f"WeasyPrint failed: {type(exc).__name__}: {exc}", file=source
                ) from exc
        return document, capture

    shared = font_configuration(fonts_key)  # shared by the documents in those fonts
    document, capture = attempt(shared)
    if not declared_exactly(shared):
        # Its @font-face rules were not the ones the configuration has: laid out again in a
        # configuration of its own, as if it were the only document (the same bytes in any
        # batch order).
        document, capture = attempt(font_configuration(None))
    return LaidOut(document=document, capture=capture)
