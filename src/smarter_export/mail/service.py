"""The e-mail sweep: one message per finished export that asked for one (`notify.emails`), sent
over SMTP at least once, retried with backoff and jitter, and recorded in the export's events.

Runs in the upkeep of the API's and the workers' processes, never in an export's path.
"""

from __future__ import annotations

import random
import smtplib
import ssl
import uuid
from datetime import datetime, timedelta
from email.message import EmailMessage
from urllib.parse import urlsplit

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError

from smarter_export.clock import utcnow
from smarter_export.domain.tenants import find_firm
from smarter_export.jobs import store
from smarter_export.jobs.records import AuditEvent, ExportJob, JobStatus
from smarter_export.jobs.tables import export_job
from smarter_export.log import get_logger
from smarter_export.mail.message import export_message
from smarter_export.mail.tables import mail_delivery
from smarter_export.settings import Settings
from smarter_export.webhooks.sending import next_attempt_at

log = get_logger("smarter_export.mail")

NOTICE_WINDOW = timedelta(days=1)
PENDING, SENT, FAILED = "pending", "sent", "failed"


class MailService:
    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings = settings
        self.engine = engine
        self.rng = random.Random()

    def sweep(self, now: datetime | None = None) -> int:
        if not self.settings.smtp_url:
            return 0
        now = now or utcnow()
        self._notice(now)
        return self._send_due(now)

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
            try:
                with self.engine.begin() as connection:
                    connection.execute(
                        mail_delivery.insert(),
                        {
                            "id": str(uuid.uuid4()),
                            "tenant_id": job.tenant_id,
                            "export_id": job.id,
                            "recipients": emails,
                            "status": PENDING,
                            "attempts": 0,
                            "next_attempt_at": now,
                            "created_at": now,
                            "updated_at": now,
                        },
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
        for mail in due:
            lease = now + timedelta(minutes=2)
            with self.engine.begin() as connection:
                taken = connection.execute(
                    update(mail_delivery)
                    .where(
                        mail_delivery.c.id == mail.id,
                        mail_delivery.c.status == PENDING,
                        mail_delivery.c.next_attempt_at == mail.next_attempt_at,
                    )
                    .values(next_attempt_at=lease, updated_at=now)
                )
                job = store.get_job(connection, mail.export_id)
                firm = find_firm(connection, mail.tenant_id)
            if taken.rowcount != 1 or job is None:
                continue
            message = export_message(
                job,
                recipients=list(mail.recipients),
                sender=self.settings.mail_from,
                center_url=self.settings.public_base_url or "http://127.0.0.1:8000",
                zone=firm.timezone,
            )
            error = self._send(message)
            self._record(
                job,
                mail.id,
                attempts=mail.attempts + 1,
                recipients=list(mail.recipients),
                error=error,
                now=now,
            )
            sent += error is None
        return sent

    def _send(self, message: EmailMessage) -> str | None:
        assert self.settings.smtp_url is not None
        target = urlsplit(self.settings.smtp_url)
        host = target.hostname or "localhost"
        try:
            if target.scheme == "smtps":
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    host, target.port or 465, timeout=30, context=ssl.create_default_context()
                )
            else:
                client = smtplib.SMTP(host, target.port or 587, timeout=30)
            with client:
                client.ehlo()
                if target.scheme == "smtp" and client.has_extn("starttls"):
                    client.starttls(context=ssl.create_default_context())
                    client.ehlo()
                elif target.scheme == "smtp" and not self.settings.is_development:
                    return "the SMTP server offers no STARTTLS; refused to send in the clear"
                if self.settings.smtp_username and self.settings.smtp_password:
                    client.login(
                        self.settings.smtp_username, self.settings.smtp_password.get_secret_value()
                    )
                client.send_message(message)
        except (smtplib.SMTPException, OSError) as failure:
            return repr(failure)[:500]
        return None

    def _record(
        self,
        job: ExportJob,
        mail_id: str,
        *,
        attempts: int,
        recipients: list[str],
        error: str | None,
        now: datetime,
    ) -> None:
        if error is None:
            values: dict[str, object] = {"status": SENT, "next_attempt_at": None}
        elif attempts >= self.settings.mail_max_attempts:
            values = {"status": FAILED, "next_attempt_at": None}
        else:
            values = {
                "next_attempt_at": next_attempt_at(
                    now, attempts, base_seconds=self.settings.webhook_backoff_seconds, rng=self.rng
                )
            }
        with self.engine.begin() as connection:
            connection.execute(
                update(mail_delivery)
                .where(mail_delivery.c.id == mail_id)
                .values(attempts=attempts, last_error=error, updated_at=now, **values)
            )
            store.record_event(
                connection,
                job,
                AuditEvent.NOTIFIED if error is None else AuditEvent.NOTIFY_FAILED,
                now=now,
                actor="system",
                details={"recipients": recipients, "attempt": attempts, "error": error},
            )
        log.info("mail.attempted", export_id=job.id, attempt=attempts, sent=error is None)
