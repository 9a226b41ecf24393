"""``sahifa check``: everything ``render`` does but writing; the problems a render would meet
(or the press preflight of the press output, ``--press``). For an edition, every story that is
over, under or short of min-body-lines gets its fixes, each verified by laying the page out
again, cheapest first (``sahifa.copyfit.search``); ``--json`` prints the same for tools."""

from __future__ import annotations

import argparse
import json
from typing import TextIO

from sahifa.commands import EXIT_OK, EXIT_PROBLEMS


def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    if args.press:
        from sahifa.press.preflight import run_check

        return run_check(args.article, args.layout, args.pdf_variant, args.strict, stdout, stderr)
    from sahifa.pipeline import RenderJob, check

    job = RenderJob(source=args.article, layout=args.layout, strict=args.strict,
                    root=args.project, suggest=True)  # fmt: skip
    result = check(job)
    problems = [o.problem(result.source) for o in result.overset] + result.fitting_problems
    counts = {kind: sum(1 for s in result.copyfit if s.status == kind)
              for kind in ("over", "under", "short")}  # fmt: skip
    counts["over"] = max(counts["over"], len(result.overset))
    if getattr(args, "json", False):
        report = {
            "source": str(result.source),
            "pages": result.pages,
            "seconds": round(result.seconds, 2),
            "layouts": result.layouts,
            "overset": counts["over"],
            "underset": counts["under"],
            "short": counts["short"],
            "warnings": [str(w) for w in result.warnings],
            "problems": [str(p) for p in problems],
            "stories": [{"story": s.story, "page": s.page, "status": s.status,
                         "lines": s.lines, "words": s.words, "mm": round(s.mm, 1),
                         "continued_on": s.continued_on, "changed": s.changed}
                        for s in result.copyfit],
            "suggestions": [s.as_json() for s in result.suggestions],
        }
        print(json.dumps(report, ensure_ascii=False, indent=1), file=stdout)
        return EXIT_PROBLEMS if problems else EXIT_OK
    for warning in result.warnings:
        print(f"warning: {warning}", file=stderr)
    for problem in problems:
        print(str(problem), file=stdout)
    for suggestion in result.suggestions:
        status = suggestion.status
        print(f"  {status.story} (page {status.page}): {_amount(status)}", file=stdout)
        for rank, fix in enumerate(suggestion.fixes, start=1):
            verified = "verified" if fix.verified else "not verified"
            print(f"    {rank}. [{fix.kind}] {fix.text} ({verified})", file=stdout)
        if not suggestion.fixes:
            print("    no fix within the layout's limits", file=stdout)
    if problems:
        print(f"{counts['over']} overset, {counts['under']} underset, {counts['short']} short "
              f"of min-body-lines ({result.seconds:.1f} s)", file=stdout)  # fmt: skip
        return EXIT_PROBLEMS
    print(f"{result.source}: ok, {result.pages} page(s), nothing overset, 0 underset "
          f"({result.seconds:.1f} s)", file=stdout)  # fmt: skip
    return EXIT_OK


def _amount(status: object) -> str:
    from sahifa.copyfit.rules import StoryStatus

    assert isinstance(status, StoryStatus)
    if status.status == "over":
        return f"over by {status.lines} lines, {status.words} words, {status.mm:.0f} mm"
    if status.status == "under":
        return f"under by {status.lines} lines, {status.mm:.0f} mm"
    if status.status == "cut":
        return f"cut {status.words} words"
    return f"short: {status.detail}"
