"""Out of space, sorted as a transient fault wherever the service meets it: a file written to a
full file system (ENOSPC), a quota (EDQUOT), the SQLite database and the SqliteHuey queue
(SQLITE_FULL); and the free-space check that makes a large export wait before it starts."""

from __future__ import annotations

import errno
import gc
import sqlite3
from pathlib import Path

import pytest
import xlsxwriter
from botocore.exceptions import ClientError
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from xlsxwriter.exceptions import FileCreateError

from smarter_export.errors import (
    Failure,
    OutOfSpace,
    StorageRefused,
    advice_when_retries_run_out,
    classify,
    describe,
)
from smarter_export.formats.registry import FORMATS
from smarter_export.jobs.queue import ExportQueue
from smarter_export.jobs.space import ensure_room, free_bytes
from smarter_export.settings import Settings
from smarter_export.storage.base import file_key
from smarter_export.storage.local import LocalStorage
from smarter_export.storage.s3 import storage_errors
from tests.small_disk import fill, small_disk


def test_a_file_written_to_a_full_file_system_is_a_transient_disk_full(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", "1m") as disk:
        fill(disk)
        with pytest.raises(OSError, match="No space left on device") as raised:
            (disk / "export.csv").write_bytes(b"x" * 10_000)
    assert classify(raised.value) is Failure.TRANSIENT
    assert describe(raised.value, "ref") == (
        "disk_full",
        "The export service ran out of storage space.",
    )


# XlsxWriter leaves its failed zip file to the garbage collector, whose close fails again.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_library_wrapping_the_full_disk_is_still_a_disk_full(tmp_path: Path) -> None:
    """XlsxWriter raises its own FileCreateError while handling the ENOSPC of its zip file."""
    with small_disk(tmp_path / "disk", "1m") as disk:
        fill(disk)
        workbook = xlsxwriter.Workbook(str(disk / "export.xlsx"))
        workbook.add_worksheet().write(0, 0, "hours")
        with pytest.raises(FileCreateError) as raised:
            workbook.close()
        assert classify(raised.value) is Failure.TRANSIENT
        assert describe(raised.value, "ref")[0] == "disk_full"
        del raised, workbook  # the traceback holds the zip file: let it go while the mount is up
        gc.collect()


def test_publishing_to_a_full_local_storage_leaves_no_half_file(tmp_path: Path) -> None:
    staged = tmp_path / "staged.csv"
    staged.write_bytes(b"x" * 600_000)
    with small_disk(tmp_path / "files", "1m") as files:
        storage = LocalStorage(files)
        (files / "other.csv").write_bytes(b"x" * 600_000)  # another export's file: no room left
        with pytest.raises(OSError, match="No space left on device") as raised:
            storage.publish(staged, file_key("tenant", "export", "a.csv"), "text/csv")
        assert describe(raised.value, "ref")[0] == "disk_full"
        assert not storage.exists(file_key("tenant", "export", "a.csv"))
        assert [p.name for p in files.rglob("*") if p.is_file()] == ["other.csv"]


def test_a_quota_is_the_same_fault() -> None:
    quota = OSError(errno.EDQUOT, "Disk quota exceeded")
    assert classify(quota) is Failure.TRANSIENT
    assert describe(quota, "ref")[0] == "disk_full"
    assert advice_when_retries_run_out("disk_full") is not None
    assert advice_when_retries_run_out("transient_failure") is None


def test_a_full_sqlite_database_is_a_transient_disk_full(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'firm.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x BLOB)"))
    with engine.begin() as connection:
        connection.execute(text("PRAGMA max_page_count = 4"))  # SQLite's own "disk": 4 pages
        with pytest.raises(OperationalError, match="disk is full") as raised:
            connection.execute(text("INSERT INTO t VALUES (zeroblob(100000))"))
    engine.dispose()
    assert classify(raised.value) is Failure.TRANSIENT
    assert describe(raised.value, "ref")[0] == "disk_full"


def test_the_embedded_queue_on_a_full_disk_is_a_transient_disk_full(tmp_path: Path) -> None:
    with small_disk(tmp_path / "data", "1m") as data:
        queue = ExportQueue(Settings(data_dir=data, environment="development"))
        queue.enqueue("first")  # the queue file exists, then the disk fills
        fill(data)
        with pytest.raises(sqlite3.OperationalError, match="disk is full") as raised:
            enqueue_many(queue)
        queue.huey.storage.close()
    assert classify(raised.value) is Failure.TRANSIENT
    assert describe(raised.value, "ref")[0] == "disk_full"


def enqueue_many(queue: ExportQueue) -> None:
    for number in range(1_000):
        queue.enqueue(f"export-{number}-" + "x" * 2_000)


def test_ensure_room_refuses_what_the_free_space_cannot_hold(tmp_path: Path) -> None:
    with small_disk(tmp_path / "tmp", "1m") as tmp:
        free = free_bytes(tmp)
        assert 900_000 < free <= 1_048_576
        ensure_room(tmp, rows=1_000, bytes_per_row=500)  # 0.5 MB: room
        with pytest.raises(OutOfSpace, match=r"about 2\.0 MB needed, 1\.0 MB free"):
            ensure_room(tmp, rows=4_000, bytes_per_row=500)
    assert free_bytes(tmp_path / "not" / "made" / "yet") > 0, "its nearest existing parent's"


def test_every_format_declares_a_size_per_row() -> None:
    assert all(f.bytes_per_row > 0 for f in FORMATS)


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("EntityTooLarge", "larger than it accepts for one object; narrow the filters"),
        ("QuotaExceeded", "quota is used up; an operator should raise the quota"),
    ],
)
def test_an_object_store_refusing_the_size_is_a_refusal_in_words(code: str, words: str) -> None:
    answer = ClientError(
        {"Error": {"Code": code, "Message": "no"}, "ResponseMetadata": {"HTTPStatusCode": 400}},
        "PutObject",
    )
    with pytest.raises(StorageRefused) as raised, storage_errors("store the file"):
        raise answer
    assert classify(raised.value) is Failure.REFUSED
    assert words in raised.value.message
    assert raised.value.message.endswith(f"({code}).")
