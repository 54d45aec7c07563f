"""Files in S3-compatible object storage: multipart upload, one prefix per tenant, SSE.

The worker uploads the finished file in parts (boto3's managed transfer) with server-side
encryption requested; an object appears whole or not at all, so a rerun never shows half a file.
A download gets a presigned GET URL minted at the moment of the request and valid a few minutes,
so a link of ours outlives any credential rotation: what expires early is only the redirect.
The endpoint and credentials come from boto3's standard sources (AWS_ENDPOINT_URL,
AWS_ACCESS_KEY_ID, instance roles, ...).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import boto3
from boto3.exceptions import S3UploadFailedError
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from smarter_export.errors import StorageRefused, TransientFailure
from smarter_export.storage.base import (
    Download,
    PublishProgress,
    RedirectDownload,
    StoredFile,
    sha256_of,
)

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

# Answers of a store that is busy or briefly down: worth another try later.
TRANSIENT_CODES = frozenset(
    {"SlowDown", "RequestTimeout", "InternalError", "ServiceUnavailable", "503", "500"}
)

# Refusals of the file itself, for good: each said in words, with what to do about it.
SIZE_REFUSALS = {
    "EntityTooLarge": "refused the file as larger than it accepts for one object; narrow the "
    "filters for a smaller file, or an operator may raise the store's object size limit",
    "QuotaExceeded": "refused the file: the bucket's storage quota is used up; an operator "
    "should raise the quota or free space in the bucket, then request the export again",
}


@contextlib.contextmanager
def storage_errors(action: str) -> Iterator[None]:
    """Translate boto's errors into the taxonomy: transient ones are retried with backoff."""
    try:
        yield
    except (ClientError, BotoCoreError, S3UploadFailedError) as error:
        # boto3's managed upload wraps the store's answer; judge by that answer when there is one.
        answer = error if isinstance(error, ClientError) else error.__context__
        if isinstance(answer, ClientError):
            code = str(answer.response.get("Error", {}).get("Code", ""))
            if code in SIZE_REFUSALS:
                raise StorageRefused(f"The file storage {SIZE_REFUSALS[code]} ({code}).") from error
            if code not in TRANSIENT_CODES and _status(answer) < 500:
                raise StorageRefused(f"The file storage refused to {action} ({code}).") from error
            raise TransientFailure(
                f"The file storage is unavailable ({action}: {code})."
            ) from error
        # Connection refused or reset, timeouts: boto3 already retried a few times.
        raise TransientFailure(f"The file storage did not answer ({action}).") from error


def content_disposition(file_name: str) -> str:
    """`attachment` with an ASCII fallback name and the exact UTF-8 name (RFC 6266/5987)."""
    fallback = file_name.encode("ascii", "replace").decode().replace('"', "'").replace("?", "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(file_name, safe='')}"


class S3Storage:
    def __init__(
        self,
        bucket: str,
        prefix: str,
        *,
        presign_seconds: int,
        part_size_bytes: int,
        server_side_encryption: str,
        client: S3Client | None = None,
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.presign_seconds = presign_seconds
        self.encryption = server_side_encryption
        self.transfer = TransferConfig(
            multipart_threshold=part_size_bytes, multipart_chunksize=part_size_bytes
        )
        self.client: S3Client = client or boto3.client(
            "s3",
            config=Config(
                signature_version="s3v4",  # every region takes it; presigned URLs carry it
                retries={"max_attempts": 3, "mode": "standard"},
                connect_timeout=5,
                read_timeout=60,
            ),
        )

    def object_key(self, key: str) -> str:
        parts = key.split("/")
        if not key or any(part in ("", ".", "..") for part in parts):
            raise ValueError(f"storage key {key!r} is not a plain relative key")
        return f"{self.prefix}/{key}" if self.prefix else key

    def publish(
        self,
        local_file: Path,
        key: str,
        content_type: str,
        on_progress: PublishProgress | None = None,
    ) -> StoredFile:
        stored = StoredFile(key, local_file.stat().st_size, sha256_of(local_file, on_progress))
        extra = {
            "ContentType": content_type,
            "Metadata": {"sha256": stored.sha256},
        }
        if self.encryption:
            extra["ServerSideEncryption"] = self.encryption
        with storage_errors("store the file"):
            self.client.upload_file(
                str(local_file),
                self.bucket,
                self.object_key(key),
                ExtraArgs=extra,
                Config=self.transfer,
                Callback=None if on_progress is None else _Sent(on_progress),
            )
        local_file.unlink(missing_ok=True)
        return stored

    def download(self, key: str, file_name: str, content_type: str) -> Download:
        with storage_errors("sign a download"):
            url = self.client.generate_presigned_url(
                "get_object",
                Params={
                    "Bucket": self.bucket,
                    "Key": self.object_key(key),
                    "ResponseContentDisposition": content_disposition(file_name),
                    "ResponseContentType": content_type or "application/octet-stream",
                },
                ExpiresIn=self.presign_seconds,
            )
        return RedirectDownload(url)

    def exists(self, key: str) -> bool:
        try:
            with storage_errors("look the file up"):
                self.client.head_object(Bucket=self.bucket, Key=self.object_key(key))
        except StorageRefused as error:
            cause = error.__cause__
            if isinstance(cause, ClientError) and _status(cause) == 404:
                return False
            raise
        return True

    def delete(self, key: str) -> None:
        with storage_errors("delete the file"):
            self.client.delete_object(Bucket=self.bucket, Key=self.object_key(key))

    def check(self) -> None:
        with storage_errors("reach the bucket"):
            self.client.head_bucket(Bucket=self.bucket)


class _Sent:
    """boto3 reports each chunk sent, from its transfer threads; `on_progress` wants the total.
    An exception raised here fails the upload, and boto3 aborts the multipart upload."""

    def __init__(self, on_progress: PublishProgress) -> None:
        self.on_progress = on_progress
        self.sent = 0
        self.lock = threading.Lock()

    def __call__(self, chunk: int) -> None:
        with self.lock:
            self.sent += chunk
            sent = self.sent
        self.on_progress(sent)


def _status(error: ClientError) -> int:
    return int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
