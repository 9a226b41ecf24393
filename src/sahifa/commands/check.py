"""``sahifa check``: everything ``render`` does but writing; the problems a render would meet
(or the press preflight of the press output, ``--press``)."""

from __future__ import annotations

import argparse
from typing import TextIO

from sahifa.commands import EXIT_OK, EXIT_PROBLEMS


def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    if args.press:
        from sahifa.press.preflight import run_check

        return run_check(args.article, args.layout, args.pdf_variant, args.strict, stdout, stderr)
    from sahifa.pipeline import RenderJob, check

    job = RenderJob(source=args.article, layout=args.layout, strict=args.strict, root=args.project)
    result = check(job)
    for warning in result.warnings:
        print(f"warning: {warning}", file=stderr)
    for overset in result.overset:
        print(str(overset.problem(result.source)), file=stdout)
    if result.overset:
        print(
            f"{len(result.overset)} overset stor{'y' if len(result.overset) == 1 else 'ies'}",
            file=stdout,
        )
        return EXIT_PROBLEMS
    print(f"{result.source}: ok, {result.pages} page(s), nothing overset", file=stdout)
    return EXIT_OK
