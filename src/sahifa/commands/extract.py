"""``sahifa extract``: the source files a PDF/A archive carries, written back safely."""

from __future__ import annotations

import argparse
from typing import TextIO

from sahifa.commands import EXIT_OK, EXIT_PROBLEMS


def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from sahifa.archive.extract import extract
    from sahifa.errors import Problem, visible

    written, refused = extract(args.pdf, args.output)
    for path in written:
        print(visible(str(path)), file=stdout)  # names come from the PDF: no raw controls
    for name, why in refused:
        print(Problem("extract", f"refused attachment name {name!r}: {why}", file=args.pdf),
              file=stderr)  # fmt: skip
    if not written and not refused:
        print(f"extract: {args.pdf}: no attachments (render with --pdf-variant pdf/a-3b)",
              file=stderr)  # fmt: skip
        return EXIT_PROBLEMS
    return EXIT_PROBLEMS if refused else EXIT_OK
