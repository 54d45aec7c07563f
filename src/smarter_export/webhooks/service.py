"""The webhook service: register, list, remove and test a firm's endpoints, and the sweep that
turns finished exports into messages and sends the due ones.

A message is made once per endpoint and export event (a unique key) and sent at least once: a
failed attempt is retried with backoff and jitter under the same `webhook-id` until it is
delivered or out of attempts. Sending happens in the upkeep thread, never in an export's path.
"""

from __future__ import annotations

import base64
import json
import random
import secrets
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, select, update
from sqlalchemy.exc import IntegrityError

from smarter_export.auth.principal import Principal
from smarter_export.clock import utcnow
from smarter_export.errors import Forbidden, NotFound, ValidationFailed
from smarter_export.jobs import downloads
from smarter_export.jobs.records import ExportJob, JobStatus
from smarter_export.jobs.retry import RetryPolicy, Verdict
from smarter_export.jobs.tables import export_job
from smarter_export.log import get_logger
from smarter_export.settings import Settings
from smarter_export.urls import status_url
from smarter_export.webhooks.sending import attempt
from smarter_export.webhooks.ssrf import check_url
from smarter_export.webhooks.tables import webhook, webhook_attempt, webhook_delivery

log = get_logger("smarter_export.webhooks")

EVENTS = ("export.completed", "export.failed")
TEST_EVENT = "webhook.test"
MANAGE = "webhooks:manage"
# Exports finished longer ago than this are not announced (a webhook added today is not told
# of last month's exports; a sweep that was down for a day still catches up).
NOTICE_WINDOW = timedelta(days=1)
PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
# What an endpoint is shown as after its registration: everything but the signing secret.
SHOWN = tuple(column for column in webhook.c if column.name != "secret")


@dataclass(frozen=True)
class Registered:
    row: dict[str, Any]
    secret: str  # shown once


class WebhookService:
    def __init__(self, settings: Settings, engine: Engine, signing_secrets: Sequence[str]) -> None:
        self.settings = settings
        self.engine = engine
        self.signing_secrets = tuple(signing_secrets)
        self.rng = random.Random()
        self.retries = RetryPolicy.for_messages(settings, settings.webhook_max_attempts)

    # -- the API's side ------------------------------------------------------------------------

    def register(self, principal: Principal, body: Mapping[str, Any]) -> Registered:
        _check_admin(principal)
        url = check_url(body.get("url"), allow_loopback=self.settings.webhook_allow_loopback)
        events = body.get("events", list(EVENTS))
        if not isinstance(events, list) or not events or not set(events) <= set(EVENTS):
            raise ValidationFailed.one("events", f"give a list of {', '.join(EVENTS)}")
        description = body.get("description")
        if description is not None and not (
            isinstance(description, str) and len(description) <= 500
        ):
            raise ValidationFailed.one("description", "give at most 500 characters")
        secret = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
        row = {
            "id": str(uuid.uuid4()),
            "tenant_id": principal.tenant_id,
            "url": url,
            "events": sorted(set(events)),
            "description": description,
            "secret": secret,
            "created_by": principal.user_id,
            "created_at": utcnow(),
        }
        with self.engine.begin() as connection:
            connection.execute(webhook.insert(), row)
        log.info("webhook.registered", webhook_id=row["id"], tenant_id=principal.tenant_id)
        return Registered(row, secret)

    def list_webhooks(self, principal: Principal) -> list[dict[str, Any]]:
        _check_admin(principal)
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(*SHOWN)
                .where(webhook.c.tenant_id == principal.tenant_id, webhook.c.deleted_at.is_(None))
                .order_by(webhook.c.created_at)
            )
            return [dict(row._mapping) for row in rows]

    def get(self, principal: Principal, webhook_id: str) -> dict[str, Any]:
        _check_admin(principal)
        with self.engine.connect() as connection:
            row = connection.execute(
                select(*SHOWN).where(
                    webhook.c.id == webhook_id,
                    webhook.c.tenant_id == principal.tenant_id,
                    webhook.c.deleted_at.is_(None),
                )
            ).first()
        if row is None:
            raise NotFound("No webhook has this id.")
        return dict(row._mapping)

    def delete(self, principal: Principal, webhook_id: str) -> None:
        found = self.get(principal, webhook_id)
        now = utcnow()
        with self.engine.begin() as connection:
            connection.execute(
                update(webhook).where(webhook.c.id == found["id"]).values(deleted_at=now)
            )
            connection.execute(
                update(webhook_delivery)
                .where(
                    webhook_delivery.c.webhook_id == found["id"],
                    webhook_delivery.c.status == PENDING,
                )
                .values(status=FAILED, next_attempt_at=None, updated_at=now)
            )

    def test(self, principal: Principal, webhook_id: str) -> dict[str, Any]:
        """Send a `webhook.test` message now; the answer is the delivery with its attempt."""
        found = self.get(principal, webhook_id)
        now = utcnow()
        message_id = self._make_delivery(found, TEST_EVENT, None, {"test": True}, now)
        assert message_id is not None
        self.send_due(now, only=message_id)
        return self.deliveries(principal, webhook_id, only=message_id)[0]

    def deliveries(
        self, principal: Principal, webhook_id: str, only: str | None = None
    ) -> list[dict[str, Any]]:
        found = self.get(principal, webhook_id)
        query = select(webhook_delivery).where(webhook_delivery.c.webhook_id == found["id"])
        if only is not None:
            query = query.where(webhook_delivery.c.id == only)
        with self.engine.connect() as connection:
            messages = [
                dict(r._mapping)
                for r in connection.execute(
                    query.order_by(webhook_delivery.c.created_at.desc()).limit(100)
                )
            ]
            for message in messages:
                message["attempt_list"] = [
                    dict(a._mapping)
                    for a in connection.execute(
                        select(
                            webhook_attempt.c.attempted_at,
                            webhook_attempt.c.http_status,
                            webhook_attempt.c.error,
                            webhook_attempt.c.duration_ms,
                        )
                        .where(webhook_attempt.c.delivery_id == message["id"])
                        .order_by(webhook_attempt.c.attempted_at)
                    )
                ]
        return messages

    # -- the sweep -----------------------------------------------------------------------------

    def sweep(self, now: datetime | None = None) -> int:
        """Announce newly finished exports, then send what is due; the messages attempted."""
        now = now or utcnow()
        self.notice_finished(now)
        return self.send_due(now)

    def notice_finished(self, now: datetime) -> int:
        with self.engine.connect() as connection:
            pairs = connection.execute(
                select(webhook, export_job.c.id.label("export_id"))
                .join(
                    export_job,
                    and_(
                        export_job.c.tenant_id == webhook.c.tenant_id,
                        export_job.c.status.in_((JobStatus.COMPLETED, JobStatus.FAILED)),
                        export_job.c.completed_at >= webhook.c.created_at,
                        export_job.c.completed_at >= now - NOTICE_WINDOW,
                    ),
                )
                .where(
                    webhook.c.deleted_at.is_(None),
                    ~select(webhook_delivery.c.id)
                    .where(
                        webhook_delivery.c.webhook_id == webhook.c.id,
                        webhook_delivery.c.export_id == export_job.c.id,
                    )
                    .exists(),
                )
            ).all()
            made = 0
            for pair in pairs:
                job_row = connection.execute(
                    select(export_job).where(export_job.c.id == pair.export_id)
                ).first()
                assert job_row is not None
                job = ExportJob.from_row(job_row)
                event = f"export.{job.status.value}"
                if event not in pair.events:
                    continue
                payload = self._export_payload(job)
                if self._make_delivery(dict(pair._mapping), event, job.id, payload, now):
                    made += 1
        return made

    def send_due(self, now: datetime, only: str | None = None) -> int:
        query = (
            select(webhook_delivery, webhook.c.url, webhook.c.secret)
            .join(webhook, webhook.c.id == webhook_delivery.c.webhook_id)
            .where(webhook_delivery.c.status == PENDING, webhook_delivery.c.next_attempt_at <= now)
        )
        if only is not None:
            query = query.where(webhook_delivery.c.id == only)
        with self.engine.connect() as connection:
            due = connection.execute(query.limit(100)).all()
        sent = 0
        # A slow server may hold up this sweep (and with it the reaper's next round) for one
        # reaper interval and one attempt at most; what is left waits for the next sweep.
        stop_at = time.monotonic() + self.settings.reaper_interval_seconds
        for message in due:
            if time.monotonic() > stop_at:
                break
            if not self._claim(message.id, message.next_attempt_at, now):
                continue  # another sweep took it
            result = attempt(
                message.url,
                message.secret,
                message.id,
                message.payload,
                timeout=self.settings.webhook_timeout_seconds,
                allow_loopback=self.settings.webhook_allow_loopback,
            )
            self._record(message, result, now)
            sent += 1
        return sent

    # -- inside --------------------------------------------------------------------------------

    def _claim(self, message_id: str, due_at: datetime, now: datetime) -> bool:
        """Take a message for one attempt: a conditional update, lost by every other sweep."""
        lease = now + timedelta(seconds=3 * self.settings.webhook_timeout_seconds)
        with self.engine.begin() as connection:
            taken = connection.execute(
                update(webhook_delivery)
                .where(
                    webhook_delivery.c.id == message_id,
                    webhook_delivery.c.status == PENDING,
                    webhook_delivery.c.next_attempt_at == due_at,
                )
                .values(next_attempt_at=lease, updated_at=now)
            )
        return taken.rowcount == 1

    def _record(self, message: Any, result: Any, now: datetime) -> None:
        attempts = message.attempts + 1
        after = self.retries.after(attempts, succeeded=result.delivered, now=now, rng=self.rng)
        values: dict[str, Any] = {"next_attempt_at": after.next_attempt_at}
        if after.verdict is not Verdict.RETRY:
            values["status"] = DELIVERED if after.verdict is Verdict.DONE else FAILED
        with self.engine.begin() as connection:
            connection.execute(
                webhook_attempt.insert(),
                {
                    "id": str(uuid.uuid4()),
                    "tenant_id": message.tenant_id,
                    "delivery_id": message.id,
                    "attempted_at": now,
                    "http_status": result.http_status,
                    "error": result.error,
                    "duration_ms": result.duration_ms,
                },
            )
            connection.execute(
                update(webhook_delivery)
                .where(webhook_delivery.c.id == message.id)
                .values(attempts=attempts, updated_at=now, **values)
            )
        log.info(
            "webhook.attempted",
            delivery_id=message.id,
            http_status=result.http_status,
            outcome=values.get("status", "retrying"),
        )

    def _make_delivery(
        self,
        hook: Mapping[str, Any],
        event: str,
        export_id: str | None,
        data: Mapping[str, Any],
        now: datetime,
    ) -> str | None:
        message_id = f"msg_{uuid.uuid4().hex}"
        payload = json.dumps(
            {"type": event, "timestamp": now.isoformat(), "data": dict(data)},
            separators=(",", ":"),
            default=str,
        )
        try:
            with self.engine.begin() as connection:
                connection.execute(
                    webhook_delivery.insert(),
                    {
                        "id": message_id,
                        "tenant_id": hook["tenant_id"],
                        "webhook_id": hook["id"],
                        "event": event,
                        "export_id": export_id,
                        "payload": payload,
                        "status": PENDING,
                        "attempts": 0,
                        "next_attempt_at": now,
                        "created_at": now,
                        "updated_at": now,
                    },
                )
        except IntegrityError:  # another sweep made this message first
            return None
        return message_id

    def _export_payload(self, job: ExportJob) -> dict[str, Any]:
        base = self.settings.public_base_url or ""
        data: dict[str, Any] = {
            "exportId": job.id,
            "status": job.status.value,
            "dataSource": job.source,
            "format": job.format,
            "rows": job.rows_processed,
            "partial": job.partial,
            "warnings": job.warnings,
            "scheduleId": job.schedule_id,
            "statusUrl": status_url(base, job.id),
            "downloadUrl": None,
        }
        if job.status is JobStatus.COMPLETED:
            with self.engine.connect() as connection:
                data["downloadUrl"] = downloads.owner_download_url(
                    connection, job, self.signing_secrets, self.settings.link_ttl_seconds, base
                )
        if job.error_code:
            data["error"] = {"code": job.error_code, "message": job.error_message}
        return data


def _check_admin(principal: Principal) -> None:
    if not (principal.is_admin or MANAGE in principal.permissions):
        raise Forbidden("Managing webhooks needs the admin role or the webhooks:manage permission.")
