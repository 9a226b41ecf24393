"""``sahifa batch``: render every item under a folder, in parallel, resumable.

With ``--resume`` an item is skipped when the manifest says it was rendered from the same
inputs (input hash) and its PDF is still the one recorded (sha256), or when a PDF carrying the
same input hash in its /ID was finished just before a kill and never recorded.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any, TextIO

from sahifa.batch.discover import Item, discover
from sahifa.batch.manifest import Manifest, load
from sahifa.batch.workers import Pool, Task
from sahifa.errors import SahifaError
from sahifa.hashing import file_sha256

_ID = re.compile(rb"/ID\s*\[\s*\(([0-9a-f]{64})\)")


def pdf_input_hash(path: Path) -> str | None:
    """The input hash a complete batch PDF carries in its /ID, or None."""
    try:
        with path.open("rb") as handle:
            handle.seek(max(0, path.stat().st_size - 4096))
            tail = handle.read()
    except OSError:
        return None
    if b"%%EOF" not in tail[-64:]:
        return None  # not a whole PDF
    match = _ID.search(tail)
    return match.group(1).decode() if match else None


def _sha256(path: Path) -> str | None:
    try:
        return file_sha256(path)
    except OSError:
        return None


class _Hasher:
    """Input hashes for --resume. Only each item's source is read; the project's shared part
    (settings, layout chain, fonts) is resolved and hashed once per project and layout."""

    def __init__(self, variant: str | None) -> None:
        self.variant = variant or ""
        self.layouts: dict[Path, str] = {}
        self.projects: dict[tuple[Path, str], str] = {}

    def __call__(self, item: Item) -> str | None:
        from sahifa.content.edition import is_edition, read_edition
        from sahifa.content.reader import read_article
        from sahifa.pipeline import RenderJob, hash_inputs, project_digest, resolve
        from sahifa.settings import find_root, load_settings

        source = item.source
        try:
            edition = read_edition(source) if is_edition(source) else None
            article = None if edition else read_article(source)[0]
            root = find_root(source)
            if root not in self.layouts:
                self.layouts[root] = load_settings(root)[0].layout
            layout = (edition.layout if edition else None) or self.layouts[root]
            if (root, layout) not in self.projects:
                self.projects[(root, layout)] = project_digest(resolve(RenderJob(source=source)))
        except SahifaError:
            return None  # it will fail again in a worker, with its message
        return hash_inputs(source, article, edition, root, self.projects[(root, layout)],
                           self.variant)  # fmt: skip


class Progress:
    """A progress line on a terminal; plain log lines otherwise."""

    def __init__(self, total: int, out: TextIO) -> None:
        self.total, self.out = total, out
        self.done = self.failed = self.pages = 0
        self.started = time.monotonic()
        self.tty = out.isatty()

    def update(self, record: dict[str, Any]) -> None:
        self.done += 1
        self.failed += record.get("status") != "ok"
        self.pages += int(record.get("pages") or 0)
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = self.pages / elapsed * 60
        eta = (self.total - self.done) * elapsed / self.done
        if self.tty:
            line = (f"\r[{self.done}/{self.total}] failed {self.failed}, "
                    f"{rate:.0f} pages/min, ETA {eta:.0f} s ")  # fmt: skip
            self.out.write(line)
            self.out.flush()
        else:
            status = record.get("status")
            detail = record.get("error") or f"{record.get('pages')} page(s)"
            print(f"[{self.done}/{self.total}] {status} {record['input']}: {detail}", file=self.out)

    def finish(self) -> None:
        if self.tty:
            self.out.write("\n")


def run(
    src: Path, out_dir: Path, jobs: int, resume: bool, timeout: float, memory_mb: int,
    strict: bool, stdout: TextIO, stderr: TextIO, scheduler: str | None = None,
    variant: str | None = None,
) -> int:  # fmt: skip
    """Render the batch; returns the number of failed items."""
    if not src.is_dir():
        raise SahifaError("batch", "not a folder", file=src)
    _require_harfbuzz_subsetting()
    items = discover(src, out_dir)
    records = load(out_dir) if resume else {}
    manifest = Manifest(out_dir)
    tasks: list[Task] = []
    skipped = recovered = 0
    current_hash = _Hasher(variant)
    for item in items:
        if resume:
            current = current_hash(item)
            record = records.get(item.key)
            if (current and record and record.get("status") == "ok"
                    and record.get("input_hash") == current
                    and _sha256(item.output) == record.get("sha256")):  # fmt: skip
                skipped += 1
                continue
            if current and pdf_input_hash(item.output) == current:
                manifest.append({"input": item.key, "output": str(item.output), "status": "ok",
                                 "input_hash": current, "sha256": _sha256(item.output),
                                 "recovered": True})  # fmt: skip
                recovered += 1
                continue
        tasks.append(Task(item.key, item.source, item.output, strict, variant))
    progress = Progress(len(tasks), stdout if stdout.isatty() else stderr)
    failures: list[dict[str, Any]] = []

    def done(task: Task, record: dict[str, Any]) -> None:
        manifest.append(record)  # only this process writes the manifest
        progress.update(record)
        if record.get("status") != "ok":
            failures.append(record)

    started = time.monotonic()
    try:
        if tasks and scheduler:
            from sahifa.batch.distributed import DaskPool

            DaskPool(scheduler, timeout, memory_mb).run(tasks, done)
        elif tasks:
            Pool(jobs, timeout, memory_mb).run(tasks, done)
    finally:
        manifest.close()
        progress.finish()
    seconds = time.monotonic() - started
    print(
        f"batch: {len(items)} item(s): {len(tasks) - len(failures)} rendered, "
        f"{skipped} unchanged, {recovered} recovered, {len(failures)} failed; "
        f"{progress.pages} page(s) in {seconds:.1f} s"
        + (
            f" ({progress.pages / seconds * 60:.0f} pages/min)"
            if seconds and progress.pages
            else ""
        ),
        file=stdout,
    )
    for record in failures:
        print(f"failed: {record['input']}: {record.get('error')}", file=stdout)
    return len(failures)


def _require_harfbuzz_subsetting() -> None:
    """HarfBuzz and fontTools subset fonts to different bytes: an archive re-renders
    identically only with the same subsetter, so a batch refuses to run without HarfBuzz's."""
    import ctypes.util

    if ctypes.util.find_library("harfbuzz-subset") is None:
        raise SahifaError(
            "batch", "HarfBuzz subsetting (libharfbuzz-subset0) is required for reproducible "
            "archives: apt-get install libharfbuzz-subset0",
        )  # fmt: skip


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
