"""The estimated completion time at its own level: from the attempt's own pace, or nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from smarter_export.jobs.eta import FINISHING_ALLOWANCE, estimated_completion, percent
from smarter_export.jobs.records import JobStatus
from tests.jobs.world import World

START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def test_the_pace_so_far_gives_the_finish(world: World) -> None:
    job = replace(
        world.job(world.create()),
        status=JobStatus.PROCESSING,
        started_at=START,
        progress_at=START + timedelta(seconds=10),
        rows_processed=250,
        rows_total=1_000,
    )
    # 250 rows in 10 s: 750 more take 30 s, plus the writer's allowance on the whole run (40 s).
    expected = START + timedelta(seconds=10 + 30 + FINISHING_ALLOWANCE * 40)
    assert estimated_completion(job) == expected
    assert percent(job) == 25.0


def test_the_pace_starts_at_the_first_row(world: World) -> None:
    # Counting the rows and opening the file took 6 s; the 250 rows took the 4 s after it.
    job = replace(
        world.job(world.create()),
        status=JobStatus.PROCESSING,
        started_at=START,
        rows_started_at=START + timedelta(seconds=6),
        progress_at=START + timedelta(seconds=10),
        rows_processed=250,
        rows_total=1_000,
    )
    expected = START + timedelta(seconds=10 + 12 + FINISHING_ALLOWANCE * 16)
    assert estimated_completion(job) == expected


def test_no_estimate_without_a_pace(world: World) -> None:
    pending = world.job(world.create())
    assert estimated_completion(pending) is None
    assert percent(pending) == 0.0
    running = replace(pending, status=JobStatus.PROCESSING, started_at=START, progress_at=START)
    assert estimated_completion(replace(running, rows_total=100, rows_processed=0)) is None
    assert estimated_completion(replace(running, rows_total=None, rows_processed=5)) is None
    assert estimated_completion(replace(running, rows_total=100, rows_processed=5)) is None


def test_a_finished_export_is_at_its_end(world: World) -> None:
    export_id = world.create()
    world.runner().process(export_id)
    done = world.job(export_id)
    assert done.status is JobStatus.COMPLETED
    assert estimated_completion(done) == done.completed_at
    assert percent(done) == 100.0
