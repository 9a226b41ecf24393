"""``sahifa import``: scraped plain-text articles to article files, nothing lost."""

from __future__ import annotations

import argparse
from typing import TextIO

from sahifa.commands import EXIT_OK, EXIT_PROBLEMS


def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from sahifa.importer.command import run
    from sahifa.importer.profile import load_profile
    from sahifa.settings import find_root

    profile = load_profile(find_root(args.inputs[0]), args.profile)
    failed = run(args.inputs, args.output, profile, args.encoding, args.force, stdout, stderr)
    return EXIT_PROBLEMS if failed else EXIT_OK
