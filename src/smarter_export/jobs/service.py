"""The export service: where decisions live. The API and the CLI call it; it calls the store.

createExport validates, freezes and commits the job, then enqueues it; getExportStatus reads it;
getExportDownloadUrl signs a link; cancel, delete and download are checked and audited here.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Connection, Engine

from smarter_export.auth.errors import Forbidden
from smarter_export.auth.principal import Principal
from smarter_export.domain.tenants import find_firm
from smarter_export.errors import NotFound, ValidationFailed
from smarter_export.jobs import grants, store
from smarter_export.jobs.plan import plan_export
from smarter_export.jobs.queue import ExportQueue
from smarter_export.jobs.records import ACTIVE, AuditEvent, ExportJob, JobStatus
from smarter_export.jobs.runner import utcnow
from smarter_export.log import get_logger
from smarter_export.settings import Settings
from smarter_export.sources.base import Scope
from smarter_export.sources.choices import LOOKUPS, Choices, fetch_choices
from smarter_export.sources.registry import SOURCES
from smarter_export.storage import links
from smarter_export.storage.base import FileStorage

log = get_logger("smarter_export.service")
RESERVED_BODY_KEYS = ("dataSource", "timezone", "fileName")


@dataclass(frozen=True)
class Caller:
    """Who is asking, and from where (for the audit trail)."""

    principal: Principal
    client_address: str | None = None
    user_agent: str | None = None


@dataclass(frozen=True)
class Created:
    job: ExportJob
    existing: bool  # an identical pending request or the same Idempotency-Key was found


class ExportService:
    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        storage: FileStorage,
        queue: ExportQueue,
        signing_secrets: tuple[str, ...],
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.storage = storage
        self.queue = queue
        self.signing_secrets = signing_secrets
        self._recorded_tokens = grants.RecordedTokens()

    # -- create --------------------------------------------------------------------------------

    def create_export(
        self,
        caller: Caller,
        format_name: str,
        body: Mapping[str, Any],
        idempotency_key: str | None = None,
    ) -> Created:
        principal = caller.principal
        params = dict(body)
        source_name = params.pop("dataSource", None)
        if not isinstance(source_name, str) or not source_name:
            raise ValidationFailed.one("dataSource", "required: the data source to export")
        timezone = _timezone(params.pop("timezone", None))
        requested_name = _display_name(params.pop("fileName", None))
        if not principal.may_export(source_name):
            raise Forbidden(f"You may not export {source_name}: ask an administrator for access.")
        with self.engine.connect() as connection:
            firm = find_firm(connection, principal.tenant_id)
        planned = plan_export(
            self.settings,
            firm=firm,
            source_name=source_name,
            format_name=format_name,
            params=params,
            requested_by=principal.user_id,
            include_confidential=principal.sees_confidential,
        )
        frozen = planned.query.frozen()
        fingerprint = _fingerprint(
            source_name, planned.format_name, frozen, timezone, requested_name
        )
        now = utcnow()
        export_id = str(uuid.uuid4())
        with self.engine.begin() as connection:
            duplicate = store.find_duplicate(
                connection,
                tenant_id=principal.tenant_id,
                user_id=principal.user_id,
                idempotency_key=idempotency_key,
                fingerprint=fingerprint,
            )
            if duplicate is not None:
                if duplicate.request_fingerprint != fingerprint:
                    raise ValidationFailed.one(
                        "Idempotency-Key",
                        "this key was used for a different request; use a new key for a new export",
                    )
                return Created(duplicate, existing=True)
            store.insert_job(
                connection,
                {
                    "id": export_id,
                    "tenant_id": principal.tenant_id,
                    "user_id": principal.user_id,
                    "source": source_name,
                    "format": planned.format_name,
                    "parameters": frozen,
                    "include_confidential": principal.sees_confidential,
                    "requested_file_name": requested_name,
                    "timezone": timezone,
                    "status": JobStatus.PENDING,
                    "warnings": [],
                    "idempotency_key": idempotency_key,
                    "request_fingerprint": fingerprint,
                    "created_at": now,
                    "updated_at": now,
                },
            )
            job = store.get_job(connection, export_id)
            assert job is not None
            store.record_event(
                connection,
                job,
                AuditEvent.CREATED,
                now=now,
                actor=principal.user_id,
                client_address=caller.client_address,
                user_agent=caller.user_agent,
                details={"source": source_name, "format": planned.format_name},
            )
        # Committed first, then enqueued: a crash in between leaves a pending row for the reaper.
        try:
            self.queue.enqueue(export_id)
        except Exception as error:  # the reaper delivers it later; the caller's export is safe
            log.error("export.enqueue_failed", export_id=export_id, error=repr(error))
        log.info(
            "export.created",
            export_id=export_id,
            tenant_id=principal.tenant_id,
            source=source_name,
            format=planned.format_name,
        )
        return Created(job, existing=False)

    # -- read ----------------------------------------------------------------------------------

    def get(self, principal: Principal, export_id: str) -> ExportJob:
        """The caller's tenant's export; another tenant's is exactly as missing as none."""
        try:
            uuid.UUID(export_id)
        except ValueError:
            raise NotFound("No export has this id.") from None
        with self.engine.connect() as connection:
            job = store.get_job(connection, export_id, principal.tenant_id)
        if job is None:
            raise NotFound("No export has this id.")
        return job

    def list_exports(
        self, principal: Principal, *, statuses: tuple[str, ...], limit: int, offset: int
    ) -> tuple[list[ExportJob], int]:
        with self.engine.connect() as connection:
            return store.list_jobs(
                connection,
                tenant_id=principal.tenant_id,
                statuses=statuses,
                limit=limit,
                offset=offset,
            )

    def events(self, principal: Principal, export_id: str) -> list[dict[str, Any]]:
        job = self.get(principal, export_id)
        with self.engine.connect() as connection:
            return store.list_events(connection, tenant_id=job.tenant_id, export_id=job.id)

    def filter_choices(self, principal: Principal, filter_name: str) -> Choices:
        """The records of the caller's firm to pick from for an id filter such as `clientId`.

        Offered only to a caller who may export some source that takes this filter: the list
        names clients and matters, which is itself firm data.
        """
        if filter_name not in LOOKUPS:
            raise NotFound(f"No choices are offered for {filter_name!r}.")
        if not any(
            source.available
            and principal.may_export(source.name)
            and filter_name in source.filter_names()
            for source in SOURCES.values()
        ):
            raise Forbidden(f"You may not export any data source filtered by {filter_name}.")
        scope = Scope(principal.tenant_id, include_confidential=principal.sees_confidential)
        with self.engine.connect() as connection:
            return fetch_choices(connection, filter_name, scope, self.settings.filter_choices_limit)

    def download_url(self, job: ExportJob, request_base_url: str, viewer: Principal) -> str | None:
        """A signed link for a viewer who may take the file now; None for anyone else."""
        if (
            job.status is not JobStatus.COMPLETED
            or job.expires_at is None
            or not self.signing_secrets
            or not viewer.may_read(job.source, confidential=job.include_confidential)
        ):
            return None
        expires = min(
            int(time.time()) + self.settings.link_ttl_seconds, int(job.expires_at.timestamp())
        )
        return links.download_url(
            self.settings.public_base_url or request_base_url,
            self.signing_secrets[0],
            export_id=job.id,
            tenant_id=job.tenant_id,
            expires=expires,
        )

    # -- permissions of now ----------------------------------------------------------------------

    def observe(self, principal: Principal) -> None:
        """Note the grants of the token in hand (the newest token of a user decides)."""
        if principal in self._recorded_tokens:
            return
        with self.engine.begin() as connection:
            grants.observe(connection, principal, now=utcnow())
        self._recorded_tokens.add(principal)

    def check_download(self, job: ExportJob, principal: Principal | None) -> None:
        """The file goes only to someone who may export its source now: the caller with a
        token, or, for a signed link, the export's requester as their newest token says."""
        if principal is None:
            with self.engine.connect() as connection:
                principal = grants.latest(connection, tenant_id=job.tenant_id, user_id=job.user_id)
            if principal is None:  # made outside the API (the CLI): the link alone decides
                return
        if not principal.may_read(job.source, confidential=job.include_confidential):
            log.warning(
                "export.download_refused",
                export_id=job.id,
                tenant_id=job.tenant_id,
                user_id=principal.user_id,
            )
            raise Forbidden(
                f"The permission to export {job.source} (or to see confidential matters) is no "
                "longer granted; this file cannot be downloaded. Ask an administrator."
            )

    # -- change --------------------------------------------------------------------------------

    def cancel_or_delete(self, caller: Caller, export_id: str) -> ExportJob:
        job = self.get(caller.principal, export_id)
        now = utcnow()
        with self.engine.begin() as connection:
            if job.status is JobStatus.PENDING and store.update_where(
                connection,
                job.id,
                statuses=(JobStatus.PENDING,),
                values={
                    "status": JobStatus.CANCELLED,
                    "cancel_requested": True,
                    "completed_at": now,
                    "updated_at": now,
                },
            ):
                _audit(connection, job, AuditEvent.CANCELLED, caller, now)
            elif job.status in ACTIVE:
                # A running export stops at its next batch; the worker records the cancellation.
                store.update_where(
                    connection,
                    job.id,
                    statuses=ACTIVE,
                    values={"cancel_requested": True, "updated_at": now},
                )
            elif job.status is JobStatus.COMPLETED and store.update_where(
                connection,
                job.id,
                statuses=(JobStatus.COMPLETED,),
                values={"status": JobStatus.EXPIRED, "file_key": None, "updated_at": now},
            ):
                _audit(connection, job, AuditEvent.DELETED, caller, now)
        if job.status is JobStatus.COMPLETED and job.file_key:
            self.storage.delete(job.file_key)
        return self.get(caller.principal, export_id)

    def record_download(
        self, job: ExportJob, *, actor: str, client_address: str | None, user_agent: str | None
    ) -> None:
        with self.engine.begin() as connection:
            store.record_event(
                connection,
                job,
                AuditEvent.DOWNLOADED,
                now=utcnow(),
                actor=actor,
                client_address=client_address,
                user_agent=user_agent,
            )
        log.info("export.downloaded", export_id=job.id, tenant_id=job.tenant_id, actor=actor)

    def find_for_link(self, export_id: str) -> ExportJob | None:
        """The job a signed link names, in any tenant: the signature then binds the tenant."""
        try:
            uuid.UUID(export_id)
        except ValueError:
            return None
        with self.engine.connect() as connection:
            return store.get_job(connection, export_id)


def _audit(
    connection: Connection, job: ExportJob, event: AuditEvent, caller: Caller, now: datetime
) -> None:
    store.record_event(
        connection,
        job,
        event,
        now=now,
        actor=caller.principal.user_id,
        client_address=caller.client_address,
        user_agent=caller.user_agent,
    )


def download_file_name(job: ExportJob) -> str:
    """The name the browser saves: the caller's fileName (made safe) or the service's."""
    assert job.file_name is not None
    if not job.requested_file_name:
        return job.file_name
    extension = job.file_name[job.file_name.rfind(".") :]
    stem = job.requested_file_name.removesuffix(extension)
    return f"{stem}{extension}"


def _timezone(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not 0 < len(value) <= MAX_ZONE_NAME:
        raise ValidationFailed.one("timezone", "give an IANA zone such as America/New_York")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValidationFailed.one("timezone", f"unknown time zone {value!r}") from None
    return value


MAX_ZONE_NAME = 64
MAX_FILE_NAME = 120
_UNSAFE = re.compile(r"[^\w .()-]+", re.UNICODE)


def _display_name(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ValidationFailed.one("fileName", "give a file name as text")
    if len(value) > MAX_FILE_NAME:
        raise ValidationFailed.one("fileName", f"give at most {MAX_FILE_NAME} characters")
    cleaned = _UNSAFE.sub("_", value.strip()).strip(" .")
    if not cleaned:
        raise ValidationFailed.one("fileName", "give a file name with letters or digits")
    return cleaned


def _fingerprint(source: str, format_name: str, frozen: Mapping[str, Any], *extra: object) -> str:
    canonical = json.dumps([source, format_name, frozen, *extra], sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()
