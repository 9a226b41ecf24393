"""Reading a PDF's text layer back, and scoring it against the article it came from.

Word recall is the share of the article's words that a search finds intact in the extracted
text: the measure of the project's ``text_fidelity`` tool, implemented here so the suite
stands alone (presentation forms folded, Arabic-Indic digits read as Western, tashkeel,
tatweel and joiners dropped, bidi controls read as breaks).
"""

from __future__ import annotations

import re
import subprocess
import unicodedata
from collections import Counter
from pathlib import Path

import yaml

DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def article_text(path: Path) -> str:
    raw = path.read_text(encoding="utf-8")
    if path.suffix == ".md" and raw.startswith("---"):
        _, front, body = raw.split("---", 2)
        data = yaml.safe_load(front) or {}
        data["body"] = body
    else:
        data = yaml.safe_load(raw)
    parts = [str(data.get(k) or "") for k in ("kicker", "headline", "deck")]
    body = str(data.get("body") or "")
    body = re.sub(r"^\s{0,3}(#{1,6}|>|[-*+]|\d+\.)\s*", "", body, flags=re.M)
    body = re.sub(r"[*_`]", "", body)
    body = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", body)
    return "\n".join([*parts, body])


def pdftotext(pdf: Path, *args: str) -> str:
    """poppler's text, with the bidi marks it wraps around runs removed and spaces collapsed."""
    text = subprocess.run(
        ["pdftotext", *args, str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    text = re.sub(r"[\u200e\u200f\u202a-\u202e\u2066-\u2069]", " ", text)
    return re.sub(r"[ \t]+", " ", text)


def words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).translate(DIGITS)
    text = re.sub(r"[\u200e\u200f\u202a-\u202e\u2066-\u2069]", " ", text)
    text = re.sub(r"[\u0640\u200b-\u200d\ufeff\u064b-\u065f\u0670\u06d6-\u06ed]", "", text)
    return re.findall(r"[^\W_]+", text)


def word_recall(source: str, extracted: str) -> float:
    want, got = Counter(words(source)), Counter(words(extracted))
    total = sum(want.values())
    return sum(min(n, got[w]) for w, n in want.items()) / total if total else 1.0


def pdfium_text(pdf: Path) -> str:
    """PDFium's text of every page: logical order, as a reader copying from a viewer gets it."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    return "\n".join(page.get_textpage().get_text_range() for page in doc).replace("\r\n", "\n")


# The paper prints ٫ ٬ ٪ for the source's . , % in plain numbers (sahifa.arabic): the same
# characters to a reader, so in-order recall reads them as the source's.
PRINTED = str.maketrans("٫٬٪", ".,%")


def order_recall(source: str, extracted: str, printed: bool = True) -> float:
    """The share of the source's characters found in order in ``extracted`` (the project's
    text-fidelity tool's ``--order``: whitespace, tatweel and bidi controls ignored; with
    ``printed``, the paper's ٫ ٬ ٪ read as . , %)."""
    import difflib

    def norm(text: str) -> str:
        text = unicodedata.normalize("NFKC", text).translate(DIGITS)
        if printed:
            text = text.translate(PRINTED)
        text = re.sub(r"[\u0640\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]", "", text)
        return re.sub(r"\s+", "", text)

    a, b = norm(source), norm(extracted)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / max(len(a), 1)
