"""The export service: where decisions live. The API and the CLI call it; it calls the store.

createExport validates, freezes and commits the job, then enqueues it; getExportStatus reads it;
a status carries a signed link for a viewer who may take the file; cancel, delete and
`open_download` are checked and audited here.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError

from smarter_export import metrics
from smarter_export.auth.principal import Principal
from smarter_export.clock import utcnow
from smarter_export.domain.tenants import find_firm
from smarter_export.errors import AuthError, Forbidden, NotFound, ValidationFailed
from smarter_export.firm_settings import store as firm_settings_store
from smarter_export.jobs import downloads, grants, store
from smarter_export.jobs.prepare import prepare_export
from smarter_export.jobs.queue import ExportQueue
from smarter_export.jobs.records import AuditEvent, ExportJob, JobStatus
from smarter_export.log import get_logger
from smarter_export.settings import Settings
from smarter_export.sources.base import Scope
from smarter_export.sources.choices import LOOKUPS, Choices, fetch_choices
from smarter_export.sources.registry import SOURCES
from smarter_export.storage.base import FileStorage

log = get_logger("smarter_export.service")


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
        with self.engine.connect() as connection:
            firm = find_firm(connection, principal.tenant_id)
            firm_settings = firm_settings_store.load(connection, principal.tenant_id)
        now = utcnow()
        prepared = prepare_export(
            self.settings,
            firm=firm,
            principal=principal,
            format_name=format_name,
            body=body,
            now=now,
            firm_settings=firm_settings,
        )
        fingerprint = prepared.fingerprint
        export_id = str(uuid.uuid4())
        mine = {"tenant_id": principal.tenant_id, "user_id": principal.user_id}
        try:
            with self.engine.begin() as connection:
                duplicate = store.find_duplicate(
                    connection, **mine, idempotency_key=idempotency_key, fingerprint=fingerprint
                )
                if duplicate is not None:
                    return _repeat(duplicate, fingerprint)
                store.insert_job(
                    connection,
                    prepared.job_row(
                        export_id=export_id, **mine, now=now, idempotency_key=idempotency_key
                    ),
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
                    details={"source": prepared.source, "format": prepared.format},
                )
        except IntegrityError:
            if idempotency_key is None:
                raise
            # A request with the same key committed between our look and our insert: the unique
            # index refused ours, and this request gets the answer that one got.
            with self.engine.connect() as connection:
                duplicate = store.find_duplicate(
                    connection, **mine, idempotency_key=idempotency_key, fingerprint=fingerprint
                )
            if duplicate is None:
                raise
            return _repeat(duplicate, fingerprint)
        # Committed first, then enqueued: a crash in between leaves a pending row for the reaper.
        try:
            self.queue.enqueue(export_id)
        except Exception as error:  # the reaper delivers it later; the caller's export is safe
            log.error("export.enqueue_failed", export_id=export_id, error=repr(error))
        metrics.export_created(prepared.source, prepared.format)
        log.info(
            "export.created",
            export_id=export_id,
            tenant_id=principal.tenant_id,
            source=prepared.source,
            format=prepared.format,
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

    def download_link_query(self, job: ExportJob, viewer: Principal) -> str | None:
        """The signed link's query for a viewer who may take the file now; None for anyone else."""
        return downloads.link_query(
            job, viewer, self.signing_secrets, self.settings.link_ttl_seconds
        )

    def open_download(
        self,
        export_id: str,
        *,
        principal: Principal | None,
        link: downloads.LinkParams,
        client_address: str | None = None,
        user_agent: str | None = None,
    ) -> downloads.OpenedDownload:
        """The one decision of a download: by signed link (no token needed) or by a token of
        the export's firm; the taker's permission of now; a file that is there; on record."""
        if link.given:
            job = downloads.check_link(self._find_for_link(export_id), link, self.signing_secrets)
            self._check_may_take(job, None)
            actor = "link"
        elif principal is None:
            raise AuthError(
                "unauthenticated", "Follow the export's signed link, or send a bearer token."
            )
        else:
            job = self.get(principal, export_id)
            self._check_may_take(job, principal)
            actor = principal.user_id
        target = downloads.ready_file(self.storage, job)
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
        return downloads.OpenedDownload(job, target, downloads.download_file_name(job))

    # -- permissions of now ----------------------------------------------------------------------

    def observe(self, principal: Principal) -> None:
        """Note the grants of the token in hand (the newest token of a user decides)."""
        if principal in self._recorded_tokens:
            return
        with self.engine.begin() as connection:
            grants.observe(connection, principal, now=utcnow())
        self._recorded_tokens.add(principal)

    def _check_may_take(self, job: ExportJob, principal: Principal | None) -> None:
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
        """Cancel a pending or running export, or delete a completed one's file. The job may
        change between the read and the write (claimed, completed, retried): each change is
        guarded by the status it was read in, and a lost race reads the job again, so a cancel
        that meets a completion deletes the file rather than doing nothing."""
        for _ in range(len(JobStatus)):
            job = self.get(caller.principal, export_id)
            if self._cancel_or_delete_as_read(caller, job):
                break
        return self.get(caller.principal, export_id)

    def _cancel_or_delete_as_read(self, caller: Caller, job: ExportJob) -> bool:
        """Apply the cancel to the job as it was read; False when its status moved meanwhile."""
        now = utcnow()
        with self.engine.begin() as connection:
            if job.status is JobStatus.PENDING:
                done = store.update_where(
                    connection,
                    job.id,
                    statuses=(JobStatus.PENDING,),
                    values={
                        "status": JobStatus.CANCELLED,
                        "cancel_requested": True,
                        "completed_at": now,
                        "updated_at": now,
                    },
                )
                if done:
                    _audit(connection, job, AuditEvent.CANCELLED, caller, now)
                    metrics.export_finished(JobStatus.CANCELLED, job.format)
                return done
            if job.status is JobStatus.PROCESSING:
                # A running export stops at its next batch; the worker records the cancellation.
                return store.update_where(
                    connection,
                    job.id,
                    statuses=(JobStatus.PROCESSING,),
                    values={"cancel_requested": True, "updated_at": now},
                )
            if job.status is not JobStatus.COMPLETED:
                return True  # already cancelled, failed or expired: nothing left to do
            done = store.update_where(
                connection,
                job.id,
                statuses=(JobStatus.COMPLETED,),
                values={"status": JobStatus.EXPIRED, "file_key": None, "updated_at": now},
            )
            if done:
                _audit(connection, job, AuditEvent.DELETED, caller, now)
        if done and job.file_key:
            self.storage.delete(job.file_key)
        return done

    def _find_for_link(self, export_id: str) -> ExportJob | None:
        """The job a signed link names, in any tenant: the signature then binds the tenant."""
        try:
            uuid.UUID(export_id)
        except ValueError:
            return None
        with self.engine.connect() as connection:
            return store.get_job(connection, export_id)


def _repeat(duplicate: ExportJob, fingerprint: str) -> Created:
    """The answer to a repeated request: the export it made, if it asked for the same thing."""
    if duplicate.request_fingerprint != fingerprint:
        raise ValidationFailed.one(
            "Idempotency-Key",
            "this key was used for a different request; use a new key for a new export",
        )
    return Created(duplicate, existing=True)


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
