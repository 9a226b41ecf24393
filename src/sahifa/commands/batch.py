"""``sahifa batch``: every edition and loose article under a folder (archives)."""

from __future__ import annotations

import argparse
from typing import TextIO

from sahifa.commands import EXIT_OK, EXIT_PROBLEMS


def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from sahifa.batch.command import default_jobs, run

    jobs = args.jobs or default_jobs()
    failed = run(args.source, args.output, jobs, args.resume, args.timeout, args.memory_mb,
                 args.strict, stdout, stderr, scheduler=args.scheduler,
                 variant=args.pdf_variant, project=args.project, text=args.text)  # fmt: skip
    return EXIT_PROBLEMS if failed else EXIT_OK
