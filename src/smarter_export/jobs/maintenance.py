"""Periodic upkeep, run by every consumer: end spent jobs, re-deliver lost ones, delete expired
files.

Safe to run in many processes at once: each change is a conditional update, and a delivery of
a job that is not claimable does nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine

from smarter_export.clock import utcnow
from smarter_export.jobs import lifecycle, store
from smarter_export.jobs.records import AuditEvent, JobStatus
from smarter_export.log import get_logger
from smarter_export.schedules.runs import fire_due
from smarter_export.settings import Settings
from smarter_export.storage.base import FileStorage

log = get_logger("smarter_export.maintenance")


@dataclass(frozen=True)
class UpkeepReport:
    ended: int  # cancelled, out of attempts or of time while nobody ran them
    redelivered: int
    expired: int
    scheduled: int = 0  # exports made (or runs skipped) for schedules that came due


def run_upkeep(
    settings: Settings,
    engine: Engine,
    storage: FileStorage,
    enqueue: Callable[[str, float], None],
    *,
    now: datetime | None = None,
) -> UpkeepReport:
    now = now or utcnow()
    # A pending job untouched for longer than a lease was never delivered (the API died between
    # commit and enqueue) or its delivery was lost with a queue; a processing job whose lease
    # lapsed belongs to a dead worker.
    quiet_since = now - timedelta(
        seconds=max(settings.lease_seconds, 2 * settings.reaper_interval_seconds)
    )
    limits = lifecycle.run_limits(settings)
    with engine.begin() as connection:
        ended = lifecycle.settle(connection, now=now, limits=limits)
    with engine.begin() as connection:
        lost = store.lapsed_or_undelivered(
            connection, now=now, undelivered_before=quiet_since, limits=limits
        )
        for export_id in lost:
            # Touch pending ones so that the next sweep does not deliver them yet again.
            store.update_where(
                connection, export_id, statuses=(JobStatus.PENDING,), values={"updated_at": now}
            )
    for export_id in lost:
        log.warning("export.redelivered", export_id=export_id)
        enqueue(export_id, 0.0)

    with engine.connect() as connection:
        due = store.due_for_expiry(connection, now=now)
    for job in due:
        if job.file_key:
            storage.delete(job.file_key)
        with engine.begin() as connection:
            if store.update_where(
                connection,
                job.id,
                statuses=(JobStatus.COMPLETED,),
                values={"status": JobStatus.EXPIRED, "updated_at": now, "file_key": None},
            ):
                store.record_event(connection, job, AuditEvent.EXPIRED, now=now, actor="system")
        log.info("export.expired", export_id=job.id, tenant_id=job.tenant_id)
    fired = fire_due(settings, engine, enqueue, now=now)
    return UpkeepReport(
        ended=len(ended), redelivered=len(lost), expired=len(due), scheduled=len(fired)
    )


class UpkeepThread(threading.Thread):
    """Runs `run_upkeep` every reaper interval until stopped; a failed sweep is logged."""

    def __init__(self, settings: Settings, sweep: Callable[[], UpkeepReport]) -> None:
        super().__init__(name="export-upkeep", daemon=True)
        self.interval = settings.reaper_interval_seconds
        self.sweep = sweep
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(self.interval):
            try:
                self.sweep()
            except Exception as error:  # the next sweep tries again; the error is logged
                log.error("upkeep.failed", error=repr(error))

    def stop(self) -> None:
        self.stopping.set()
