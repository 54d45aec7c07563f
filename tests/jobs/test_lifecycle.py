"""Every job comes to an end: cancelled while nobody ran it, out of attempts, out of time."""

from __future__ import annotations

from datetime import timedelta

from smarter_export.clock import utcnow
from smarter_export.jobs.records import JobStatus
from tests.jobs.world import World


def test_a_cancelled_export_whose_worker_died_ends_cancelled(world: World) -> None:
    export_id = world.create()
    world.die_holding(export_id)
    world.runtime.service.cancel_or_delete(world.caller, export_id)
    assert world.job(export_id).status is JobStatus.PROCESSING  # asked; the worker is gone
    report = world.upkeep()
    job = world.job(export_id)
    assert job.status is JobStatus.CANCELLED
    assert job.completed_at is not None and job.lease_owner is None
    assert report.ended == 1
    assert not world.redelivered(export_id), "ended, not re-delivered for ever"
    assert world.events(export_id)[-1] == "cancelled"


def test_a_cancelled_export_handed_to_a_worker_ends_cancelled(world: World) -> None:
    export_id = world.create()
    world.die_holding(export_id)
    world.runtime.service.cancel_or_delete(world.caller, export_id)
    world.runner().process(export_id)  # the reaper's delivery reaches a live worker first
    assert world.job(export_id).status is JobStatus.CANCELLED


def test_an_export_retried_after_its_cancel_ends_cancelled(world: World) -> None:
    """A transient failure put it back to pending with the cancel request on it."""
    export_id = world.create()
    world.set(export_id, cancel_requested=True, attempts=1, next_attempt_at=utcnow())
    world.upkeep()
    assert world.job(export_id).status is JobStatus.CANCELLED


def test_a_poison_export_fails_when_its_worker_died_max_attempts_times(world: World) -> None:
    """max_attempts is 2: two workers died under it; the third delivery ends it."""
    export_id = world.create()
    world.die_holding(export_id, "w-dead-1")
    world.die_holding(export_id, "w-dead-2")
    world.runner().process(export_id)
    job = world.job(export_id)
    assert job.status is JobStatus.FAILED
    assert job.attempts == 2, "never run past its attempts"
    assert job.error_code == "worker_stopped"
    assert job.error_message is not None
    assert "stopped 2 times while running this export" in job.error_message
    assert "narrow the filters" in job.error_message
    assert world.events(export_id) == ["created", "started", "started", "failed"]


def test_the_reaper_fails_a_poison_export_instead_of_re_delivering_it(world: World) -> None:
    export_id = world.create()
    world.die_holding(export_id, "w-dead-1")
    world.die_holding(export_id, "w-dead-2")
    world.upkeep()
    assert world.job(export_id).status is JobStatus.FAILED
    assert not world.redelivered(export_id)


def test_a_lapsed_export_under_its_attempts_is_re_delivered_and_completes(world: World) -> None:
    export_id = world.create()
    world.die_holding(export_id)
    world.upkeep()
    assert world.redelivered(export_id)
    world.runner().process(export_id)
    job = world.job(export_id)
    assert job.status is JobStatus.COMPLETED
    assert job.attempts == 2


def test_the_time_limit_runs_from_the_first_start_across_attempts(world: World) -> None:
    """Killed just before its limit each time, an export would otherwise run for ever."""
    limit = world.settings.job_time_limit_seconds
    export_id = world.create()
    world.die_holding(export_id)
    world.set(export_id, first_started_at=utcnow() - timedelta(seconds=limit + 1))
    world.runner().process(export_id)
    job = world.job(export_id)
    assert job.status is JobStatus.FAILED
    assert job.error_code == "time_limit_exceeded"
    assert job.attempts == 1


def test_a_retry_waiting_past_the_time_limit_is_failed_by_the_reaper(world: World) -> None:
    limit = world.settings.job_time_limit_seconds
    export_id = world.create()
    world.set(
        export_id,
        attempts=1,
        first_started_at=utcnow() - timedelta(seconds=limit + 1),
        next_attempt_at=utcnow() + timedelta(seconds=60),
    )
    world.upkeep()
    assert world.job(export_id).error_code == "time_limit_exceeded"


def test_a_live_worker_s_export_is_left_alone(world: World) -> None:
    """Cancel asked of a running export with a live lease: its worker ends it, not the reaper."""
    export_id = world.create()
    world.die_holding(export_id)
    world.set(export_id, lease_expires_at=utcnow() + timedelta(seconds=30))
    world.runtime.service.cancel_or_delete(world.caller, export_id)
    assert world.upkeep().ended == 0
    assert world.job(export_id).status is JobStatus.PROCESSING
