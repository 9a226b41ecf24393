"""``sahifa import``: files and folders of scraped text → article files, with reports.

A folder is mirrored into the output folder. Nothing is overwritten without ``--force``, and
importing again is a no-op when the result is the same. A bad file is reported in one line
(``import: FILE: problem``) and the others are still imported: that holds for an unreadable
file and, as a last resort, for a bug met on one file too.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from sahifa.content.yamlfile import MAX_BYTES
from sahifa.errors import SahifaError
from sahifa.importer.decoding import decode
from sahifa.importer.profile import Profile
from sahifa.importer.scraped import ImportResult, convert
from sahifa.output import write_atomic

SUFFIXES = (".txt", ".text")


@dataclass(frozen=True)
class ImportJob:
    source: Path
    target: Path


def jobs(inputs: list[Path], out_dir: Path) -> Iterator[ImportJob]:
    """A job per input file; a folder's text files keep their place in the tree."""
    for item in inputs:
        if item.is_dir():
            for path in sorted(item.rglob("*")):
                if path.suffix.lower() in SUFFIXES and path.is_file():
                    yield ImportJob(path, (out_dir / path.relative_to(item)).with_suffix(".yaml"))
        else:
            yield ImportJob(item, (out_dir / item.name).with_suffix(".yaml"))


def import_one(job: ImportJob, profile: Profile, encoding: str | None) -> ImportResult:
    path = job.source
    if not path.is_file():
        raise SahifaError("import", "no such file" if not path.exists() else "not a regular file",
                          file=path)  # fmt: skip
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SahifaError("import", f"cannot read: {exc.strerror or exc}", file=path) from None
    if len(data) > MAX_BYTES:
        raise SahifaError("import", f"file over the {MAX_BYTES}-byte limit", file=path)
    text, used = decode(data, path, encoding)
    return convert(text, path, used, profile)


def run(
    inputs: list[Path], out_dir: Path, profile: Profile, encoding: str | None, force: bool,
    stdout: TextIO, stderr: TextIO,
) -> int:  # fmt: skip
    """Import everything; print a report per file. Returns the number of failed files."""
    failed = 0
    for item in inputs:
        try:
            listed = list(jobs([item], out_dir))
        except OSError as exc:  # a folder that cannot be listed fails alone
            failed += 1
            print(SahifaError("import", f"cannot list: {_os_problem(exc)}", file=item), file=stderr)
            continue
        for job in listed:
            problem = _import_and_report(job, profile, encoding, force, stdout)
            if problem is not None:
                failed += 1
                print(problem, file=stderr)
    return failed


def _import_and_report(
    job: ImportJob, profile: Profile, encoding: str | None, force: bool, stdout: TextIO
) -> str | None:
    """Import one file and print its report; the one-line problem instead if it failed.

    Whatever goes wrong with one file, the others are still imported: bad input is a
    ``SahifaError``; an ``OSError`` gets a line of its own; anything else is a bug, named
    "internal error" (not hidden) but kept to this file.
    """
    try:
        result, state = _import_and_write(job, profile, encoding, force)
    except SahifaError as exc:
        return str(exc)
    except OSError as exc:
        return str(SahifaError("import", _os_problem(exc), file=job.source))
    except Exception as exc:
        message = f"internal error: {type(exc).__name__}: {exc} (a bug: please report it)"
        return str(SahifaError("import", message, file=job.source))
    print(f"{job.source} → {job.target} ({state}, {result.encoding}): {result.summary()}",
          file=stdout)  # fmt: skip
    for number, line, reason in result.dropped:
        print(f"  dropped line {number}: {reason}: {line}", file=stdout)
    for number, line, reason in result.unsure:
        print(f"  unsure line {number}: {reason}: {line}", file=stdout)
    return None


def _import_and_write(
    job: ImportJob, profile: Profile, encoding: str | None, force: bool
) -> tuple[ImportResult, str]:
    """(the result, what happened to the target: written, replaced or unchanged)."""
    result = import_one(job, profile, encoding)
    # surrogateescape: a target that is not UTF-8 differs (its bad bytes become lone
    # surrogates, which no imported text has) instead of crashing the comparison.
    existing = (
        job.target.read_text(encoding="utf-8", errors="surrogateescape")
        if job.target.is_file()
        else None
    )
    if existing == result.yaml_text:
        return result, "unchanged"
    if existing is not None and not force:
        raise SahifaError(
            "import", f"{job.target} exists and differs; use --force to replace it",
            file=job.source,
        )  # fmt: skip
    write_atomic(job.target, result.yaml_text.encode("utf-8"))
    return result, "replaced" if existing is not None else "written"


def _os_problem(exc: OSError) -> str:
    """An OSError as a short phrase: what failed, on which file if it says."""
    reason = exc.strerror or str(exc)
    return f"{reason}: {exc.filename}" if exc.filename else reason
