"""Out of space, sorted as a transient fault wherever the service meets it: a file written to a
full file system (ENOSPC), a quota (EDQUOT), the SQLite database and the SqliteHuey queue
(SQLITE_FULL); and the free-space check that makes a large export wait before it starts."""

from __future__ import annotations

import errno
import gc
import json
import math
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import xlsxwriter
from botocore.exceptions import ClientError
from prometheus_client import REGISTRY
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from xlsxwriter.exceptions import FileCreateError

from smarter_export import metrics
from smarter_export.errors import (
    Failure,
    OutOfSpace,
    StorageRefused,
    advice_when_retries_run_out,
    classify,
    describe,
)
from smarter_export.formats.registry import FORMATS
from smarter_export.jobs import space
from smarter_export.jobs.queue import ExportQueue
from smarter_export.jobs.space import (
    SORT_BYTES_PER_ROW,
    Need,
    ensure_room,
    free_bytes,
    low_folders,
    room_needed,
    service_folders,
)
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
        ensure_room([Need("the file", tmp, 500_000)])  # room
        with pytest.raises(OutOfSpace, match=r"about 2\.0 MB needed for the file, 1\.0 MB free"):
            ensure_room([Need("the file", tmp, 2_000_000)])
    assert free_bytes(tmp_path / "not" / "made" / "yet") > 0, "its nearest existing parent's"


def test_a_file_system_that_cannot_be_read_is_not_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stale NFS handle, say: the check, readiness and the free-bytes gauge pass over it; its
    writes will say."""

    def stale(path: object) -> None:
        raise OSError(errno.ESTALE, "Stale file handle")

    monkeypatch.setattr(space.shutil, "disk_usage", stale)
    ensure_room([Need("the file", tmp_path, 10**15)])
    assert low_folders({"tmp": tmp_path}, 10**15) == {}
    metrics.watch_free_space({"unreadable-in-test": tmp_path}, space.readable_free_bytes)
    try:
        read = REGISTRY.get_sample_value(
            "smarter_export_free_bytes", {"folder": "unreadable-in-test"}
        )
        assert read is not None and math.isnan(read), "no figure, and the scrape goes on"
    finally:
        metrics.FREE_BYTES.remove("unreadable-in-test")


def test_folders_on_one_file_system_share_its_free_space(tmp_path: Path) -> None:
    """The file staged and SQLite's sort in two folders of one disk: each fits, both do not."""
    with small_disk(tmp_path / "disk", "1m") as disk:
        staging, sort = disk / "tmp", disk / "sort"
        sort.mkdir()
        file, sorting = Need("the file", staging, 600_000), Need("the sort", sort, 600_000)
        ensure_room([file])
        ensure_room([sorting])
        with pytest.raises(OutOfSpace, match=r"1\.2 MB needed for the file and the sort, 1\.0 MB"):
            ensure_room([file, sorting])
        with small_disk(tmp_path / "other", "1m") as other:  # on two disks, each has its own
            ensure_room([file, Need("the sort", other, 600_000)])


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


def test_the_sort_folder_is_where_sqlite_writes_its_temporary_files(tmp_path: Path) -> None:
    """`sort_folder()` follows SQLite's own choice, read in a process that sorts: with
    `SQLITE_TMPDIR`, and without it (TMPDIR, then /var/tmp...)."""
    named = tmp_path / "named"
    named.mkdir()
    for env in ({"SQLITE_TMPDIR": str(named)}, {}):
        variables = {k: v for k, v in os.environ.items() if k not in ("SQLITE_TMPDIR", "TMPDIR")}
        done = subprocess.run(
            [sys.executable, "-c", SORT_AND_SAY_WHERE, str(tmp_path / "sorted.db")],
            env={**variables, **env},
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        written, predicted = json.loads(done.stdout)
        assert written and {Path(p).parent for p in written} == {Path(predicted)}, done.stdout
    assert predicted != str(named)


SORT_AND_SAY_WHERE = """
import json, os, sqlite3, sys
from smarter_export.jobs.space import sort_folder
connection = sqlite3.connect(sys.argv[1])
connection.execute("PRAGMA cache_size = -100")  # a 100 kB cache: the sort spills
connection.execute("CREATE TABLE IF NOT EXISTS t (a TEXT)")
connection.executemany("INSERT INTO t VALUES (?)", ((os.urandom(40).hex(),) for _ in range(50000)))
rows = connection.execute("SELECT a FROM t ORDER BY a")
rows.fetchone()  # the sort is done, its files open (and already unlinked)
links = []
for descriptor in os.listdir("/proc/self/fd"):
    try:
        links.append(os.readlink(f"/proc/self/fd/{descriptor}"))
    except OSError:
        pass
written = [link.removesuffix(" (deleted)") for link in links if "etilqs_" in link]
print(json.dumps([written, str(sort_folder())]))
"""


def test_the_room_an_export_needs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SQLITE_TMPDIR", str(tmp_path))
    staging = tmp_path / "data" / "tmp"
    assert room_needed(staging, 150, rows=1_000, sorted_rows=0) == [
        Need("the file", staging, 150_000)
    ]
    assert room_needed(staging, 150, rows=1_000, sorted_rows=1_000) == [
        Need("the file", staging, 150_000),
        Need("the database's sort", tmp_path, 1_000 * SORT_BYTES_PER_ROW),
    ]
    settings = Settings(data_dir=tmp_path / "data", environment="development")
    assert service_folders(settings, LocalStorage(tmp_path / "files"))["sort"] == tmp_path
    elsewhere = Settings(data_dir=tmp_path / "data", database_url="postgresql+psycopg://h/db")
    assert "sort" not in service_folders(elsewhere, LocalStorage(tmp_path / "files"))
