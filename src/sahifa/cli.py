"""The ``sahifa`` command line: builds the parser and hands the arguments to a command.

Each command is a module of ``sahifa.commands`` with ``run(args, stdout, stderr)``, imported
only when it runs, so ``sahifa --help`` answers at once. Options shared by the commands that
render (``--layout``, ``--project``, ``--strict``, ``--debug``) are declared once here.
Exit status: 0 success, 1 bad input or problems found, 2 usage error. Bad input prints one
line per problem; a traceback only with ``--debug``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import logging
import os
import re
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from sahifa.commands import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE

# Command name → module of sahifa.commands.
_MODULES = {"render": "render", "check": "check", "proof": "proof", "diff": "diff",
            "preview": "preview", "batch": "batch", "extract": "extract", "fonts": "fonts",
            "import": "import_text", "layout": "layout", "new": "new",
            "text": "text", "plan": "plan"}  # fmt: skip


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


def _iso_date(text: str) -> dt.date:
    """``DATE`` of ``sahifa new edition``: yyyy-mm-dd, a day of the calendar."""
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError("not yyyy-mm-dd")
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected a date as yyyy-mm-dd, got {text!r}: "
                                         f"{exc}") from None  # fmt: skip


def _debug(command: argparse.ArgumentParser) -> None:
    # SUPPRESS: "sahifa --debug render" must not be reset by the subcommand's default.
    command.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS
    )


def _example(*lines: str) -> dict[str, Any]:
    """``add_parser`` keywords that end a command's ``--help`` with example command lines
    (the raw formatter keeps the epilog's line breaks; argparse would join them)."""
    return {"epilog": "example:\n" + "\n".join(f"  {line}" for line in lines),
            "formatter_class": argparse.RawDescriptionHelpFormatter}  # fmt: skip


def _rendering(command: argparse.ArgumentParser, *, source: str, strict: str | None = None,
               project: str | None = None) -> None:  # fmt: skip
    """The options of every command that renders: its source, layout, project, strictness."""
    command.add_argument("article", type=Path, help=source)
    command.add_argument("--layout", help="layout name (a folder under layouts/)")
    command.add_argument(
        "--project", type=Path, metavar="DIR",
        help=project or "the project folder (default: the nearest sahifa.yaml above SOURCE)",
    )  # fmt: skip
    command.add_argument("--strict", action="store_true",
                         help=strict or "a refused resource fails the render")  # fmt: skip
    _debug(command)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sahifa",
        description="Arabic newspaper pages from article files (YAML/Markdown) to print-ready PDF.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks of failures")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    render = commands.add_parser(
        "render", help="render an article or an edition to a PDF",
        **_example("sahifa render articles/2023/05/02/edition.yaml -o build/edition.pdf"),
    )  # fmt: skip
    _rendering(render, source="article file (.yaml, .yml, .md) or edition file (pages:)")
    render.add_argument(
        "-o", "--output", type=Path, help="PDF to write (default: build/<article-name>.pdf)"
    )
    render.add_argument("--html", type=Path, help="also write the composed HTML here")
    render.add_argument(
        "--allow-overset", action="store_true", help="write the PDF even if stories do not fit"
    )
    render.add_argument(
        "--pdf-variant", choices=["pdf/a-3b", "pdf/a-3a", "pdf/ua-1", "pdf/x-4", "pdf/x-1a"],
        help="archival PDF/A-3b carrying its sources (see sahifa extract), PDF/A-3a (also "
        "PDF/UA-1: an accessible archive), PDF/UA-1, or press PDF/X",
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
    render.add_argument(
        "--allow-missing-glyphs", action="store_true",
        help="a character no font covers is a warning, not an error",
    )  # fmt: skip
    render.add_argument(
        "--allow-remote", action="store_true",
        help="fetch http(s) images, fonts and stylesheets from public addresses "
        "(10 s timeout, 10 MB cap)",
    )  # fmt: skip

    check = commands.add_parser(
        "check", help="validate and lay out without writing a PDF; report problems (exit 1)",
        **_example("sahifa check articles/2023/05/02/edition.yaml"),
    )  # fmt: skip
    _rendering(check, source="article or edition file", strict="a refused resource is an error")
    check.add_argument(
        "--press", action="store_true",
        help="press preflight of the press output (or of SOURCE when it is a PDF)",
    )  # fmt: skip
    check.add_argument(
        "--pdf-variant", choices=["pdf/x-4", "pdf/x-1a"], help="press: the variant to check"
    )
    check.add_argument(
        "--json", action="store_true",
        help="editions: the stories, their status and the verified fixes, as JSON",
    )  # fmt: skip

    proof = commands.add_parser(
        "proof", help="render and write one PNG per page",
        **_example("sahifa proof articles/2023/05/02/edition.yaml -o build/proof"),
    )  # fmt: skip
    _rendering(proof, source="article or edition file")
    proof.add_argument("-o", "--output", type=Path, required=True, help="folder for the PNGs")
    proof.add_argument("--dpi", type=_dpi, default=100, help="resolution (default 100)")

    plan = commands.add_parser(
        "plan", help="the flat plan of an edition: every page, every box outlined and labelled",
        **_example("sahifa plan articles/2023/05/02/edition.yaml -o build/plan.png"),
    )  # fmt: skip
    _rendering(plan, source="edition file")
    plan.add_argument("-o", "--output", type=Path, required=True, help="the PNG to write")

    diff = commands.add_parser(
        "diff", help="compare two PDFs page by page; exit 0 identical, 1 different",
        **_example("sahifa diff build/old.pdf build/new.pdf -o build/diff"),
    )  # fmt: skip
    diff.add_argument("a", type=Path, help="the old PDF")
    diff.add_argument("b", type=Path, help="the new PDF")
    diff.add_argument("-o", "--output", type=Path, required=True, help="folder for diff images")
    diff.add_argument("--dpi", type=_dpi, default=60, help="resolution (default 60)")
    _debug(diff)

    preview = commands.add_parser(
        "preview", help="serve live page images on 127.0.0.1 that follow every save",
        **_example("sahifa preview articles/2023/05/02/edition.yaml --port 8000"),
    )  # fmt: skip
    _rendering(preview, source="article or edition file")
    preview.add_argument("--port", type=int, default=8000, help="port (default 8000; 0: any)")
    preview.add_argument("--dpi", type=_dpi, default=60, help="image resolution (default 60)")

    batch = commands.add_parser(
        "batch", help="render every edition and loose article under a folder (archives)",
        **_example("sahifa batch articles -o build/archive --pdf-variant pdf/a-3b --resume"),
    )  # fmt: skip
    batch.add_argument("source", type=Path, help="folder of editions and articles")
    batch.add_argument("-o", "--output", type=Path, required=True, help="output folder")
    batch.add_argument(
        "--project", type=Path, metavar="DIR",
        help="the project (default: the working directory's, never one inside SOURCE)",
    )  # fmt: skip
    batch.add_argument("--jobs", type=int, default=0, help="worker processes (default: cores)")
    batch.add_argument("--resume", action="store_true", help="skip items already rendered")
    batch.add_argument("--timeout", type=float, default=300, help="seconds per item (300)")
    batch.add_argument("--memory-mb", type=int, default=4096, help="memory cap per item (4096)")
    batch.add_argument(
        "--pdf-variant", choices=["pdf/a-3b", "pdf/a-3a"],
        help="archival PDF/A-3b carrying its sources; pdf/a-3a: also PDF/UA-1 (accessible)",
    )
    batch.add_argument("--text", action="store_true",
                       help="write each PDF's stories beside it (NAME.text.json, as sahifa text)")
    batch.add_argument(
        "--scheduler", help="a Dask scheduler address (tcp://host:8786); paths must be shared"
    )
    batch.add_argument(
        "--no-strict", dest="strict", action="store_false",
        help="refused resources warn instead of failing the item (archives are strict)",
    )  # fmt: skip
    _debug(batch)

    ext = commands.add_parser(
        "extract", help="write out the source files a PDF/A carries",
        **_example("sahifa extract build/archive/2023/05/02/edition.pdf -o build/sources"),
    )  # fmt: skip
    ext.add_argument("pdf", type=Path, help="a PDF rendered with --pdf-variant pdf/a-3b")
    ext.add_argument("-o", "--output", type=Path, required=True, help="folder to write into")
    _debug(ext)

    text = commands.add_parser(
        "text", help="the text of a PDF story by story, from its tags (what an archive indexes)",
        **_example("sahifa text build/edition.pdf --json"),
    )  # fmt: skip
    text.add_argument("pdf", type=Path, help="a PDF rendered by sahifa (tagged)")
    text.add_argument("--json", action="store_true",
                      help="JSON: story id, headline, pages, paragraphs of each story")  # fmt: skip
    _debug(text)

    fonts = commands.add_parser(
        "fonts", help="list the pinned fonts and the roles using them",
        **_example("sahifa fonts --layout tabloid"),
    )  # fmt: skip
    fonts.add_argument("--layout", help="show the roles of this layout (default: the paper's)")
    _debug(fonts)

    layout = commands.add_parser(
        "layout", help="layouts: vendor a built-in one into the project (freeze its pages)",
        **_example("sahifa layout vendor tabloid"),
    )  # fmt: skip
    layout_commands = layout.add_subparsers(dest="layout_command", metavar="ACTION",
                                            required=True)  # fmt: skip
    vendor = layout_commands.add_parser(
        "vendor", help="copy a built-in layout, its parents and the built-in fonts into the "
        "project, so that upgrading sahifa cannot change the paper's pages",
        **_example("sahifa layout vendor tabloid"),
    )  # fmt: skip
    vendor.add_argument("name", help="the built-in layout: tabloid, broadsheet, a4")
    vendor.add_argument("--project", type=Path, metavar="DIR",
                        help="the project (default: the working directory's)")  # fmt: skip
    _debug(vendor)

    imp = commands.add_parser(
        "import", help="turn scraped plain-text articles into article files (nothing lost)",
        **_example("sahifa import tests/data/scraped/seed-000.txt -o articles/imported"),
    )  # fmt: skip
    imp.add_argument("inputs", type=Path, nargs="+", help="text files or folders of them")
    imp.add_argument(
        "-o", "--output", type=Path, default=Path("articles/imported"),
        help="folder for the article files (default: articles/imported; folders are mirrored)",
    )  # fmt: skip
    imp.add_argument("--profile", default="default", help="import profile in profiles/")
    imp.add_argument("--encoding", help="the input encoding (default: detected)")
    imp.add_argument("--force", action="store_true", help="replace existing article files")
    _debug(imp)
    _new(commands)
    return parser


def _new(commands: argparse._SubParsersAction) -> None:
    """``sahifa new project`` and ``sahifa new edition`` (``sahifa.commands.new``)."""
    example = argparse.RawDescriptionHelpFormatter
    new = commands.add_parser("new", help="start a paper (new project) or tonight's edition "
                              "from yesterday's (new edition)", formatter_class=example,
                              epilog="example:\n  sahifa new project paper --paper الأهرام\n"
                              "  sahifa new edition 2023-05-03 --from "
                              "articles/2023/05/02/edition.yaml")  # fmt: skip
    _debug(new)
    what = new.add_subparsers(dest="what", metavar="WHAT", required=True)
    project = what.add_parser(
        "project", help="write a ready project into a new or empty folder",
        formatter_class=example,
        epilog="example:\n  sahifa new project paper --paper الأهرام --layout broadsheet\n"
        "  cd paper && sahifa render articles/2023/05/02/edition.yaml -o build/edition.pdf",
    )  # fmt: skip
    project.add_argument("path", type=Path, help="the folder (new or empty, outside a project)")
    project.add_argument("--paper", help="the paper's name, printed on the nameplate")
    project.add_argument("--layout", choices=["tabloid", "broadsheet", "a4"], default="tabloid",
                         help="the built-in layout the project's own extends (tabloid)")
    project.add_argument("--digits", choices=["arabic-indic", "western"],
                         default="arabic-indic", help="digits printed (arabic-indic)")
    _debug(project)
    edition = what.add_parser(
        "edition", help="tonight's plan from yesterday's edition, every story a placeholder",
        formatter_class=example,
        description="Tonight's plan from yesterday's edition: same pages, templates and slots\n"
        "(ids, overflow, continued: links), issue + 1, the new date, every story a\n"
        "placeholder (placeholder: true) that sahifa check reports until an article is\n"
        "assigned. A hijri_date: is not carried over (warned).",
        epilog="example:\n  sahifa new edition 2023-05-03 --from "
        "articles/2023/05/02/edition.yaml\n  (writes articles/2023/05/03/edition.yaml)",
    )  # fmt: skip
    edition.add_argument("date", type=_iso_date, metavar="DATE", help="the new date, yyyy-mm-dd")
    edition.add_argument("--from", dest="previous", type=Path, required=True,
                         metavar="PREVIOUS_EDITION", help="yesterday's edition file")
    edition.add_argument(
        "-o", "--output", type=Path, metavar="FILE",
        help="the plan to write, never an existing file (default: the previous edition's file "
        "name in the new date's folder beside its folder: a/2023/05/02/edition.yaml gives "
        "a/2023/05/03/edition.yaml; any other folder F gives F/../DATE/)",
    )  # fmt: skip
    _debug(edition)


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
        command = importlib.import_module(f"sahifa.commands.{_MODULES[args.command]}")
        return int(command.run(args, stdout, stderr))
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
