"""``sahifa render``: an article or an edition to a PDF (and press output: PDF/X, plates)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, TextIO

from sahifa.commands import EXIT_OK, EXIT_USAGE

if TYPE_CHECKING:
    from sahifa.press.config import PressRequest


def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    import time

    from sahifa.output import write_atomic
    from sahifa.pipeline import RenderJob, prepare, render

    started = time.perf_counter()
    press = _press_request(args)
    if press is not None and (args.pdf_variant or "").startswith(("pdf/a", "pdf/ua")):
        print(f"sahifa render: press output cannot be {args.pdf_variant.upper()} "
              f"(--pdf-variant {args.pdf_variant})", file=stderr)  # fmt: skip
        return EXIT_USAGE
    job = RenderJob(
        source=args.article,
        output=args.output,
        layout=args.layout,
        root=args.project,
        allow_overset=args.allow_overset,
        strict=args.strict,
        allow_remote=args.allow_remote,
        pdf_variant=None if press else args.pdf_variant,
        allow_missing_glyphs=args.allow_missing_glyphs,
        press=press,
    )
    prepared = prepare(job)
    if args.html:
        write_atomic(args.html, prepared.html.encode("utf-8"))
    result = render(job, prepared)
    for warning in result.warnings:
        print(f"warning: {warning}", file=stderr)
    for overset in result.overset:  # only with --allow-overset
        print(f"warning: {overset.problem(result.source)}", file=stderr)
    pages = "page" if result.pages == 1 else "pages"
    seconds = time.perf_counter() - started
    for plate in result.plates:
        print(plate, file=stdout)
    print(f"{result.output}: {result.pages} {pages} in {seconds:.2f} s", file=stdout)
    return EXIT_OK


def _press_request(args: argparse.Namespace) -> PressRequest | None:
    """The press flags of ``render``: None when no press output was asked for."""
    from sahifa.press.config import MARKS, PressRequest, bleed_points

    variant = args.pdf_variant if (args.pdf_variant or "").startswith("pdf/x") else None
    if not (args.press or variant or args.bleed or args.marks or args.split_pages):
        return None
    if args.bleed is not None:
        bleed_points(args.bleed)  # a bad value fails now, naming the flag
    marks = None
    if args.marks is not None:
        marks = tuple(m.strip() for m in args.marks.split(",") if m.strip() not in ("", "none"))
        if any(m not in MARKS for m in marks):
            from sahifa.errors import ConfigError

            raise ConfigError(f"--marks: expected crop, registration or none, got {args.marks!r}")
    return PressRequest(variant=variant, bleed=args.bleed, marks=marks,
                        split_pages=args.split_pages)  # fmt: skip
