"""Room on the disk: is there enough for the file an export is about to write?

An export's file is staged in the data folder's `tmp/` before it is published, and on SQLite a
large export's rows are sorted through temporary files in SQLite's own temporary folder
(`read_order.py`: about the size of the rows read). Checking the free space against an estimate
(rows x the format's bytes per row, and rows x a sorted row's bytes) before the rows are streamed
lets a worker wait with the usual backoff instead of failing half-way through a large file; a
disk that fills anyway mid-write is the same transient fault (`errors.OutOfSpace`, ENOSPC, or
SQLite's SQLITE_FULL).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from smarter_export.errors import OutOfSpace
from smarter_export.settings import Settings
from smarter_export.storage.base import FileStorage
from smarter_export.storage.local import LocalStorage


def staging_folder(settings: Settings) -> Path:
    """Where files are written before they are published."""
    return settings.data_dir / "tmp"


def service_folders(settings: Settings, storage: FileStorage) -> dict[str, Path]:
    """The folders the service writes, by a bounded name: `data` (the database and the queue
    when they are SQLite), `tmp` (files being written), `files` (published, local storage) and
    `sort` (SQLite's temporary files, when the firm database is SQLite)."""
    folders = {"data": settings.data_dir, "tmp": staging_folder(settings)}
    if isinstance(storage, LocalStorage):
        folders["files"] = storage.root
    if settings.resolved_database_url.startswith("sqlite") and (sort := sort_folder()) is not None:
        folders["sort"] = sort
    return folders


# A row in SQLite's sorter, in its temporary files: 180 MB for a million time entries' CSV lines
# (188 bytes a line), less for the values of the other formats; estimated as a CSV row.
SORT_BYTES_PER_ROW = 300
# Where SQLite's unix VFS puts temporary files (os_unix.c, `unixTempFileDir`): the first of these
# that is a folder it may write and search; the variables are read as SQLite starts.
_SQLITE_TMP_VARIABLES = ("SQLITE_TMPDIR", "TMPDIR")
_SQLITE_TMP_FOLDERS = ("/var/tmp", "/usr/tmp", "/tmp", ".")  # noqa: S108 (SQLite's, read only)


def sort_folder() -> Path | None:
    """The folder SQLite writes a large sort's temporary files to (None: none it can use)."""
    named = [os.environ.get(variable) for variable in _SQLITE_TMP_VARIABLES]
    for candidate in [*named, *_SQLITE_TMP_FOLDERS]:
        if candidate and os.path.isdir(candidate) and os.access(candidate, os.W_OK | os.X_OK):
            return Path(candidate)
    return None


class Need(NamedTuple):
    """Bytes an export is about to write in a folder, and what for (said when they do not fit)."""

    what: str
    folder: Path
    size: int


def room_needed(staging: Path, bytes_per_row: int, *, rows: int, sorted_rows: int) -> list[Need]:
    """What an export needs: its file's bytes in `staging`, and for the rows SQLite sorts once
    read (storage order, `read_order.py`), a sorted row's in SQLite's temporary folder."""
    needs = [Need("the file", staging, rows * bytes_per_row)]
    if sorted_rows and (sort := sort_folder()) is not None:
        needs.append(Need("the database's sort", sort, sorted_rows * SORT_BYTES_PER_ROW))
    return needs


def _existing(folder: Path) -> Path:
    """`folder`, or its nearest existing parent until it is made."""
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


def free_bytes(folder: Path) -> int:
    """Free bytes on `folder`'s file system (its nearest existing parent's, until it is made)."""
    return shutil.disk_usage(_existing(folder)).free


def readable_free_bytes(folder: Path) -> int | None:
    """`free_bytes`, or None where the file system cannot be read (a stale NFS handle): its
    writes will say what is wrong; readiness and the gauges are not the place to fail."""
    try:
        return free_bytes(folder)
    except OSError:
        return None


def low_folders(folders: dict[str, Path], threshold: int) -> dict[str, int]:
    """The folders with fewer than `threshold` free bytes, and their free bytes."""
    low = {}
    for name, path in folders.items():
        free = readable_free_bytes(path)
        if free is not None and free < threshold:
            low[name] = free
    return low


def ensure_room(needs: Sequence[Need]) -> None:
    """Raise `OutOfSpace` unless every need fits: needs on one file system share its free bytes
    (the staging folder and the sort's, often). A folder whose file system cannot be read is
    not checked (its writes will say what is wrong): the check is a courtesy, never a fault."""
    shared: dict[int, tuple[list[Need], int]] = {}
    for need in needs:
        try:
            existing = _existing(need.folder)
            device, free = existing.stat().st_dev, shutil.disk_usage(existing).free
        except OSError:
            continue
        shared.setdefault(device, ([], free))[0].append(need)
    for device_needs, free in shared.values():
        needed = sum(need.size for need in device_needs)
        if needed > free:
            what = " and ".join(need.what for need in device_needs)
            raise OutOfSpace.short_of(needed, free, what)
