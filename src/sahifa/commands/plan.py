"""``sahifa plan``: the flat plan of an edition — every page a thumbnail, every story box
outlined and labelled with its id, words and status (``sahifa.copyfit.flatplan``). Exit 1
when a story is over, under or short of min-body-lines (the plan is written all the same)."""

from __future__ import annotations

import argparse
from typing import TextIO

from sahifa.commands import EXIT_OK, EXIT_PROBLEMS
from sahifa.errors import SahifaError


def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from sahifa.content.edition import is_edition
    from sahifa.copyfit.flatplan import plan_image
    from sahifa.output import write_atomic
    from sahifa.pipeline import RenderJob, build
    from sahifa.preview.raster import png_bytes

    if not is_edition(args.article):
        raise SahifaError("usage", "sahifa plan takes an edition file (with pages:)",
                          file=args.article)  # fmt: skip
    job = RenderJob(source=args.article, layout=args.layout, allow_overset=True,
                    root=args.project, strict=args.strict)  # fmt: skip
    result, data = build(job)
    for warning in result.warnings:
        print(f"warning: {warning}", file=stderr)
    title = f"{result.source.name}: {len(result.copyfit)} stories, " + ", ".join(
        f"{sum(1 for s in result.copyfit if s.status == k)} {k}"
        for k in ("fits", "over", "under", "short", "cut", "continued"))
    image = plan_image(data, result.copyfit, title, result.source)
    write_atomic(args.output, png_bytes(image))
    print(args.output, file=stdout)
    bad = [s for s in result.copyfit if s.status in ("over", "under", "short")]
    return EXIT_PROBLEMS if bad else EXIT_OK
