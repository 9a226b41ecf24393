"""``sahifa import``: files and folders of scraped text → article files, with reports.

A folder is mirrored into the output folder. Nothing is overwritten without ``--force``, and
importing again is a no-op when the result is the same. A bad file is reported and the
others are still imported.
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
    data = path.read_bytes()
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
    for job in jobs(inputs, out_dir):
        try:
            result = import_one(job, profile, encoding)
            existing = job.target.read_text(encoding="utf-8") if job.target.is_file() else None
            if existing == result.yaml_text:
                state = "unchanged"
            elif existing is not None and not force:
                raise SahifaError(
                    "import", f"{job.target} exists and differs; use --force to replace it",
                    file=job.source,
                )  # fmt: skip
            else:
                write_atomic(job.target, result.yaml_text.encode("utf-8"))
                state = "replaced" if existing is not None else "written"
        except SahifaError as exc:
            failed += 1
            print(str(exc), file=stderr)
            continue
        print(f"{job.source} → {job.target} ({state}, {result.encoding}): {result.summary()}",
              file=stdout)  # fmt: skip
        for number, line, reason in result.dropped:
            print(f"  dropped line {number}: {reason}: {line}", file=stdout)
        for number, line, reason in result.unsure:
            print(f"  unsure line {number}: {reason}: {line}", file=stdout)
    return failed
