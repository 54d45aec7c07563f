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
    raise ValueError(
        f"SMARTER_EXPORT_STORAGE_URL={url!r} is not supported: use file:///path or leave it unset"
    )


def _file_path(url: str) -> Path:
    return Path(url.removeprefix("file://"))
