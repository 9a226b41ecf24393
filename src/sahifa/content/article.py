"""The article model: what a story is, independent of the file it came from.

Models hold validated data only; reading files and reporting problems is ``reader``'s job.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class HijriDate:
    """A Hijri calendar date (year, month 1-12, day)."""

    year: int
    month: int
    day: int


@dataclass(frozen=True)
class Image:
    """The lead image. ``src`` is None when only the caption survived (scraped archives)."""

    src: Path | None
    caption: str = ""
    credit: str = ""


@dataclass(frozen=True)
class Article:
    """One story, as the article format defines it (see README, "Article format")."""

    path: Path
    headline: str
    body: str = ""
    kicker: str = ""
    deck: str = ""
    byline: str = ""
    section: str = ""
    date: dt.date | None = None
    hijri_date: HijriDate | None = None
    image: Image | None = None
    tags: tuple[str, ...] = ()
    body_line: int = 1  # line of the file where the body starts, for messages
    key_lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    @property
    def name(self) -> str:
        """The file name without extension: the default name of the output."""
        return self.path.stem
