"""Batch workers, once warm, leave the engine out of the collector (``workers.tune_collector``)."""

from __future__ import annotations


def test_workers_leave_their_warm_engine_out_of_collections() -> None:
    """A batch worker, once warm, has frozen the engine's objects out of the collector and
    collects its young objects less often (``workers.tune_collector``)."""
    from sahifa.batch.workers import COLLECTOR_THRESHOLDS, Worker

    worker = Worker(_collector_state)
    try:
        frozen, thresholds = worker.call("state", 60)
    finally:
        worker.stop()
    assert frozen > 10_000 and tuple(thresholds) == COLLECTOR_THRESHOLDS


def _collector_state(_: object) -> tuple[int, tuple[int, ...]]:
    import gc

    return gc.get_freeze_count(), gc.get_threshold()
