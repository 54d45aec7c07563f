"""Running one export job: claim it, stream it, publish the file, record the outcome.

The job row is the source of truth; the queue only delivers ids. A delivery of a job that is
not claimable (done, cancelled, or held by a live worker) does nothing, so a job delivered twice
still runs once. Progress and the lease are written together at most once a second.
"""

from __future__ import annotations

import functools
import random
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from smarter_export import metrics
from smarter_export.clock import utcnow
from smarter_export.domain.tenants import find_firm
from smarter_export.errors import (
    ExportCancelled,
    Failure,
    advice_when_retries_run_out,
    classify,
    describe,
)
from smarter_export.jobs import lifecycle, space, store
from smarter_export.jobs.engine import ExportResult, Progress, run_export
from smarter_export.jobs.file_names import marked_partial, planned_file_name
from smarter_export.jobs.periods import PERIOD_KEY
from smarter_export.jobs.plan import plan_export
from smarter_export.jobs.records import AuditEvent, ExportJob, JobStatus
from smarter_export.jobs.retry import backoff_seconds
from smarter_export.jobs.watch import AttemptWatch, LeaseLost
from smarter_export.log import get_logger
from smarter_export.settings import Settings
from smarter_export.storage.base import FileStorage, StoredFile, file_key

log = get_logger("smarter_export.jobs")


@dataclass
class ExportRunner:
    settings: Settings
    engine: Engine
    storage: FileStorage
    enqueue: Callable[[str, float], None]
    worker: str
    rng: random.Random

    def process(self, export_id: str) -> None:
        now = utcnow()
        lease_until = now + timedelta(seconds=self.settings.lease_seconds)
        with self.engine.begin() as connection:
            claim = store.claim(
                connection,
                export_id,
                worker=self.worker,
                now=now,
                lease_until=lease_until,
                max_running_per_tenant=self.settings.max_running_per_tenant,
                limits=lifecycle.run_limits(self.settings),
            )
            if claim is store.Claim.TENANT_BUSY:
                store.wait_turn(connection, export_id, now=now)
            if claim is store.Claim.NOT_CLAIMABLE:
                # Cancelled, out of attempts or out of time while nobody ran it: end it now.
                lifecycle.settle(
                    connection,
                    now=now,
                    limits=lifecycle.run_limits(self.settings),
                    export_id=export_id,
                )
            if claim is not store.Claim.TAKEN:
                self._not_taken(export_id, claim)
                return
            job = store.get_job(connection, export_id)
            assert job is not None
            store.record_event(
                connection,
                job,
                AuditEvent.STARTED,
                now=now,
                actor="system",
                details={"attempt": job.attempts, "worker": self.worker},
            )
        if job.attempts == 1:
            metrics.export_picked_up(job.created_at, now)
        log.info("export.started", export_id=job.id, tenant_id=job.tenant_id, attempt=job.attempts)
        try:
            self._run(job)
        except LeaseLost:
            log.warning("export.lease_lost", export_id=job.id, worker=self.worker)
        except ExportCancelled:
            self._finish(job, JobStatus.CANCELLED, AuditEvent.CANCELLED, {})
        except Exception as error:  # every failure is recorded on the job, none is swallowed
            self._failed(job, error)

    def _not_taken(self, export_id: str, claim: store.Claim) -> None:
        if claim is store.Claim.TENANT_BUSY:
            # Its firm runs its share already: ask again shortly, and leave this worker free for
            # other firms' exports meanwhile.
            wait = self.settings.fair_share_wait_seconds * (1 + self.rng.random())
            log.info("export.waiting_turn", export_id=export_id, wait_seconds=round(wait, 2))
            self.enqueue(export_id, wait)
        else:
            log.info("export.delivery_skipped", export_id=export_id)

    # -- the run -------------------------------------------------------------------------------

    def _run(self, job: ExportJob) -> None:
        params = dict(job.parameters)
        period = params.pop(PERIOD_KEY, None)  # a named period: its dates are in params
        with self.engine.connect() as connection:
            firm = find_firm(connection, job.tenant_id)
            planned = plan_export(
                self.settings,
                firm=firm,
                source_name=job.source,
                format_name=job.format,
                params=params,
                requested_by=job.user_id,
                include_confidential=job.include_confidential,
                timezone=job.timezone,
            )
            # The stored file's name: chosen by the service, never by the caller.
            name = planned_file_name(
                connection, planned, job.created_at, named_period=period is not None
            )
        staging = (
            space.staging_folder(self.settings) / f"{job.id}-{job.attempts}{planned.file_extension}"
        )
        staging.parent.mkdir(parents=True, exist_ok=True)
        watch = AttemptWatch(
            self.engine,
            job,
            self.worker,
            lease_seconds=self.settings.lease_seconds,
            time_limit_seconds=self.settings.job_time_limit_seconds,
        )
        try:
            room = functools.partial(
                space.room_needed, staging.parent, planned.format.bytes_per_row
            )
            result = run_export(self.engine, planned, staging, on_progress=_rows(watch, room))
            if result.partial:
                name = marked_partial(name)
            watch.report(PUBLISHING, force=True)
            stored = self.storage.publish(
                staging,
                file_key(job.tenant_id, job.id, name),
                planned.content_type,
                on_progress=lambda _sent: watch.report(PUBLISHING),
            )
        finally:
            staging.unlink(missing_ok=True)
        self._completed(job, result, stored, name, planned.content_type)

    # -- outcomes ------------------------------------------------------------------------------

    def _completed(
        self, job: ExportJob, result: ExportResult, stored: StoredFile, name: str, content_type: str
    ) -> None:
        now = utcnow()
        values = {
            "status": JobStatus.COMPLETED,
            "rows_total": result.rows_total,
            "rows_processed": result.rows_written.get(job.source, 0),
            "partial": result.partial,
            "warnings": list(result.warnings),
            "file_key": stored.key,
            "file_name": name,
            "content_type": content_type,
            "size_bytes": stored.size_bytes,
            "sha256": stored.sha256,
            "completed_at": now,
            "expires_at": now + timedelta(seconds=self.settings.retention_seconds),
            "error_code": None,
            "error_message": None,
            "chart": result.chart,
        }
        details = {
            "rows": result.rows_written,
            "sizeBytes": stored.size_bytes,
            "partial": result.partial,
            "withheldRows": result.withheld_rows,
        }
        if not self._finish(
            job, JobStatus.COMPLETED, AuditEvent.COMPLETED, values, details, unless_cancelled=True
        ):
            # A cancel that came after the last check still wins: the export ends cancelled and
            # its file goes. Otherwise another worker took the job over and publishes the same
            # key: leave the file be.
            if self._finish(job, JobStatus.CANCELLED, AuditEvent.CANCELLED, {}):
                self.storage.delete(stored.key)
            else:
                log.warning("export.lease_lost", export_id=job.id, worker=self.worker)
            return
        metrics.export_completed(
            job.format,
            partial=result.partial,
            rows=result.rows_written.get(job.source, 0),
            seconds=(now - (job.started_at or now)).total_seconds(),
        )
        log.info(
            "export.completed",
            export_id=job.id,
            tenant_id=job.tenant_id,
            rows=result.rows_written,
            seconds=round(result.seconds, 3),
            partial=result.partial,
        )

    def _failed(self, job: ExportJob, error: Exception) -> None:
        code, message = describe(error, job.id)
        if classify(error) is Failure.TRANSIENT and job.attempts < self.settings.max_attempts:
            delay = backoff_seconds(
                job.attempts,
                base=self.settings.retry_backoff_seconds,
                cap=self.settings.retry_backoff_max_seconds,
                rng=self.rng,
            )
            now = utcnow()
            retry_at = now + timedelta(seconds=delay)
            values = {
                "status": JobStatus.PENDING,
                "lease_owner": None,
                "lease_expires_at": None,
                "next_attempt_at": retry_at,
                "updated_at": now,
                "error_code": code,
                "error_message": f"{message} {self._will_retry(job, retry_at)}",
            }
            if self._finish(
                job,
                JobStatus.PENDING,
                AuditEvent.RETRIED,
                values,
                {"delaySeconds": round(delay, 2), "error": code},
            ):
                log.warning(
                    "export.retrying",
                    export_id=job.id,
                    attempt=job.attempts,
                    delay=delay,
                    error=repr(error),
                )
                self.enqueue(job.id, delay)
            return
        log.error(
            "export.failed",
            export_id=job.id,
            tenant_id=job.tenant_id,
            error_code=code,
            error=repr(error),
            traceback="".join(traceback.format_exception(error)),
        )
        advice = advice_when_retries_run_out(code) if classify(error) is Failure.TRANSIENT else None
        if advice is not None:
            message = f"{message} It failed on all {job.attempts} attempts: {advice}."
        values = {"error_code": code, "error_message": message, "completed_at": utcnow()}
        self._finish(job, JobStatus.FAILED, AuditEvent.FAILED, values, {"error": code})

    def _will_retry(self, job: ExportJob, retry_at: datetime) -> str:
        """ "It will try again at 14:05 (Europe/London)": in the export's or the firm's zone."""
        zone = job.timezone
        if zone is None:
            try:
                with self.engine.connect() as connection:
                    zone = find_firm(connection, job.tenant_id).timezone
            except Exception:  # the firm's zone is a courtesy: UTC, said as such, will do
                zone = "UTC"
        return f"It will try again at {retry_at.astimezone(ZoneInfo(zone)):%H:%M} ({zone})."

    def _finish(
        self,
        job: ExportJob,
        status: JobStatus,
        event: AuditEvent,
        values: Mapping[str, object],
        details: Mapping[str, object] | None = None,
        *,
        unless_cancelled: bool = False,
    ) -> bool:
        now = utcnow()
        final = {
            "status": status,
            "updated_at": now,
            "lease_owner": None,
            "lease_expires_at": None,
            "phase": None,
        }
        if status is JobStatus.CANCELLED:
            final["completed_at"] = now
        with self.engine.begin() as connection:
            if not store.update_held(
                connection,
                job.id,
                worker=self.worker,
                values={**final, **values},
                unless_cancelled=unless_cancelled,
            ):
                return False
            store.record_event(connection, job, event, now=now, actor="system", details=details)
        if status in (JobStatus.FAILED, JobStatus.CANCELLED):
            metrics.export_finished(status, job.format)
        if status is JobStatus.CANCELLED:
            log.info("export.cancelled", export_id=job.id, tenant_id=job.tenant_id)
        return True


PUBLISHING = "uploading"


def _rows(watch: AttemptWatch, room: Callable[..., list[space.Need]]) -> Callable[[Progress], None]:
    """The engine's progress, into the watch: the last report of a phase is always written.

    Its first report comes once the rows are counted and before any is written: then the disk
    is checked for `room`'s needs (the file's, the database's sort), so a full disk makes the
    export wait, not fail half-way."""

    def on_progress(progress: Progress) -> None:
        if progress.rows_processed == 0:
            space.ensure_room(room(rows=progress.rows_total, sorted_rows=progress.rows_sorted))
        watch.report(
            progress.phase,
            progress.rows_processed,
            progress.rows_total,
            force=progress.rows_processed >= progress.rows_total,
            rows_start=progress.rows_processed == 0,
        )

    return on_progress
