"""``sahifa batch``: render every item under a folder, in parallel, resumable.

With ``--resume`` an item is skipped when the manifest says it was rendered from the same
inputs (input hash) and its PDF is still the one recorded (sha256); a PDF that no longer
matches its record is rendered again, and the manifest says why. A PDF with no record for its
inputs (finished just before a kill) is taken only when it parses whole and the input hash in
its /ID matches (``sahifa.archive.verify``).

The project is ``--project`` or the working directory's, one for every item: never one found
inside the source folder, whose files are a contributor's (README, "Trust model").
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any, TextIO

from sahifa.archive.verify import verified_input_hash
from sahifa.batch.discover import Item, discover
from sahifa.batch.manifest import Manifest, load
from sahifa.batch.order import longest_first
from sahifa.batch.progress import Progress
from sahifa.batch.workers import Pool, Task
from sahifa.errors import SahifaError
from sahifa.hashing import file_sha256
from sahifa.output import remove_stale_temporaries
from sahifa.pipeline import require_reproducible_subsetting


def _sha256(path: Path) -> str | None:
    try:
        return file_sha256(path)
    except OSError:
        return None


class _Hasher:
    """Input hashes for --resume. Only each item's source is read; the project's shared part
    (settings, layout chain, fonts) is resolved and hashed once per project and layout."""

    def __init__(self, variant: str | None, root: Path, src: Path) -> None:
        self.variant = variant or ""
        self.root, self.src = root, src
        self.layout: str | None = None
        self.projects: dict[str, str] = {}

    def __call__(self, item: Item) -> str | None:
        from sahifa.archive.inputs import hash_inputs, project_digest
        from sahifa.content.edition import is_edition, read_edition
        from sahifa.content.reader import read_article
        from sahifa.limits import time_limit
        from sahifa.pipeline import RenderJob, resolve
        from sahifa.settings import load_settings

        source, root = item.source, self.root
        try:
            if self.layout is None:
                self.layout = load_settings(root)[0].layout
            with time_limit(60, source):  # an odd file must not stall the coordinator
                edition = (read_edition(source, (root, self.src), project=root)
                           if is_edition(source) else None)  # fmt: skip
                article = None if edition else read_article(source)[0]
            layout = (edition.layout if edition else None) or self.layout
            if layout not in self.projects:
                job = RenderJob(source=source, root=root, content_root=self.src)
                self.projects[layout] = project_digest(resolve(job))
        except Exception:  # a contributor's file must not stop the batch (nor --resume)
            return None  # it will fail again in a worker, with its message, for itself alone
        return hash_inputs(source, article, edition, root, self.projects[layout],
                           self.variant)  # fmt: skip


def run(
    src: Path, out_dir: Path, jobs: int, resume: bool, timeout: float, memory_mb: int,
    strict: bool, stdout: TextIO, stderr: TextIO, scheduler: str | None = None,
    variant: str | None = None, project: Path | None = None, text: bool = False,
) -> int:  # fmt: skip
    """Render the batch; returns the number of failed items. ``text``: write each PDF's
    stories beside it (``NAME.text.json``, as ``sahifa text --json``: what an archive indexes)."""
    from sahifa.settings import find_root

    if not src.is_dir():
        raise SahifaError("batch", "not a folder", file=src)
    src = src.resolve()
    root = find_root(None, project).resolve()  # never a project found inside ``src``
    out = out_dir.resolve()
    if out.is_relative_to(src) or src.is_relative_to(out):
        # A contributor could ship files into an output folder inside SOURCE (a manifest, a
        # PDF carrying the right /ID): --resume would take them as finished work.
        raise SahifaError("batch", f"the output folder {out_dir} and the source folder {src} "
                          "must not contain one another", file=out_dir)  # fmt: skip
    require_reproducible_subsetting()  # the engine's question, asked through the pipeline
    items = discover(src, out_dir, timeout)
    for item in items:  # a batch killed mid-write left its half-written files: never read
        remove_stale_temporaries(item.output)
        remove_stale_temporaries(text_path(item.output))
    records = load(out_dir) if resume else {}
    manifest = Manifest(out_dir)
    tasks: list[Task] = []
    refused: list[dict[str, Any]] = []
    skipped = recovered = 0
    current_hash = _Hasher(variant, root, src)
    notes: dict[str, str] = {}
    for item in items:
        if item.error:
            refused.append({"input": item.key, "output": str(item.output), "status": "failed",
                            "error": item.error})  # fmt: skip
            continue
        if resume:
            current = current_hash(item)
            record = records.get(item.key)
            if (current and record and record.get("status") == "ok"
                    and record.get("input_hash") == current):  # fmt: skip
                if _sha256(item.output) == record.get("sha256"):
                    skipped += 1
                    if text and not text_path(item.output).exists():
                        write_text(item.output)
                    continue
                # Its recorded PDF changed or went missing: never "recovered", rendered again.
                notes[item.key] = "the PDF no longer matched its recorded sha256; rendered again"
            elif current and verified_input_hash(item.output) == current:
                manifest.append({"input": item.key, "output": str(item.output), "status": "ok",
                                 "input_hash": current, "sha256": _sha256(item.output),
                                 "recovered": True})  # fmt: skip
                recovered += 1
                if text:
                    write_text(item.output)
                continue
        tasks.append(Task(item.key, item.source, item.output, strict, variant, root, src))
    tasks = longest_first(tasks, lambda task: task.source)  # no core idles at the end
    progress = Progress(len(tasks), stdout if stdout.isatty() else stderr)
    failures: list[dict[str, Any]] = []

    def done(task: Task, record: dict[str, Any]) -> None:
        if task.key in notes:
            record["note"] = notes[task.key]
        if text and record.get("status") == "ok":
            try:
                write_text(Path(record["output"]))
            except SahifaError as exc:  # the PDF is written; say why its text is not
                record["text_error"] = str(exc)
        manifest.append(record)  # only this process writes the manifest
        progress.update(record)
        if record.get("status") != "ok":
            failures.append(record)

    for record in refused:  # refused before rendering: recorded and reported like failures
        manifest.append(record)
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
        f"batch: {len(items)} item(s): {len(tasks) + len(refused) - len(failures)} rendered, "
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


def text_path(pdf: Path) -> Path:
    return pdf.with_name(pdf.stem + ".text.json")


def write_text(pdf: Path) -> None:
    """The stories of ``pdf`` beside it, as JSON (``sahifa.archive.text``)."""
    import json

    from sahifa.archive.text import read_stories, stories_json
    from sahifa.output import write_atomic

    data = stories_json(Path(pdf.name), read_stories(pdf))
    write_atomic(text_path(pdf), (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode())


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
