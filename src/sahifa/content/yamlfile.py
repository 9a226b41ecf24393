"""Strict YAML: safe loading, every scalar a string, no duplicate keys, line numbers kept.

Article files are written by many hands. YAML 1.1's implicit typing turns ``no`` into False and
``2024`` into an int, which would print wrong; here every scalar stays the text that was
written, and the model decides what a field means. Mappings remember the line of each key so
errors can point at it.
"""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import yaml

from sahifa.errors import SahifaError

MAX_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 32  # articles nest two levels; deep nesting is an attack on the parser's stack


class YamlMap(dict):
    """A mapping that knows on which line each of its keys was written."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lines: dict[str, int] = {}

    def line_of(self, key: str) -> int | None:
        return self.lines.get(key)


# libyaml's parser when PyYAML has it (10x faster on long articles: a batch resumes by
# reading every source); the checks below work on the composed nodes either way.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _TextLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """A safe loader with no implicit resolvers (all scalars are str) and no aliases."""

    yaml_implicit_resolvers: dict = {}  # noqa: RUF012 - the class attribute PyYAML reads
    line_offset = 0  # lines of the file before the YAML text (Markdown front matter)

    def checked_node(self) -> yaml.Node | None:
        """The document's node tree, refused if it shares a node (an alias) or nests deeper
        than MAX_DEPTH: the guards against alias bombs and stack exhaustion."""
        node = self.get_single_node()
        if node is None:
            return None
        seen: set[int] = set()
        # Depth-first in document order; each node with the mark of where it is used (a key
        # for a mapping value), so a second use — an alias — is reported where it stands.
        stack: list[tuple[yaml.Node, int, yaml.Mark]] = [(node, 1, node.start_mark)]
        while stack:
            current, depth, where = stack.pop()
            if id(current) in seen:
                raise yaml.MarkedYAMLError(
                    None, None, "YAML aliases (*name) are not allowed in sahifa files", where
                )
            seen.add(id(current))
            if depth > MAX_DEPTH:
                raise yaml.MarkedYAMLError(
                    None, None, f"nested more than {MAX_DEPTH} levels deep", current.start_mark
                )
            children: list[tuple[yaml.Node, int, yaml.Mark]] = []
            if isinstance(current, yaml.SequenceNode):
                children = [(child, depth + 1, child.start_mark) for child in current.value]
            elif isinstance(current, yaml.MappingNode):
                for key, value in current.value:
                    children += [
                        (key, depth + 1, key.start_mark),
                        (value, depth + 1, key.start_mark),
                    ]
            stack += reversed(children)
        return node

    def construct_mapping(self, node, deep=False):  # type: ignore[no-untyped-def]
        result = YamlMap()
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


# Only text, lists and mappings: an explicit tag (!!int, !!binary, !!timestamp, !!python/…)
# is an error rather than a value of another type.
_TextLoader.yaml_constructors = {
    "tag:yaml.org,2002:str": yaml.SafeLoader.construct_yaml_str,
    "tag:yaml.org,2002:seq": yaml.SafeLoader.construct_yaml_seq,
    "tag:yaml.org,2002:map": _TextLoader.construct_mapping,
    None: yaml.SafeLoader.construct_undefined,
}


def parse_yaml(text: str, file: Path, *, first_line: int = 1, category: str = "article") -> Any:
    """Parse YAML text from ``file``; ``first_line`` is where the text starts in the file."""
    loader: _TextLoader | None = None
    try:
        loader = _TextLoader(text)  # the reader checks characters here already
        loader.line_offset = first_line - 1
        node = loader.checked_node()
        return None if node is None else loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + first_line if mark is not None else None
        problem = exc.problem or exc.context or "malformed YAML"
        raise SahifaError(category, f"malformed YAML: {problem}", file=file, line=line) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + first_line
        raise SahifaError(
            category, f"malformed YAML: unacceptable character U+{exc.character:04X}",
            file=file, line=line,
        ) from None  # fmt: skip
    except yaml.YAMLError as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise SahifaError(category, f"malformed YAML: {first}", file=file) from None
    finally:
        if loader is not None:
            loader.dispose()


def read_bytes(path: Path, *, category: str = "input", max_bytes: int | None = None) -> bytes:
    """A regular file's bytes, or one ``SahifaError`` line saying why not."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise SahifaError(category, "not a regular file", file=path)
        if max_bytes is not None and info.st_size > max_bytes:
            raise SahifaError(
                category, f"file is {info.st_size} bytes, over the {max_bytes}-byte limit",
                file=path,
            )  # fmt: skip
        return path.read_bytes()
    except FileNotFoundError:
        raise SahifaError(category, "no such file", file=path) from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        reason = getattr(exc, "strerror", None) or exc
        raise SahifaError(category, f"cannot read: {reason}", file=path) from None


def read_text(path: Path, *, category: str = "article", max_bytes: int = MAX_BYTES) -> str:
    """Read a UTF-8 text file, refusing binary, oversized and non-UTF-8 files clearly."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise SahifaError(category, "not a regular file", file=path)
        size = info.st_size
        if size > max_bytes:
            raise SahifaError(
                category, f"file is {size} bytes, over the {max_bytes}-byte limit", file=path
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise SahifaError(category, "no such file", file=path) from None
    except IsADirectoryError:
        raise SahifaError(category, "is a directory, not a file", file=path) from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        raise SahifaError(
            category, f"cannot read: {getattr(exc, 'strerror', exc)}", file=path
        ) from None
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
