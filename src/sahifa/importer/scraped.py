"""Scraped plain text (the seed's shape) → an article file, with a report and a loss check.

The shape: masthead boilerplate (dropped), the headline, optionally a short caption line
followed by the full caption (kept once, as the image caption), then paragraphs, section
subheads (short lines without closing punctuation) and run-in heads ("البعد الدبلوماسي: …").
Every input line must come out in the article except dropped boilerplate and lines that
repeat text kept elsewhere; ``convert`` checks that itself before anything is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from sahifa.content.yamlfile import YamlMap, parse_yaml
from sahifa.errors import SahifaError
from sahifa.importer.profile import Profile, collapse

CLOSING = tuple(".!?؟:؛،…\"»)'")  # a line ending so is a sentence, not a subhead
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>])")
_MD_LEADING = re.compile(r"^(#|[-+=>]|\d+[.)])")


@dataclass(frozen=True)
class Block:
    kind: str  # paragraph | subhead | runin
    text: str
    line: int
    label: str = ""  # the run-in head, without its colon

    def markdown(self) -> str:
        if self.kind == "subhead":
            return "## " + _escape(self.text)
        if self.kind == "runin":
            return f"**{_escape(self.label)}:** {_escape(self.text)}"
        return _escape(self.text, leading=True)

    def plain(self) -> str:
        return f"{self.label}: {self.text}" if self.kind == "runin" else self.text


@dataclass
class ImportResult:
    """The article's YAML text and the report of what was dropped or unsure."""

    source: Path
    encoding: str
    yaml_text: str
    headline: str
    caption: str
    blocks: list[Block]
    dropped: list[tuple[int, str, str]] = field(default_factory=list)
    unsure: list[tuple[int, str, str]] = field(default_factory=list)

    def summary(self) -> str:
        count = {kind: sum(1 for b in self.blocks if b.kind == kind) for kind in
                 ("subhead", "runin", "paragraph")}  # fmt: skip
        return (
            f"headline, {'a caption' if self.caption else 'no caption'}, "
            f"{count['subhead']} subhead(s), {count['runin']} run-in head(s), "
            f"{count['paragraph'] + count['runin']} paragraph(s)"
        )


def _escape(text: str, leading: bool = False) -> str:
    """Markdown-escape text so that it prints as written."""
    text = _MD_SPECIAL.sub(r"\\\1", text)
    if leading or _MD_LEADING.match(text):
        text = _MD_LEADING.sub(r"\\\1", text)
    return text


def _words(text: str) -> int:
    return len(text.split())


def convert(text: str, source: Path, encoding: str, profile: Profile) -> ImportResult:
    """Recognise the article in ``text``. Raises ``SahifaError`` if nothing is left of it."""
    dropped: list[tuple[int, str, str]] = []
    unsure: list[tuple[int, str, str]] = []
    items: list[tuple[int, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if collapse(line) in profile.boilerplate:
            dropped.append((number, line, f"boilerplate (profile {profile.name})"))
            continue
        items.append((number, line))
    if not items:
        raise SahifaError("import", "no text left after dropping boilerplate", file=source)
    headline_line, headline = items.pop(0)
    if _words(headline) > 30:
        unsure.append((headline_line, headline, "a long first line taken as the headline"))
    caption = ""
    if len(items) >= 2:
        (short_no, short), (_, full) = items[0], items[1]
        if (
            _words(short) <= profile.caption_max_words
            and _words(full) <= profile.caption_max_words
            and collapse(full).startswith(collapse(short))
            and len(full) > len(short)
        ):
            caption = full
            dropped.append((short_no, short, "short caption line repeated by the full caption"))
            items = items[2:]
    blocks = []
    for number, line in items:
        if collapse(line) == collapse(headline):
            dropped.append((number, line, "repeats the headline"))
            continue
        block = _block(number, line, profile)
        if block.kind == "subhead" and not blocks:
            unsure.append(
                (number, line, "a short line before the first paragraph: taken as a subhead")
            )
        elif block.kind == "paragraph" and _words(line) <= 12 and not line.endswith(CLOSING):
            unsure.append(
                (number, line, "a short line without closing punctuation: kept as a paragraph")
            )
        blocks.append(block)
    if not blocks:
        raise SahifaError("import", "no body text: only a headline was found", file=source)
    yaml_text = _article_yaml(headline, caption, blocks)
    result = ImportResult(source, encoding, yaml_text, headline, caption, blocks, dropped, unsure)
    _check_nothing_lost(text, result)
    return result


_RUNIN = re.compile(r"^(?P<label>[^:.!?؟،؛]+?)\s*:\s*(?P<rest>\S.*)$")


def _block(number: int, line: str, profile: Profile) -> Block:
    match = _RUNIN.match(line)
    if match and _words(match["label"]) <= profile.runin_max_words and _words(match["rest"]) > 3:
        return Block("runin", match["rest"], number, label=match["label"].strip())
    if _words(line) <= profile.subhead_max_words and not line.endswith(CLOSING):
        return Block("subhead", line, number)
    return Block("paragraph", line, number)


class _Dumper(yaml.SafeDumper):
    pass


def _text_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text_representer)


def _article_yaml(headline: str, caption: str, blocks: list[Block]) -> str:
    data: dict[str, object] = {"headline": headline}
    if caption:
        # The photo did not survive the scrape: the caption prints under a placeholder.
        data["image"] = {"caption": caption}
    data["body"] = "\n\n".join(block.markdown() for block in blocks) + "\n"
    header = "# Imported by sahifa import from scraped text; see the import report.\n"
    return header + yaml.dump(
        data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10_000
    )


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _check_nothing_lost(original: str, result: ImportResult) -> None:
    """Read the written article back and find every kept input line in it."""
    data = parse_yaml(result.yaml_text, result.source, category="import")
    assert isinstance(data, YamlMap)
    units = {collapse(str(data["headline"]))}
    image = data.get("image")
    if isinstance(image, dict):
        units.add(collapse(str(image.get("caption", ""))))
    for block in str(data["body"]).split("\n\n"):
        block = block.strip()
        block = re.sub(r"^## ", "", block)
        block = re.sub(r"^\*\*(.+?):\*\* ", lambda m: m[1] + ": ", block)
        units.add(collapse(_unescape(block)))
    skipped = {number for number, _, _ in result.dropped}
    for number, raw in enumerate(original.splitlines(), start=1):
        line = collapse(raw)
        if line and number not in skipped and line not in units:
            raise SahifaError(
                "import", f"line {number} would be lost: {line[:60]}", file=result.source,
                line=number,
            )  # fmt: skip
