"""The distributed path stays warm: one render process per Dask worker thread, killed past an
item's timeout and started again, under the memory cap; on real ``dask scheduler`` and
``dask worker --nworkers 2`` processes as well as a ``LocalCluster``."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import REPO, run_cli
from sahifa.batch.warm import ItemProcess
from sahifa.batch.workers import Task

ISSUE = REPO / "articles/2023/05/02"
SHORT = ["brief-qamh.yaml", "brief-qanat.yaml", "taqs-harara.yaml", "sehha-tatim.yaml"]
DASK = Path(sys.executable).parent / "dask"


def _corpus(project: Path, huge: bool = False) -> Path:
    src = project / "articles" / "archive"
    src.mkdir(parents=True)
    for name in SHORT:
        shutil.copy(ISSUE / name, src / name)
    if huge:  # far past any timeout below on any machine: ~70,000 words
        body = (ISSUE / "wahdat-al-jabahat.yaml").read_text(encoding="utf-8").split("body: |\n")
        (src / "huge.yaml").write_text("headline: طويل\nbody: |\n" + body[1] * 150,
                                       encoding="utf-8")  # fmt: skip
    return src


def _manifest(out: Path) -> dict[str, dict]:
    lines = (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    return {r["input"]: r for r in map(json.loads, lines)}


def _task(src: Path, project: Path, name: str, out: Path) -> Task:
    return Task(name, src / name, out / name.replace(".yaml", ".pdf"), True, None, project, src)


def test_a_warm_process_renders_item_after_item_and_is_replaced_after_a_kill(
    project: Path, tmp_path: Path
) -> None:
    src = _corpus(project, huge=True)
    out = tmp_path / "out"
    process = ItemProcess(memory_mb=3000)
    try:
        first = process.render(_task(src, project, SHORT[0], out), 120)
        pid = process.process.pid if process.process else None
        second = process.render(_task(src, project, SHORT[1], out), 120)
        assert first["status"] == second["status"] == "ok" and first["pages"] >= 1
        assert process.started == 1 and process.process and process.process.pid == pid  # warm
        limits = Path(f"/proc/{pid}/limits").read_text()
        assert f"{3000 * 1024 * 1024}" in next(line for line in limits.splitlines()
                                                if line.startswith("Max address space"))
        stuck = process.render(_task(src, project, "huge.yaml", out), 2)
        assert stuck["status"] == "failed" and stuck["error"] == "took longer than 2 s; stopped"
        assert not process.alive()  # killed at the deadline
        again = process.render(_task(src, project, SHORT[2], out), 120)
        assert again["status"] == "ok" and process.started == 2
        assert process.process is not None
        os.kill(process.process.pid, signal.SIGKILL)  # killed from outside between items
        process.process.wait()
        after = process.render(_task(src, project, SHORT[3], out), 120)
        assert after["status"] == "ok" and process.started == 3
    finally:
        process.stop()
    assert not process.alive()


def _reference(project: Path, src: Path, tmp_path: Path) -> dict[str, str | None]:
    local = run_cli("batch", src, "--project", project, "-o", tmp_path / "local", "--jobs", "2")
    assert local.code == 0, local.out
    return {k: r.get("sha256") for k, r in _manifest(tmp_path / "local").items()}


@pytest.fixture
def real_cluster(tmp_path: Path) -> Iterator[str]:
    """``dask scheduler`` and ``dask worker --nworkers 2 --nthreads 1``, as separate
    processes (as on a real cluster); the scheduler's address."""
    scheduler_file = tmp_path / "scheduler.json"
    log = (tmp_path / "dask.log").open("wb")
    scheduler = subprocess.Popen(
        [DASK, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
         "--scheduler-file", scheduler_file], stdout=log, stderr=log,
        start_new_session=True,
    )  # fmt: skip
    worker = None
    try:
        deadline = time.monotonic() + 120
        while not scheduler_file.is_file() and time.monotonic() < deadline:
            time.sleep(0.2)
        worker = subprocess.Popen(
            [DASK, "worker", "--scheduler-file", scheduler_file, "--nworkers", "2",
             "--nthreads", "1", "--no-dashboard", "--host", "127.0.0.1"],
            stdout=log, stderr=log, start_new_session=True,
        )  # fmt: skip
        from distributed import Client

        address = json.loads(scheduler_file.read_text())["address"]
        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
        yield address
    finally:
        for process in (worker, scheduler):
            if process is not None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
        log.close()


def test_real_scheduler_and_worker_processes_stay_warm_and_give_the_same_bytes(
    project: Path, tmp_path: Path, real_cluster: str
) -> None:
    from distributed import Client

    from sahifa.batch.distributed import warm_processes

    src = _corpus(project)
    reference = _reference(project, src, tmp_path)
    result = run_cli("batch", src, "--project", project, "-o", tmp_path / "dask",
                     "--scheduler", real_cluster)  # fmt: skip
    assert result.code == 0 and f"{len(SHORT)} rendered" in result.out, result.out
    assert {k: r.get("sha256") for k, r in _manifest(tmp_path / "dask").items()} == reference
    with Client(real_cluster, timeout=60) as client:
        found = client.run(warm_processes)
    processes = [p for per_worker in found.values() for p in per_worker]
    # One warm process per worker that got work, each started once for all its items.
    assert 1 <= len(processes) <= 2 and all(p["started"] == 1 and p["pid"] for p in processes)


def test_a_stuck_item_on_a_real_cluster_is_stopped_and_the_rest_render(
    project: Path, tmp_path: Path, real_cluster: str
) -> None:
    src = _corpus(project, huge=True)
    result = run_cli("batch", src, "--project", project, "-o", tmp_path / "dask",
                     "--scheduler", real_cluster, "--timeout", "3")  # fmt: skip
    assert result.code == 1, result.out
    records = _manifest(tmp_path / "dask")
    assert records["huge.yaml"]["error"] == "took longer than 3 s; stopped"
    assert all(records[name]["status"] == "ok" for name in SHORT)
