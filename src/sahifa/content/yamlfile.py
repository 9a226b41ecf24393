"""Strict YAML: safe loading, every scalar a string, no duplicate keys, line numbers kept.

Article files are written by many hands. YAML 1.1's implicit typing turns ``no`` into False and
``2024`` into an int, which would print wrong; here every scalar stays the text that was
written, and the model decides what a field means. Mappings remember the line of each key so
errors can point at it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from sahifa.errors import SahifaError

MAX_BYTES = 2 * 1024 * 1024


class YamlMap(dict):
    """A mapping that knows on which line each of its keys was written."""

    lines: dict[str, int]

    def line_of(self, key: str) -> int | None:
        return getattr(self, "lines", {}).get(key)


class _TextLoader(yaml.SafeLoader):
    """SafeLoader with no implicit resolvers (all scalars are str) and no aliases."""

    yaml_implicit_resolvers: dict = {}  # noqa: RUF012 - the class attribute PyYAML reads
    line_offset = 0  # lines of the file before the YAML text (Markdown front matter)

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError(
                None, None, "YAML aliases (*name) are not allowed in sahifa files", event.start_mark
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):  # type: ignore[no-untyped-def]
        if not isinstance(node, yaml.MappingNode):
            return super().construct_mapping(node, deep)
        result = YamlMap()
        result.lines = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                raise yaml.MarkedYAMLError(
                    None, None, "keys must be plain text", key_node.start_mark
                )
            if key in result:
                raise yaml.MarkedYAMLError(
                    None,
                    None,
                    f"duplicate key {key!r} (first on line {result.lines[key]})",
                    key_node.start_mark,
                )
            result[key] = self.construct_object(value_node, deep=True)
            result.lines[key] = key_node.start_mark.line + 1 + self.line_offset
        return result


_TextLoader.add_constructor("tag:yaml.org,2002:map", _TextLoader.construct_mapping)


def parse_yaml(text: str, file: Path, *, first_line: int = 1, category: str = "article") -> Any:
    """Parse YAML text from ``file``; ``first_line`` is where the text starts in the file."""
    loader = _TextLoader(text)
    loader.line_offset = first_line - 1
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + first_line if mark is not None else None
        problem = exc.problem or exc.context or "malformed YAML"
        raise SahifaError(category, f"malformed YAML: {problem}", file=file, line=line) from None
    except yaml.YAMLError as exc:
        raise SahifaError(category, f"malformed YAML: {exc}", file=file) from None
    finally:
        loader.dispose()


def read_text(path: Path, *, category: str = "article", max_bytes: int = MAX_BYTES) -> str:
    """Read a UTF-8 text file, refusing binary, oversized and non-UTF-8 files clearly."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise SahifaError(
                category, f"file is {size} bytes, over the {max_bytes}-byte limit", file=path
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise SahifaError(category, "no such file", file=path) from None
    except IsADirectoryError:
        raise SahifaError(category, "is a directory, not a file", file=path) from None
    except OSError as exc:
        raise SahifaError(category, f"cannot read: {exc.strerror}", file=path) from None
    if b"\x00" in data:
        raise SahifaError(category, "binary file (contains NUL bytes), not text", file=path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SahifaError(
            category,
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "save the file as UTF-8 (sahifa import converts Windows-1256)",
            file=path,
            line=line,
        ) from None
    return text
