"""Which text each glyph of a shaped run carries into the PDF's text layer. Pure: no engine.

Pango gives each mark (tashkeel) its own cluster; a mark-only cluster joins the letter before
it, and the whole text (letter and marks, or the letters of a ligature) goes on the cluster's
first advancing glyph, whose width in the PDF covers the cluster's other glyphs. A raised base
glyph (GPOS lifts some letters) carries no text: PDFium splits a word where the text rise
changes, so its cluster joins a neighbour of the same word.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

_JOINERS = {"\u200c", "\u200d"}


def _is_mark_only(text: str) -> bool:
    """A cluster of combining marks (tashkeel) or joiners only: it belongs to the letter
    before it."""
    return bool(text) and all(
        unicodedata.category(c) in ("Mn", "Me") or c in _JOINERS for c in text
    )


_TATWEEL = "\u0640".encode()


def _without(utf8: bytes, start: int, end: int, silent: Collection[int]) -> str:
    """The text of ``utf8[start:end]`` without the inserted tatweels at ``silent`` offsets."""
    chunk = utf8[start:end]
    drop = sorted(o - start for o in silent if start <= o < end)
    if drop:
        kept, previous = [], 0
        for offset in drop:
            if chunk[offset : offset + len(_TATWEEL)] == _TATWEEL:
                kept.append(chunk[previous:offset])
                previous = offset + len(_TATWEEL)
        chunk = b"".join([*kept, chunk[previous:]])
    return chunk.decode(errors="replace")


@dataclass
class _Cluster:
    start: int
    text: str
    glyphs: list[int] = field(default_factory=list)  # indices into the run, visual order


@dataclass(frozen=True)
class GlyphText:
    """What one glyph of a run carries into the text layer."""

    text: str | None  # the (merged) cluster's text on its carrier glyph; None on the others
    absorbed_by: int | None = None  # a text-less glyph: the carrier whose width covers it


def assign_texts(
    starts: Sequence[int],
    advances: Sequence[int],
    rises: Sequence[float],
    utf8: bytes,
    rtl: bool,
    empty: Sequence[bool] | None = None,
    silent: Collection[int] = (),
) -> list[GlyphText]:
    """The text each glyph of one run carries.

    ``starts[i]`` is glyph i's cluster start (a byte offset in the run, Pango's
    ``log_clusters``), ``advances[i]`` its advance, ``rises[i]`` its vertical offset;
    ``utf8`` is the run's text in UTF-8 (what the offsets index); ``empty[i]`` marks glyphs
    that draw nothing (Pango's empty glyph). Glyphs are in visual (drawing) order.
    ``silent`` holds the byte offsets of inserted tatweels (kashida justification): they are
    drawn but carry no text, so their glyphs join the letter before them, as marks do.

    A cluster's glyphs are drawn side by side. Its text goes on the first of them that
    advances the pen, and that glyph's width in the PDF covers the advances of the cluster's
    later glyphs: an extractor sees one character box from the cluster's start to its end,
    with no gap where a text-less glyph (a dot, a connecting stroke) is drawn.
    """
    empty = empty or [False] * len(starts)
    bounds = sorted(set(starts))
    ends = dict(zip(bounds, [*bounds[1:], len(utf8)], strict=True))
    clusters: dict[int, _Cluster] = {}
    for index, start in enumerate(starts):
        cluster = clusters.get(start)
        if cluster is None:
            text = _without(utf8, start, ends[start], silent)
            cluster = clusters[start] = _Cluster(start, text)
        cluster.glyphs.append(index)
    # Logical order; marks join the letter before them (they are drawn next to it).
    merged: list[_Cluster] = []
    inserted: set[int] = set()  # glyphs of inserted tatweels: never a carrier
    for start in bounds:
        cluster = clusters[start]
        if not cluster.text:
            inserted.update(cluster.glyphs)
        if merged and (_is_mark_only(cluster.text) or not cluster.text):
            merged[-1].text += cluster.text
            merged[-1].glyphs += cluster.glyphs
        else:
            merged.append(cluster)
    # A raised base glyph (GPOS lifts some letters) must not carry text: PDFium splits the word
    # where the text rise changes. Its cluster joins a neighbour in the same word, preferably
    # the one drawn before it (the next in RTL), whose carrier's width can then cover it.
    raised = [not any(advances[i] > 0 and not rises[i] and not empty[i] for i in c.glyphs)
              and any(rises[i] for i in c.glyphs) for c in merged]  # fmt: skip
    k = 0
    while k < len(merged):
        cluster = merged[k]
        if not raised[k] or cluster.text.isspace():
            k += 1
            continue
        before, after = k - 1, k + 1
        order = (after, before) if rtl else (before, after)
        target = next((t for t in order if 0 <= t < len(merged)
                       and not merged[t].text.isspace()), None)  # fmt: skip
        if target is None:
            k += 1
            continue
        host = merged[target]
        host.glyphs += cluster.glyphs
        host.text = host.text + cluster.text if target < k else cluster.text + host.text
        raised[target] = raised[target] and raised[k]
        del merged[k], raised[k]
        k = min(k, target)
    roles = [GlyphText(None)] * len(starts)
    orphan = ""  # text of a cluster with no drawn glyph, for the next carrier
    last: int | None = None  # the last carrier
    for cluster in merged:
        if not cluster.text:
            continue  # only inserted tatweels, before any letter: text-less glyphs
        glyphs = sorted(i for i in cluster.glyphs if not empty[i])
        advancing = [i for i in glyphs if advances[i] > 0 and i not in inserted] or [
            i for i in glyphs if i not in inserted]
        if not advancing:
            orphan += cluster.text
            continue
        carrier = next((i for i in advancing if not rises[i]), advancing[0])
        roles[carrier] = GlyphText(orphan + cluster.text)
        orphan = ""
        for i in glyphs:
            if i > carrier:
                roles[i] = GlyphText(None, carrier)
            elif i < carrier:
                roles[i] = GlyphText(None)
        last = carrier
    if orphan.strip() and last is not None:
        roles[last] = GlyphText((roles[last].text or "") + orphan)
    return roles
