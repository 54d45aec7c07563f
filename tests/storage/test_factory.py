"""The storage URL picks the backend: a local folder, or S3 with its bucket and prefix."""

from __future__ import annotations

from pathlib import Path

import pytest

from smarter_export.settings import Settings
from smarter_export.storage.factory import storage_for
from smarter_export.storage.local import LocalStorage
from smarter_export.storage.s3 import S3Storage


def test_default_and_file_urls_are_local_folders(tmp_path: Path) -> None:
    assert isinstance(storage_for(Settings(data_dir=tmp_path)), LocalStorage)
    local = storage_for(Settings(data_dir=tmp_path, storage_url=f"file://{tmp_path}/x"))
    assert isinstance(local, LocalStorage)
    assert local.root == (tmp_path / "x").resolve()


def test_s3_url_gives_bucket_prefix_and_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    settings = Settings(
        data_dir=tmp_path,
        storage_url="s3://firm-exports/prod/exports/",
        storage_presign_seconds=120,
    )
    storage = storage_for(settings)
    assert isinstance(storage, S3Storage)
    assert storage.bucket == "firm-exports"
    assert storage.object_key("t/e/f.csv") == "prod/exports/t/e/f.csv"
    assert storage.presign_seconds == 120
    assert storage.encryption == "AES256"
    unprefixed = storage_for(Settings(data_dir=tmp_path, storage_url="s3://firm-exports"))
    assert isinstance(unprefixed, S3Storage)
    assert unprefixed.object_key("t/e/f.csv") == "t/e/f.csv"


@pytest.mark.parametrize("url", ["s3://", "s3:///prefix", "gs://bucket", "ftp://x"])
def test_unsupported_or_incomplete_urls_are_refused(tmp_path: Path, url: str) -> None:
    with pytest.raises(ValueError, match="SMARTER_EXPORT_STORAGE_URL"):
        storage_for(Settings(data_dir=tmp_path, storage_url=url))
