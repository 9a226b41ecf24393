"""Patch: page furniture is drawn as an artifact, not as tagged content.

Upstream: ``weasyprint.pdf.stream.Stream.marked`` (WeasyPrint 70.0, pdf/stream.py), wrapped.
WeasyPrint marks every text box and image with an MCID for its structure tree, including the
margin boxes' text (running heads, folios), which its tree then leaves out: content that is
neither in the tree nor an artifact (PDF/UA 7.1). sahifa's tree (``structure_tree``) leaves
out the page's furniture too (masthead, banners, jump lines: ``structure.roles``), so that
content is drawn inside ``/Artifact`` instead. Upstreamable as "margin boxes are artifacts"
(PDF 32000 14.8.2.2: running heads and page numbers are pagination artifacts).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sahifa.render import context
from sahifa.render.patches import Patch


def make(original: Callable[..., Any]) -> Callable[..., Any]:
    @contextmanager
    def marked(self: Any, box: Any, tag: str) -> Iterator[None]:
        roles = context.current().roles
        furniture = roles is not None and roles.is_artifact(getattr(box, "element", None))
        if self._tags is not None and furniture:
            with self.artifact():
                yield
            return
        with original(self, box, tag):
            yield

    return marked


PATCH = Patch(
    target="weasyprint.pdf.stream:Stream.marked",
    upstream="weasyprint.pdf.stream:Stream.marked",
    calls=("weasyprint.pdf.stream:Stream.artifact",),
    make=make,
)
