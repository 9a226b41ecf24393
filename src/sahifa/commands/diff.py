"""``sahifa diff``: two PDFs compared page by page; the changed areas drawn."""

from __future__ import annotations

import argparse
from typing import TextIO

from sahifa.commands import EXIT_OK, EXIT_PROBLEMS


def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from sahifa.content.yamlfile import read_bytes
    from sahifa.preview.diff import diff_pdfs

    result = diff_pdfs(read_bytes(args.a), read_bytes(args.b), args.output, args.dpi)
    for page in result.changed:
        print(f"page {page.page}: {page.changed_share:.2%} of pixels changed → {page.image}",
              file=stdout)  # fmt: skip
    if result.pages_a != result.pages_b:
        print(f"page count: {result.pages_a} → {result.pages_b}", file=stdout)
    print(
        f"{len(result.changed)} of {max(result.pages_a, result.pages_b)} page(s) changed",
        file=stdout,
    )
    return EXIT_OK if result.identical else EXIT_PROBLEMS
