"""Handing out an export's file: its signed link, and what a download must find to proceed.

The decisions are the service's (`ExportService.open_download`); this module holds the checks it
makes, so that the API only renders what the service decided.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection

from smarter_export.auth.principal import Principal
from smarter_export.errors import BadSignature, Gone, NotReady
from smarter_export.jobs import grants
from smarter_export.jobs.file_names import partial_stem
from smarter_export.jobs.records import ExportJob, JobStatus
from smarter_export.storage import links
from smarter_export.storage.base import Download, FileStorage
from smarter_export.urls import download_url


@dataclass(frozen=True)
class LinkParams:
    """The query of a signed download link, as the caller sent it (either part may be missing)."""

    expires: int | None = None
    signature: str | None = None

    @property
    def given(self) -> bool:
        return self.expires is not None or self.signature is not None


@dataclass(frozen=True)
class OpenedDownload:
    job: ExportJob
    target: Download
    file_name: str


def link_query(
    job: ExportJob, viewer: Principal, secrets: Sequence[str], ttl_seconds: int
) -> str | None:
    """The signed query (`expires=...&signature=...`) for a viewer who may take the file now."""
    if (
        job.status is not JobStatus.COMPLETED
        or job.expires_at is None
        or not secrets
        or not viewer.may_read(job.source, confidential=job.include_confidential)
    ):
        return None
    expires = min(int(time.time()) + ttl_seconds, int(job.expires_at.timestamp()))
    return links.signed_query(
        secrets[0], export_id=job.id, tenant_id=job.tenant_id, expires=expires
    )


def owner_download_url(
    connection: Connection,
    job: ExportJob,
    secrets: Sequence[str],
    ttl_seconds: int,
    base_url: str,
) -> str | None:
    """The signed link for a message that leaves the service (a webhook, an e-mail): only if the
    export's owner, by their newest grants, may take the file now."""
    owner = grants.latest(connection, tenant_id=job.tenant_id, user_id=job.user_id)
    query = link_query(job, owner, secrets, ttl_seconds) if owner is not None else None
    return download_url(base_url, job.id, query) if query is not None else None


def check_link(job: ExportJob | None, link: LinkParams, secrets: Sequence[str]) -> ExportJob:
    if job is None or link.expires is None or link.signature is None:
        raise BadSignature("This download link is not valid.")
    verdict = links.check(
        secrets,
        export_id=job.id,
        tenant_id=job.tenant_id,
        expires=link.expires,
        signature=link.signature,
        now=time.time(),
    )
    if verdict is links.LinkCheck.BAD_SIGNATURE:
        raise BadSignature("This download link is not valid.")
    if verdict is links.LinkCheck.EXPIRED:
        raise Gone("This download link has expired; fetch the export's status for a fresh one.")
    return job


def ready_file(storage: FileStorage, job: ExportJob) -> Download:
    if job.status in (JobStatus.PENDING, JobStatus.PROCESSING):
        raise NotReady("The export is not finished yet; try again shortly.", retry_after_seconds=5)
    if job.status is JobStatus.EXPIRED:
        raise Gone("The file has expired or was deleted; request the export again.")
    if job.status is not JobStatus.COMPLETED or not job.file_key:
        raise NotReady(f"The export is {job.status.value}; there is no file to download.")
    if not storage.exists(job.file_key):
        raise Gone("The file is no longer stored; request the export again.")
    return storage.download(job.file_key, download_file_name(job), job.content_type or "")


def download_file_name(job: ExportJob) -> str:
    """The name the browser saves: the caller's fileName (made safe) or the service's; marked
    partial when rows are missing, whoever chose it (a name must never promise a whole file)."""
    assert job.file_name is not None
    if not job.requested_file_name:
        return job.file_name
    # From the first dot: ".csv.gz" stays whole (the service's names have no other dot).
    extension = job.file_name[job.file_name.find(".") :]
    stem = job.requested_file_name.removesuffix(extension)
    return f"{partial_stem(stem) if job.partial else stem}{extension}"
