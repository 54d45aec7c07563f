"""Choosing the storage from settings: a local folder unless SMARTER_EXPORT_STORAGE_URL says so."""

from __future__ import annotations

from pathlib import Path

from smarter_export.settings import Settings
from smarter_export.storage.base import FileStorage
from smarter_export.storage.local import LocalStorage


def storage_for(settings: Settings) -> FileStorage:
    url = settings.storage_url
    if url is None or url.startswith("file://"):
        root = settings.data_dir / "files" if url is None else _file_path(url)
        return LocalStorage(root)
    if url.startswith("s3://"):
        from smarter_export.storage.s3 import S3Storage  # boto3 loads only when S3 is used

        bucket, _, prefix = url.removeprefix("s3://").partition("/")
        if not bucket:
            raise ValueError(
                f"SMARTER_EXPORT_STORAGE_URL={url!r} names no bucket: s3://bucket/prefix"
            )
        return S3Storage(
            bucket,
            prefix,
            presign_seconds=settings.storage_presign_seconds,
            part_size_bytes=settings.s3_part_size_bytes,
            server_side_encryption=settings.s3_server_side_encryption,
        )
    raise ValueError(
        f"SMARTER_EXPORT_STORAGE_URL={url!r} is not supported: use file:///path, s3://bucket/prefix"
        " or leave it unset"
    )


def _file_path(url: str) -> Path:
    return Path(url.removeprefix("file://"))
