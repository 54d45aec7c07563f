"""The export service at its own level, on a real SQLite file: creation, repeats, cancellation."""

from __future__ import annotations

import dataclasses

import pytest

from smarter_export.errors import Forbidden, NotFound, ValidationFailed
from smarter_export.jobs.records import JobStatus
from smarter_export.jobs.service import Caller
from tests.jobs.world import World


def test_create_commits_the_frozen_request_then_enqueues(world: World) -> None:
    export_id = world.create({"dataSource": "time_entries", "dateFrom": "2024-01-01"})
    job = world.job(export_id)
    assert job.status is JobStatus.PENDING
    assert job.parameters["dateFrom"] == "2024-01-01"
    assert world.events(export_id) == ["created"]
    assert world.runtime.queue.pending_deliveries() == 1


def test_a_repeat_is_answered_with_the_same_export(world: World) -> None:
    service = world.runtime.service
    body = {"dataSource": "matters"}
    first = service.create_export(world.caller, "csv", body, "key-1")
    again = service.create_export(world.caller, "csv", body, "key-1")
    identical = service.create_export(world.caller, "csv", body)  # no key, still pending
    assert not first.existing
    assert again.existing and again.job.id == first.job.id
    assert identical.existing and identical.job.id == first.job.id
    with pytest.raises(ValidationFailed) as refused:
        service.create_export(world.caller, "csv", {"dataSource": "clients"}, "key-1")
    assert refused.value.problems[0].field == "Idempotency-Key"


def test_a_source_not_granted_is_forbidden(world: World) -> None:
    principal = world.caller.principal
    clerk = Caller(type(principal)("clerk", principal.tenant_id, "user", frozenset()))
    with pytest.raises(Forbidden):
        world.runtime.service.create_export(clerk, "csv", {"dataSource": "invoices"})


def test_cancel_ends_a_pending_export_and_flags_a_running_one(world: World) -> None:
    service = world.runtime.service
    pending = world.create()
    assert service.cancel_or_delete(world.caller, pending).status is JobStatus.CANCELLED
    running = world.create({"dataSource": "matters"})
    world.die_holding(running)
    flagged = service.cancel_or_delete(world.caller, running)
    assert flagged.status is JobStatus.PROCESSING and flagged.cancel_requested


def test_another_firms_export_is_not_found(world: World) -> None:
    export_id = world.create()
    principal = world.caller.principal
    stranger = type(principal)("x", "00000000-0000-0000-0000-000000000000", "admin", frozenset())
    with pytest.raises(NotFound):
        world.runtime.service.get(stranger, export_id)


def test_a_cancel_that_meets_the_completion_deletes_the_file(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cancel reads the export running; the worker completes it before the cancel writes.
    The cancel must not vanish (seen in the chaos test: 200, and the export stayed completed)."""
    service = world.runtime.service
    export_id = world.create({"dataSource": "matters"})
    world.runner().process(export_id)
    completed = world.job(export_id)
    assert completed.status is JobStatus.COMPLETED and completed.file_key
    reads = [dataclasses.replace(completed, status=JobStatus.PROCESSING)]  # read just before
    real_get = service.get
    monkeypatch.setattr(
        service, "get", lambda principal, i: reads.pop() if reads else real_get(principal, i)
    )
    answer = service.cancel_or_delete(world.caller, export_id)
    assert answer.status is JobStatus.EXPIRED and answer.file_key is None
    assert not list((world.runtime.settings.data_dir / "files").rglob("*.csv"))
    assert world.events(export_id)[-1] == "deleted"
