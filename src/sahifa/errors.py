"""One exception family for everything the user can get wrong.

Every error names where the problem is (file, key, line) so the CLI can print it as one line:
``category: file:line: key: message``. Tracebacks are for bugs, not for bad input.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Problem:
    """A located problem: an error's content, or a warning that does not stop the render."""

    category: str
    message: str
    file: Path | str | None = None
    key: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = ""
        if self.file is not None:
            where = f"{_shown(self.file)}"
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        key = f"{self.key}: " if self.key else ""
        return visible(f"{self.category}: {where}{key}{self.message}")


# C0 controls (newline included: a problem is one line), DEL and C1 controls.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")


def visible(text: str) -> str:
    """``text`` with control characters as ``\\x1b``-style escapes. File names, keys and
    messages come from untrusted files; an ESC sequence printed raw would drive the user's
    terminal (retitle it, hide text, move the cursor), a newline would forge a second line."""
    return _CONTROLS.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


def _shown(path: Path | str) -> str:
    """A path as the user typed it where possible: relative to the working directory."""
    p = Path(os.path.abspath(path))  # not resolve(): name the file typed, not a link's target
    try:
        return str(p.relative_to(Path.cwd()))
    except (ValueError, OSError):
        return str(path)


class SahifaError(Exception):
    """Bad input or a failed render; printed as one line, exit status 1."""

    def __init__(
        self,
        category: str,
        message: str,
        *,
        file: Path | str | None = None,
        key: str | None = None,
        line: int | None = None,
    ) -> None:
        self.problem = Problem(category, message, file, key, line)
        super().__init__(str(self.problem))


class ArticleError(SahifaError):
    """An article file that cannot be read or does not follow the article format."""

    def __init__(self, message: str, **where: object) -> None:
        super().__init__("article", message, **where)  # type: ignore[arg-type]


class ConfigError(SahifaError):
    """A bad ``sahifa.yaml``, ``layout.yaml`` or font manifest."""

    def __init__(self, message: str, **where: object) -> None:
        super().__init__("config", message, **where)  # type: ignore[arg-type]


class RenderError(SahifaError):
    """WeasyPrint could not produce the PDF, or produced it with errors."""

    def __init__(self, message: str, **where: object) -> None:
        super().__init__("render", message, **where)  # type: ignore[arg-type]
