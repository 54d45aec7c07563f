"""S3 storage against a real S3 endpoint (moto_server): multipart, SSE, per-tenant keys,
presigned redirects with the right file name, delete, and errors sorted into the taxonomy."""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path

import httpx
import pytest

from smarter_export.errors import ExportCancelled, StorageRefused, TransientFailure
from smarter_export.storage.base import RedirectDownload, file_key
from smarter_export.storage.s3 import S3Storage
from tests.servers.ports import free_port
from tests.servers.s3 import S3Server

PART = 5 * 1024 * 1024


@pytest.fixture
def bucket(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch) -> str:
    for name, value in s3_server.env.items():
        monkeypatch.setenv(name, value)  # boto3 finds the endpoint as in production
    name = f"exports-{uuid.uuid4().hex[:10]}"
    s3_server.create_bucket(name)
    return name


def make_storage(bucket: str, **overrides: object) -> S3Storage:
    options: dict[str, object] = {
        "presign_seconds": 120,
        "part_size_bytes": PART,
        "server_side_encryption": "AES256",
        **overrides,
    }
    return S3Storage(bucket, "firm-exports", **options)  # type: ignore[arg-type]


def test_multipart_publish_under_the_tenant_prefix_encrypted(
    bucket: str, s3_server: S3Server, tmp_path: Path
) -> None:
    storage = make_storage(bucket)
    staged = tmp_path / "big.csv"
    content = os.urandom(2 * PART + 1234)
    staged.write_bytes(content)
    key = file_key("tenant-1", "export-1", "time_entries.csv")
    stored = storage.publish(staged, key, "text/csv")
    assert stored.key == key
    assert stored.size_bytes == len(content)
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    assert not staged.exists()
    head = s3_server.client().head_object(
        Bucket=bucket, Key="firm-exports/tenant-1/export-1/time_entries.csv"
    )
    assert head["ETag"].strip('"').endswith("-3"), "uploaded in three parts"
    assert head["ServerSideEncryption"] == "AES256"
    assert head["ContentType"] == "text/csv"
    assert storage.exists(key)
    storage.delete(key)
    storage.delete(key)  # deleting what is gone is no error
    assert not storage.exists(key)


def test_download_redirects_to_a_presigned_url_with_the_file_name(
    bucket: str, tmp_path: Path
) -> None:
    storage = make_storage(bucket)
    staged = tmp_path / "small.csv"
    staged.write_bytes(b"a,b\r\n1,2\r\n")
    key = file_key("tenant-1", "export-2", "matters.csv")
    storage.publish(staged, key, "text/csv")
    target = storage.download(key, "Mätters Q1.csv", "text/csv")
    assert isinstance(target, RedirectDownload)
    assert "X-Amz-Expires=120" in target.url or "Expires=" in target.url
    answer = httpx.get(target.url)
    assert answer.status_code == 200
    assert answer.content == b"a,b\r\n1,2\r\n"
    disposition = answer.headers["content-disposition"]
    assert disposition.startswith("attachment")
    assert "filename*=UTF-8''M%C3%A4tters%20Q1.csv" in disposition


def test_keys_that_climb_out_are_refused(bucket: str, tmp_path: Path) -> None:
    storage = make_storage(bucket)
    for key in ("../x", "a//b", "", "a/./b"):
        with pytest.raises(ValueError, match="plain relative key"):
            storage.object_key(key)


def test_missing_bucket_is_refused_for_good(s3_server: S3Server, tmp_path: Path) -> None:
    storage = S3Storage(
        "no-such-bucket",
        "",
        presign_seconds=60,
        part_size_bytes=PART,
        server_side_encryption="AES256",
        client=s3_server.client(),
    )
    staged = tmp_path / "f.csv"
    staged.write_bytes(b"x")
    with pytest.raises(StorageRefused, match="NoSuchBucket"):
        storage.publish(staged, "t/e/f.csv", "text/csv")
    with pytest.raises(StorageRefused):
        storage.check()


def test_an_endpoint_that_does_not_answer_is_transient(
    bucket: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")  # nothing listens
    storage = make_storage(bucket)
    staged = tmp_path / "f.csv"
    staged.write_bytes(b"x")
    with pytest.raises(TransientFailure):
        storage.publish(staged, "t/e/f.csv", "text/csv")
    assert staged.exists(), "the staged file stays for the retry"


def test_an_upload_reports_progress_and_stops_when_told(bucket: str, tmp_path: Path) -> None:
    """The worker's watch is told of every part sent; raising there (a cancel, the time limit)
    stops the upload and leaves no object behind."""
    storage = make_storage(bucket)
    staged = tmp_path / "big.csv"
    staged.write_bytes(os.urandom(2 * PART + 10))
    size = 2 * PART + 10
    seen: list[int] = []
    storage.publish(staged, "t/e/whole.csv", "text/csv", on_progress=seen.append)
    assert seen.count(size) == 2, "the checksum pass, then the upload, each to the last byte"
    assert seen.index(size) < len(seen) - 2, "the upload reported its parts as they went"

    staged.write_bytes(os.urandom(size))
    checksummed = False

    def cancel_once_sending(done: int) -> None:
        nonlocal checksummed
        if checksummed:  # the upload has begun
            raise ExportCancelled("The export was cancelled.")
        checksummed = done == size

    with pytest.raises(ExportCancelled):
        storage.publish(staged, "t/e/stopped.csv", "text/csv", on_progress=cancel_once_sending)
    assert not storage.exists("t/e/stopped.csv")
