"""``sahifa proof``: render and write one PNG per page."""

from __future__ import annotations

import argparse
from typing import TextIO

from sahifa.commands import EXIT_OK


def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from sahifa.pipeline import RenderJob, build
    from sahifa.preview.raster import write_proofs

    job = RenderJob(source=args.article, layout=args.layout, allow_overset=True,
                    root=args.project, strict=args.strict)  # fmt: skip
    result, data = build(job)
    for warning in result.warnings:
        print(f"warning: {warning}", file=stderr)
    for path in write_proofs(data, args.output, args.dpi):
        print(path, file=stdout)
    return EXIT_OK
