"""``sahifa text``: a PDF's stories, whole and in reading order, from its structure tree."""

from __future__ import annotations

import argparse
import json
from typing import TextIO

from sahifa.commands import EXIT_OK


def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from sahifa.archive.text import read_stories, stories_json, stories_text

    stories = read_stories(args.pdf)
    if args.json:
        print(json.dumps(stories_json(args.pdf, stories), ensure_ascii=False, indent=2),
              file=stdout)  # fmt: skip
    else:
        print(stories_text(stories), end="", file=stdout)
    return EXIT_OK
