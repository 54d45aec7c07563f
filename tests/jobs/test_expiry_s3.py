"""Expiry on object storage: the reaper deletes an expired export's S3 object and marks it expired."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine

from smarter_export.jobs import store
from smarter_export.jobs.maintenance import run_upkeep
from smarter_export.jobs.records import JobStatus
from smarter_export.settings import Settings
from smarter_export.storage.base import file_key
from smarter_export.storage.s3 import S3Storage
from tests.jobs.test_claim import make_job
from tests.servers.s3 import S3Server


def test_expired_file_is_deleted_from_the_bucket(
    engine: Engine, s3_server: S3Server, tmp_path: Path
) -> None:
    bucket = f"exports-{uuid.uuid4().hex[:10]}"
    s3_server.create_bucket(bucket)
    storage = S3Storage(
        bucket,
        "exports",
        presign_seconds=60,
        part_size_bytes=5 * 1024 * 1024,
        server_side_encryption="AES256",
        client=s3_server.client(),
    )
    past = datetime.now(UTC) - timedelta(minutes=1)
    export_id = make_job(engine, status=JobStatus.COMPLETED, expires_at=past)
    with engine.connect() as connection:
        job = store.get_job(connection, export_id)
    assert job is not None
    key = file_key(job.tenant_id, export_id, "matters.csv")
    staged = tmp_path / "matters.csv"
    staged.write_bytes(b"a\r\n")
    storage.publish(staged, key, "text/csv")
    with engine.begin() as connection:
        store.update_where(
            connection, export_id, statuses=(JobStatus.COMPLETED,), values={"file_key": key}
        )

    report = run_upkeep(Settings(data_dir=tmp_path), engine, storage, lambda _id, _delay: None)

    assert report.expired == 1
    assert not storage.exists(key)
    with engine.connect() as connection:
        expired = store.get_job(connection, export_id)
    assert expired is not None
    assert expired.status is JobStatus.EXPIRED
    assert expired.file_key is None
