"""``sahifa new``: start a paper (``new project``) or tonight's edition (``new edition``).

``new project PATH`` writes a ready project (the files are ``sahifa.scaffold``'s) into a new or
empty folder, never into a folder inside another project: a project nested in another is
refused at render time (README, "Trust model"), so one is never made here either. ``new
edition DATE --from PREVIOUS`` writes tonight's plan from yesterday's edition
(``sahifa.content.plan``) and never overwrites a file.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import TextIO

from sahifa.commands import EXIT_OK
from sahifa.errors import SahifaError, visible
from sahifa.trust import SETTINGS_FILE

# What a nameplate cannot hold: controls (it is one line) and bidi embeddings, overrides and
# isolates (invisible, they reorder what prints).
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    if args.what == "project":
        return _project(args, stdout)
    return _edition(args, stdout, stderr)


# -- new project ------------------------------------------------------------------------------


def _project(args: argparse.Namespace, stdout: TextIO) -> int:
    from sahifa.scaffold import DEFAULT_PAPER, SAMPLE_FOLDER, project_files

    target = Path(os.path.abspath(args.path))  # not resolve(): name the folder typed
    _refuse_target(args.path, target)
    paper = _paper(args.paper or DEFAULT_PAPER)
    files = project_files(paper, args.layout, args.digits)
    _write_project(args.path, target, files)
    shown = visible(str(args.path))
    print(f"wrote the project {shown}: {', '.join(sorted(files))}", file=stdout)
    print(f"next: cd {shown} && sahifa render {SAMPLE_FOLDER}/edition.yaml -o build/edition.pdf",
          file=stdout)  # fmt: skip
    return EXIT_OK


def _refuse_target(typed: Path, target: Path) -> None:
    """A new project goes into a new or empty folder outside any project."""
    if target.exists() and not target.is_dir():
        raise SahifaError("new", "exists and is not a folder", file=typed)
    if target.is_dir() and any(target.iterdir()):
        raise SahifaError("new", "the folder exists and is not empty: a new project goes into "
                          "a new or empty folder", file=typed)  # fmt: skip
    outer = next((f for f in target.parents if (f / SETTINGS_FILE).is_file()), None)
    if outer is not None:
        raise SahifaError("new", f"lies inside the project {outer} (its {SETTINGS_FILE}): a "
                          "project inside another is refused; choose a folder outside it",
                          file=typed)  # fmt: skip


def _paper(paper: str) -> str:
    """``--paper``: the nameplate, one line of printable text."""
    bad = _UNPRINTABLE.search(paper)
    if bad:
        raise SahifaError("new", f"--paper: contains an unprintable character "
                          f"U+{ord(bad.group()):04X}")  # fmt: skip
    if not paper.strip():
        raise SahifaError("new", "--paper: expected the paper's name")
    return " ".join(paper.split())


def _write_project(typed: Path, target: Path, files: dict[str, str]) -> None:
    """Write the files into a hidden sibling folder, check that sahifa reads the settings
    back, then rename it (or, into an existing empty folder, its entries) into place: an
    interrupted run leaves no half-made project."""
    from sahifa.settings import load_settings

    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}."))
    except OSError as exc:
        raise SahifaError("new", f"cannot write: {exc.strerror or exc}", file=typed) from None
    try:
        mask = os.umask(0)
        os.umask(mask)
        staging.chmod(0o777 & ~mask)  # mkdtemp makes it private; a project is the desk's
        for name, text in files.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        load_settings(staging)  # the settings we wrote must read back (quoting of --paper)
        if target.is_dir():  # an empty folder (maybe the shell's own: "new project ."): keep it
            for entry in sorted(staging.iterdir()):
                os.rename(entry, target / entry.name)
        else:
            os.rename(staging, target)
    except OSError as exc:
        raise SahifaError("new", f"cannot write: {exc.strerror or exc}", file=typed) from None
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


# -- new edition ------------------------------------------------------------------------------


def _edition(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from sahifa.content.plan import default_output, plan_from

    output = args.output or default_output(args.previous, args.date)
    if output.exists() or output.is_symlink():
        raise SahifaError("new", "exists: sahifa new edition never overwrites a file; name "
                          "another with -o", file=output)  # fmt: skip
    plan = plan_from(args.previous, args.date, output)
    for warning in plan.warnings:
        print(f"warning: {warning}", file=stderr)
    _write_new(output, plan.text)
    issue = f"issue {plan.issue}" if plan.issue else "no issue number"
    print(f"wrote {visible(str(output))}: {issue}, {args.date.isoformat()}, {plan.pages} "
          f"page(s), {plan.placeholders} placeholder(s) to fill (sahifa check lists them)",
          file=stdout)  # fmt: skip
    return EXIT_OK


def _write_new(path: Path, text: str) -> None:
    """Write ``path`` whole, and only if no file has that name (even one made meanwhile)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise SahifaError("new", f"cannot write: {exc.strerror or exc}", file=path) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)
        os.link(tmp, path)  # unlike a rename, a link never replaces an existing file
    except FileExistsError:
        raise SahifaError("new", "exists: sahifa new edition never overwrites a file; name "
                          "another with -o", file=path) from None  # fmt: skip
    except OSError as exc:
        raise SahifaError("new", f"cannot write: {exc.strerror or exc}", file=path) from None
    finally:
        Path(tmp).unlink(missing_ok=True)
