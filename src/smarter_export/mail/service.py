"""The e-mail sweep: one message per finished export that asked for one (`notify.emails`), and
one to a schedule's owner for each run that was skipped; sent over SMTP at least once, retried
with backoff and jitter, and recorded in the export's (or the schedule's) events.

Runs in the upkeep of the API's and the workers' processes, never in an export's path.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

from sqlalchemy import Connection, Engine, select, update
from sqlalchemy.exc import IntegrityError

from smarter_export.clock import utcnow
from smarter_export.domain.tenants import find_firm
from smarter_export.firm_settings import store as firm_settings_store
from smarter_export.jobs import downloads, store
from smarter_export.jobs.records import AuditEvent, ExportJob, JobStatus
from smarter_export.jobs.retry import RetryPolicy, Verdict
from smarter_export.jobs.tables import export_job
from smarter_export.log import get_logger
from smarter_export.mail.message import export_message, skipped_run_message
from smarter_export.mail.outbox import FAILED, PENDING, SENT, queue_mail
from smarter_export.mail.tables import mail_delivery
from smarter_export.mail.transport import send
from smarter_export.schedules import store as schedule_store
from smarter_export.settings import Settings

log = get_logger("smarter_export.mail")

NOTICE_WINDOW = timedelta(days=1)
LEASE = timedelta(minutes=2)
NO_SMTP = "no e-mail is sent: the service has no SMTP server (SMARTER_EXPORT_SMTP_URL)"


class MailService:
    def __init__(self, settings: Settings, engine: Engine, signing_secrets: Sequence[str]) -> None:
        self.settings = settings
        self.engine = engine
        self.signing_secrets = tuple(signing_secrets)
        self.rng = random.Random()
        self.retries = RetryPolicy.for_messages(settings, settings.mail_max_attempts)

    def sweep(self, now: datetime | None = None) -> int:
        """Put newly finished exports' e-mail in the outbox, then send what is due; the sent."""
        now = now or utcnow()
        self._notice(now)
        return self._send_due(now) if self.settings.smtp_url else 0

    def _notice(self, now: datetime) -> None:
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(export_job).where(
                    export_job.c.notify.is_not(None),
                    export_job.c.status.in_((JobStatus.COMPLETED, JobStatus.FAILED)),
                    export_job.c.completed_at >= now - NOTICE_WINDOW,
                    ~select(mail_delivery.c.id)
                    .where(mail_delivery.c.export_id == export_job.c.id)
                    .exists(),
                )
            ).all()
        for row in rows:
            job = ExportJob.from_row(row)
            emails = (job.notify or {}).get("emails") or []
            if not emails:
                continue
            unsendable = None if self.settings.smtp_url else NO_SMTP
            try:
                with self.engine.begin() as connection:
                    queue_mail(
                        connection,
                        tenant_id=job.tenant_id,
                        recipients=list(emails),
                        now=now,
                        export_id=job.id,
                        unsendable=unsendable,
                    )
                    if unsendable is not None:  # said on the export, not silently dropped
                        store.record_event(
                            connection,
                            job,
                            AuditEvent.NOTIFY_FAILED,
                            now=now,
                            actor="system",
                            details={"recipients": list(emails), "error": unsendable},
                        )
            except IntegrityError:  # another sweep made it first
                continue

    def _send_due(self, now: datetime) -> int:
        with self.engine.connect() as connection:
            due = connection.execute(
                select(mail_delivery)
                .where(mail_delivery.c.status == PENDING, mail_delivery.c.next_attempt_at <= now)
                .limit(50)
            ).all()
        sent = 0
        # A slow server may hold up this sweep (and with it the reaper's next round) for one
        # reaper interval and one attempt at most; what is left waits for the next sweep.
        stop_at = time.monotonic() + self.settings.reaper_interval_seconds
        for mail in due:
            if time.monotonic() > stop_at:
                break
            with self.engine.begin() as connection:
                taken = connection.execute(
                    update(mail_delivery)
                    .where(
                        mail_delivery.c.id == mail.id,
                        mail_delivery.c.status == PENDING,
                        mail_delivery.c.next_attempt_at == mail.next_attempt_at,
                    )
                    .values(next_attempt_at=now + LEASE, updated_at=now)
                )
                if taken.rowcount != 1:
                    continue  # another sweep took it
                about = self._about(connection, mail)
                if about is None:  # its export or schedule was deleted since: nothing to tell
                    connection.execute(
                        update(mail_delivery)
                        .where(mail_delivery.c.id == mail.id)
                        .values(status=FAILED, next_attempt_at=None, last_error="nothing to tell")
                    )
                    continue
            message, on_record = about
            error = send(self.settings, message)
            self._record(mail, on_record, error=error, now=now)
            sent += error is None
        return sent

    def _about(
        self, connection: Connection, mail: Any
    ) -> tuple[EmailMessage, ExportJob | schedule_store.Schedule] | None:
        """The message a claimed row stands for, and what its sending is recorded on."""
        firm = find_firm(connection, mail.tenant_id)
        recipients = list(mail.recipients)
        center_url = self.settings.public_base_url or "http://127.0.0.1:8000"
        if mail.export_id is None:
            schedule = schedule_store.get(connection, mail.schedule_id, mail.tenant_id)
            run = schedule_store.run_at(connection, mail.schedule_id, mail.due_at)
            if schedule is None or run is None:
                return None  # deleted since: nothing to tell
            message = skipped_run_message(
                schedule.name,
                due_at=mail.due_at,
                reason=run.reason or "",
                recipients=recipients,
                sender=self.settings.mail_from,
                center_url=center_url,
                zone=firm.timezone,
            )
            return message, schedule
        job = store.get_job(connection, mail.export_id)
        if job is None:
            return None
        link = None
        if job.status is JobStatus.COMPLETED and (
            firm_settings_store.load(connection, job.tenant_id).mail_download_links
        ):
            link = downloads.owner_download_url(
                connection,
                job,
                self.signing_secrets,
                self.settings.link_ttl_seconds,
                center_url,
            )
        message = export_message(
            job,
            recipients=recipients,
            sender=self.settings.mail_from,
            center_url=center_url,
            zone=firm.timezone,
            download_url=link,
        )
        return message, job

    def _record(
        self,
        mail: Any,
        on_record: ExportJob | schedule_store.Schedule,
        *,
        error: str | None,
        now: datetime,
    ) -> None:
        attempts = mail.attempts + 1
        after = self.retries.after(attempts, succeeded=error is None, now=now, rng=self.rng)
        values: dict[str, object] = {"next_attempt_at": after.next_attempt_at}
        if after.verdict is not Verdict.RETRY:
            values["status"] = SENT if after.verdict is Verdict.DONE else FAILED
        details = {"recipients": list(mail.recipients), "attempt": attempts, "error": error}
        with self.engine.begin() as connection:
            connection.execute(
                update(mail_delivery)
                .where(mail_delivery.c.id == mail.id)
                .values(attempts=attempts, last_error=error, updated_at=now, **values)
            )
            if isinstance(on_record, ExportJob):
                store.record_event(
                    connection,
                    on_record,
                    AuditEvent.NOTIFIED if error is None else AuditEvent.NOTIFY_FAILED,
                    now=now,
                    actor="system",
                    details=details,
                )
            else:
                schedule_store.record_event(
                    connection,
                    on_record,
                    "owner_notified" if error is None else "owner_notify_failed",
                    now=now,
                    actor="system",
                    details={**details, "dueAt": mail.due_at.isoformat()},
                )
        log.info("mail.attempted", mail_id=mail.id, attempt=attempts, sent=error is None)
