"""Room on the disk: is there enough for the file an export is about to write?

An export's file is staged in the data folder's `tmp/` before it is published. Checking the free
space against an estimate (rows x the format's bytes per row) before the rows are streamed lets a
worker wait with the usual backoff instead of failing half-way through a large file; a disk that
fills anyway mid-write is the same transient fault (`errors.OutOfSpace`, ENOSPC).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from smarter_export.errors import OutOfSpace
from smarter_export.settings import Settings
from smarter_export.storage.base import FileStorage
from smarter_export.storage.local import LocalStorage


def staging_folder(settings: Settings) -> Path:
    """Where files are written before they are published."""
    return settings.data_dir / "tmp"


def service_folders(settings: Settings, storage: FileStorage) -> dict[str, Path]:
    """The folders the service writes, by a bounded name: `data` (the database and the queue
    when they are SQLite), `tmp` (files being written) and `files` (published, local storage)."""
    folders = {"data": settings.data_dir, "tmp": staging_folder(settings)}
    if isinstance(storage, LocalStorage):
        folders["files"] = storage.root
    return folders


def free_bytes(folder: Path) -> int:
    """Free bytes on `folder`'s file system (its nearest existing parent's, until it is made)."""
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return shutil.disk_usage(folder).free


def low_folders(folders: dict[str, Path], threshold: int) -> dict[str, int]:
    """The folders with fewer than `threshold` free bytes, and their free bytes."""
    free = {name: free_bytes(path) for name, path in folders.items()}
    return {name: size for name, size in free.items() if size < threshold}


def ensure_room(folder: Path, *, rows: int, bytes_per_row: int) -> None:
    """Raise `OutOfSpace` unless `folder` has room for `rows` rows of `bytes_per_row` bytes."""
    needed = rows * bytes_per_row
    free = free_bytes(folder)
    if needed > free:
        raise OutOfSpace.short_of(needed, free)
