"""The ``sahifa`` command line: a thin argparse layer over the pipeline.

Heavy modules (WeasyPrint, fontTools, Jinja2) are imported inside the commands, so ``sahifa
--help`` answers at once. Exit status: 0 success, 1 bad input or problems found, 2 usage error.
Bad input prints one line per problem; a traceback only with ``--debug``.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from sahifa.press.config import PressRequest

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def _dpi(text: str) -> float:
    """``--dpi``: a finite resolution a page can be rasterised at. 0, nan or 100000 would
    reach PDFium as a crop error or a multi-gigabyte bitmap."""
    try:
        dpi = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 10 <= dpi <= 1200:  # also false for nan; inf is over 1200
        raise argparse.ArgumentTypeError(f"expected 10 to 1200, got {text}")
    return dpi


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sahifa",
        description="Arabic newspaper pages from article files (YAML/Markdown) to print-ready PDF.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks of failures")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    render = commands.add_parser("render", help="render an article or an edition to a PDF")
    render.add_argument(
        "article", type=Path, help="article file (.yaml, .yml, .md) or edition file (pages:)"
    )
    render.add_argument(
        "-o", "--output", type=Path, help="PDF to write (default: build/<article-name>.pdf)"
    )
    render.add_argument("--layout", help="layout name (a folder under layouts/)")
    _project_option(render)
    render.add_argument("--html", type=Path, help="also write the composed HTML here")
    render.add_argument(
        "--allow-overset", action="store_true", help="write the PDF even if stories do not fit"
    )
    render.add_argument(
        "--pdf-variant", choices=["pdf/a-3b", "pdf/x-4", "pdf/x-1a"],
        help="archival PDF/A-3b carrying its sources (see sahifa extract), or press PDF/X",
    )  # fmt: skip
    render.add_argument(
        "--press", action="store_true",
        help="press output with the press: preset of sahifa.yaml (PDF/X, bleed, marks, CMYK)",
    )  # fmt: skip
    render.add_argument("--bleed", help="press: bleed on every side, e.g. 3mm (preset's)")
    render.add_argument(
        "--marks", help="press: crop,registration | crop | none (default: the preset's)"
    )
    render.add_argument(
        "--split-pages", action="store_true",
        help="press: one PDF per page into the -o folder, named by press.split_pattern",
    )  # fmt: skip
    for command in (render,):
        command.add_argument(
            "--strict", action="store_true", help="a refused resource fails the render"
        )
        command.add_argument(
            "--allow-missing-glyphs", action="store_true",
            help="a character no font covers is a warning, not an error",
        )  # fmt: skip
        command.add_argument(
            "--allow-remote", action="store_true",
            help="fetch http(s) images, fonts and stylesheets (10 s timeout, 10 MB cap)",
        )  # fmt: skip
    # SUPPRESS: "sahifa --debug render" must not be reset by the subcommand's default.
    render.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS
    )
    check = commands.add_parser(
        "check", help="validate and lay out without writing a PDF; report problems (exit 1)"
    )
    check.add_argument("article", type=Path, help="article or edition file")
    check.add_argument("--layout", help="layout name (a folder under layouts/)")
    _project_option(check)
    check.add_argument("--strict", action="store_true", help="a refused resource is an error")
    check.add_argument(
        "--press", action="store_true",
        help="press preflight of the press output (or of SOURCE when it is a PDF)",
    )  # fmt: skip
    check.add_argument(
        "--pdf-variant", choices=["pdf/x-4", "pdf/x-1a"], help="press: the variant to check"
    )
    check.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS
    )
    proof = commands.add_parser("proof", help="render and write one PNG per page")
    proof.add_argument("article", type=Path, help="article or edition file")
    proof.add_argument("-o", "--output", type=Path, required=True, help="folder for the PNGs")
    proof.add_argument("--dpi", type=_dpi, default=100, help="resolution (default 100)")
    proof.add_argument("--layout", help="layout name (a folder under layouts/)")
    _project_option(proof)

    diff = commands.add_parser(
        "diff", help="compare two PDFs page by page; exit 0 identical, 1 different"
    )
    diff.add_argument("a", type=Path, help="the old PDF")
    diff.add_argument("b", type=Path, help="the new PDF")
    diff.add_argument("-o", "--output", type=Path, required=True, help="folder for diff images")
    diff.add_argument("--dpi", type=_dpi, default=60, help="resolution (default 60)")

    preview = commands.add_parser(
        "preview", help="serve live page images on 127.0.0.1 that follow every save"
    )
    preview.add_argument("article", type=Path, help="article or edition file")
    preview.add_argument("--layout", help="layout name (a folder under layouts/)")
    _project_option(preview)
    preview.add_argument("--port", type=int, default=8000, help="port (default 8000; 0: any)")
    preview.add_argument("--dpi", type=_dpi, default=60, help="image resolution (default 60)")

    batch = commands.add_parser(
        "batch", help="render every edition and loose article under a folder (archives)"
    )
    batch.add_argument("source", type=Path, help="folder of editions and articles")
    batch.add_argument("-o", "--output", type=Path, required=True, help="output folder")
    _project_option(batch, "the project (default: the working directory's, never one inside "
                    "SOURCE)")  # fmt: skip
    batch.add_argument("--jobs", type=int, default=0, help="worker processes (default: cores)")
    batch.add_argument("--resume", action="store_true", help="skip items already rendered")
    batch.add_argument("--timeout", type=float, default=300, help="seconds per item (300)")
    batch.add_argument("--memory-mb", type=int, default=4096, help="memory cap per item (4096)")
    batch.add_argument(
        "--pdf-variant", choices=["pdf/a-3b"], help="archival PDF/A-3b carrying its sources"
    )
    batch.add_argument(
        "--scheduler", help="a Dask scheduler address (tcp://host:8786); paths must be shared"
    )
    batch.add_argument(
        "--no-strict", dest="strict", action="store_false",
        help="refused resources warn instead of failing the item (archives are strict)",
    )  # fmt: skip
    batch.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS
    )

    ext = commands.add_parser("extract", help="write out the source files a PDF/A carries")
    ext.add_argument("pdf", type=Path, help="a PDF rendered with --pdf-variant pdf/a-3b")
    ext.add_argument("-o", "--output", type=Path, required=True, help="folder to write into")

    fonts = commands.add_parser("fonts", help="list the pinned fonts and the roles using them")
    fonts.add_argument("--layout", help="show the roles of this layout (default: the paper's)")

    imp = commands.add_parser(
        "import", help="turn scraped plain-text articles into article files (nothing lost)"
    )
    imp.add_argument("inputs", type=Path, nargs="+", help="text files or folders of them")
    imp.add_argument(
        "-o", "--output", type=Path, default=Path("articles/imported"),
        help="folder for the article files (default: articles/imported; folders are mirrored)",
    )  # fmt: skip
    imp.add_argument("--profile", default="default", help="import profile in profiles/")
    imp.add_argument("--encoding", help="the input encoding (default: detected)")
    imp.add_argument("--force", action="store_true", help="replace existing article files")
    imp.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS
    )
    return parser


def _project_option(command: argparse.ArgumentParser, help: str | None = None) -> None:
    command.add_argument(
        "--project", type=Path, metavar="DIR",
        help=help or "the project folder (default: the nearest sahifa.yaml above SOURCE)",
    )  # fmt: skip


def main(
    argv: Sequence[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    if args.version:
        from sahifa import __version__

        print(f"sahifa {__version__}", file=stdout)
        return EXIT_OK
    if args.command is None:
        parser.print_help(stderr)
        return EXIT_USAGE
    logging.basicConfig(level=logging.WARNING, format="warning: %(message)s", stream=stderr)
    from sahifa.errors import SahifaError

    try:
        return _COMMANDS[args.command](args, stdout, stderr)
    except SahifaError as exc:
        if args.debug:
            traceback.print_exc(file=stderr)
        print(str(exc), file=stderr)
        return EXIT_PROBLEMS
    except KeyboardInterrupt:
        print("interrupted", file=stderr)
        return 130
    except BrokenPipeError:  # "sahifa fonts | head": the reader left; nothing to report
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:  # a bug, not bad input: say so, keep the traceback
        if args.debug:
            traceback.print_exc(file=stderr)
        else:
            print(
                f"internal error: {type(exc).__name__}: {exc} (run with --debug for details)",
                file=stderr,
            )
        return EXIT_PROBLEMS


def _render(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    import time

    from sahifa.output import write_atomic
    from sahifa.pipeline import RenderJob, prepare, render

    started = time.perf_counter()
    press = _press_request(args)
    if press is not None and args.pdf_variant == "pdf/a-3b":
        print("sahifa render: press output cannot be PDF/A (--pdf-variant pdf/a-3b)",
              file=stderr)  # fmt: skip
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


def _check(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
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


def _import(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from sahifa.importer.command import run
    from sahifa.importer.profile import load_profile
    from sahifa.settings import find_root

    profile = load_profile(find_root(args.inputs[0]), args.profile)
    failed = run(args.inputs, args.output, profile, args.encoding, args.force, stdout, stderr)
    return EXIT_PROBLEMS if failed else EXIT_OK


def _proof(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from sahifa.pipeline import RenderJob, build
    from sahifa.preview.raster import write_proofs

    job = RenderJob(source=args.article, layout=args.layout, allow_overset=True,
                    root=args.project)  # fmt: skip
    result, data = build(job)
    for warning in result.warnings:
        print(f"warning: {warning}", file=stderr)
    for path in write_proofs(data, args.output, args.dpi):
        print(path, file=stdout)
    return EXIT_OK


def _diff(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
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


def _preview(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from sahifa.pipeline import RenderJob
    from sahifa.preview.server import Previewer, serve
    from sahifa.settings import find_root

    root = find_root(args.article)
    # Overset pages still show (with the overset listed): the designer is fixing them.
    job = RenderJob(source=args.article, layout=args.layout, allow_overset=True)
    previewer = Previewer(job, root, args.dpi)
    server = serve(previewer, args.port, str(args.article),
                   announce=lambda line: print(line, file=stdout, flush=True))  # fmt: skip
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        previewer.stop()
        server.server_close()
    return EXIT_OK


def _batch(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from sahifa.batch.command import default_jobs, run

    jobs = args.jobs or default_jobs()
    failed = run(args.source, args.output, jobs, args.resume, args.timeout, args.memory_mb,
                 args.strict, stdout, stderr, scheduler=args.scheduler,
                 variant=args.pdf_variant, project=args.project)  # fmt: skip
    return EXIT_PROBLEMS if failed else EXIT_OK


def _extract(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
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


def _fonts(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from sahifa.fonts import load_registry
    from sahifa.fonts.coverage import cmap, scripts
    from sahifa.layouts import ROLES, load_layout
    from sahifa.settings import find_root, load_settings

    settings, _ = load_settings(find_root())
    registry = load_registry(settings.fonts_dir)
    layout = load_layout(settings.layouts_dir, args.layout or settings.layout, registry)
    for font in registry.fonts:
        points = cmap(font.path, font.sha256)
        roles = [role for role in ROLES if font.family in layout.font_stack(role)]
        licence = font.licence.name if font.licence else "?"
        made = f" (static instance at weight {font.weight})" if font.origin else ""
        print(f"{font.pinned.name}{made}", file=stdout)
        print(f"  {font.family}, weight {font.weight}, {font.style}; {len(points)} characters: "
              f"{', '.join(scripts(points)) or '-'}", file=stdout)  # fmt: skip
        print(f"  licence {licence}; sha256 {font.sha256}", file=stdout)
        print(f"  roles in layout {layout.name!r}: {', '.join(roles) or 'none'}", file=stdout)
    return EXIT_OK


_COMMANDS = {
    "fonts": _fonts,
    "extract": _extract,
    "batch": _batch,
    "render": _render,
    "check": _check,
    "import": _import,
    "proof": _proof,
    "diff": _diff,
    "preview": _preview,
}
