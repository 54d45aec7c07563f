"""A table of a CSV export on SQLite read in ranges on two connections at once
(`csv_lines.table_ranges`, `fan_in.py`): the same file, and every way out clean.

On a copy of the salted demo firm, two readers for any table (its tables are small): the byte
for byte comparison of every source and dialect is in `test_csv_lines.py`; here the edges: a
day holding most rows, a cancel mid-stream, a reader failing on its own thread, and the check
that the lines written are the rows counted.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, Select, false, text
from sqlalchemy.exc import OperationalError

from smarter_export.domain.database import read_snapshots
from smarter_export.domain.tables import time_entry
from smarter_export.domain.tenants import find_firm
from smarter_export.errors import ExportCancelled
from smarter_export.formats.csv_options import CsvOptions
from smarter_export.formats.csv_writer import CsvWriter
from smarter_export.jobs import csv_lines
from smarter_export.jobs.chunks import KeyRange, OrderKey
from smarter_export.jobs.csv_lines import Helpers, table_lines, table_ranges
from smarter_export.jobs.csv_sql import CsvLines
from smarter_export.jobs.engine import run_export
from smarter_export.jobs.limits import table_rows
from smarter_export.jobs.plan import ExportPlan, ParallelReads
from tests.jobs.test_csv_lines import IN_RANGES, LinesSeen, RowsOnly
from tests.jobs.test_fan_in import fan_in_threads
from tests.jobs.test_fidelity import plan, salted_engine, with_writer

__all__ = ["salted_engine"]

pytestmark = pytest.mark.parametrize("demo_engine", ["sqlite"], indirect=True)


def entries_plan(engine: Engine, folder: Path, writer: Any, batch_size: int = 5_000) -> ExportPlan:
    planned = plan(engine, folder, "time_entries", {})
    return replace(with_writer(planned, writer), parallel=IN_RANGES, batch_size=batch_size)


def ranges_of(engine: Engine, planned: ExportPlan) -> list[KeyRange]:
    """The ranges the export reads its time entries in (in its order)."""
    with read_snapshots(engine, 2) as (connection, *helpers):
        (table,) = table_rows(connection, planned)
        lines = table_lines(connection, table, CsvWriter())
        assert isinstance(lines, CsvLines)
        found = table_ranges(connection, table, lines.statement, Helpers(helpers, 1))
    assert found is not None, "time entries are read in ranges"
    return found[1]


def the_firms_entries(engine: Engine) -> str:
    with engine.connect() as connection:
        return find_firm(connection, "demo").id


def test_a_day_holding_most_rows_is_read_whole_and_the_file_is_the_same(
    salted_engine: Engine, tmp_path: Path
) -> None:
    with salted_engine.begin() as connection:
        connection.execute(
            text("UPDATE time_entry SET date = '2024-06-14' WHERE tenant_id = :firm AND rowid % 5"),
            {"firm": the_firms_entries(salted_engine)},
        )
    reference = entries_plan(salted_engine, tmp_path, RowsOnly(CsvWriter()))
    expected = run_export(salted_engine, reference, tmp_path / "rows.csv")
    ranges = ranges_of(salted_engine, reference)
    total = sum(chunk.rows for chunk in ranges)
    assert max(chunk.rows for chunk in ranges) > total / 2 and len(ranges) >= 3
    seen = LinesSeen(CsvOptions())
    result = run_export(salted_engine, entries_plan(salted_engine, tmp_path, seen), tmp_path / "l")
    assert (tmp_path / "l").read_bytes() == (tmp_path / "rows.csv").read_bytes()
    assert seen.lines == result.rows_written == expected.rows_written


def test_a_cancel_mid_stream_stops_the_helper_and_leaves_the_database_usable(
    salted_engine: Engine, tmp_path: Path
) -> None:
    checks: list[int] = []

    def stop_after_three_batches() -> bool:
        checks.append(1)
        return len(checks) > 4  # the first report and three batches pass; the fourth stops it

    seen = LinesSeen(CsvOptions())
    planned = entries_plan(salted_engine, tmp_path, seen, batch_size=100)
    assert len(ranges_of(salted_engine, planned)) >= 4
    with pytest.raises(ExportCancelled):
        run_export(
            salted_engine, planned, tmp_path / "cancelled", should_stop=stop_after_three_batches
        )
    stopped_at = seen.lines["time_entries"]  # four batches, each within a range
    assert fan_in_threads() == []  # joined before the failure went on
    # No reader holds a snapshot or a statement: a write and a full checkpoint go through.
    with salted_engine.begin() as connection:
        connection.execute(time_entry.update().values(description="after the cancel"))
    with salted_engine.connect() as connection:
        busy, _, _ = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
    assert busy == 0
    # And the pooled connections give a whole export next.
    again = LinesSeen(CsvOptions())
    result = run_export(salted_engine, entries_plan(salted_engine, tmp_path, again), tmp_path / "a")
    assert again.lines == result.rows_written != {"time_entries": 0}
    assert 0 < stopped_at < result.rows_written["time_entries"]  # stopped inside the stream


@pytest.mark.parametrize("fault", ["sql", "lookup"])
def test_a_helpers_failure_is_the_exports_failure(
    salted_engine: Engine, tmp_path: Path, fault: str
) -> None:
    """A row of the second range (read on the helper's thread) breaks: its error ends the export,
    as the same row's error ends the export read by one connection."""
    planned = entries_plan(salted_engine, tmp_path, LinesSeen(CsvOptions()), batch_size=100)
    second = ranges_of(salted_engine, planned)[1]
    assert second.low is not None and not second.nulls
    broken = {
        "sql": "rate = 'not money'",
        "lookup": "timekeeper_id = (SELECT min(id) FROM timekeeper WHERE tenant_id != :firm)",
    }[fault]
    with salted_engine.begin() as connection:
        connection.execute(
            text(
                f"UPDATE time_entry SET {broken} WHERE rowid = (SELECT min(rowid) FROM time_entry "
                "WHERE tenant_id = :firm AND date = :day)"
            ),
            {"firm": the_firms_entries(salted_engine), "day": second.low},
        )
    # The driver's error, wrapped by SQLAlchemy when the first rows come with the execute.
    error: tuple[type[Exception], ...] = (
        (sqlite3.OperationalError, OperationalError) if fault == "sql" else (RuntimeError,)
    )
    message = "user-defined function raised" if fault == "sql" else "not among the firm's rows"
    alone = replace(with_writer(planned, LinesSeen(CsvOptions())), parallel=ParallelReads())
    with pytest.raises(error, match=message):
        run_export(salted_engine, alone, tmp_path / "one")
    with pytest.raises(error, match=message):
        run_export(salted_engine, planned, tmp_path / "two")
    assert fan_in_threads() == []


@pytest.mark.parametrize("fault", ["lost", "doubled"])
def test_lines_that_are_not_the_rows_counted_fail_the_export(
    salted_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fault: str
) -> None:
    """Were ranges ever to miss rows, or hold some twice, the file must not pass for whole:
    here the last range reads nothing, or the first reads every row."""
    real = csv_lines.within

    def faulty(statement: Select[Any], key: OrderKey, chunk: KeyRange) -> Select[Any]:
        if fault == "lost" and chunk.high is None:
            return real(statement, key, chunk).where(false())
        if fault == "doubled" and chunk.low is None and not chunk.nulls:
            return statement
        return real(statement, key, chunk)

    monkeypatch.setattr(csv_lines, "within", faulty)
    planned = entries_plan(salted_engine, tmp_path, LinesSeen(CsvOptions()))
    with pytest.raises(RuntimeError, match=r"were read where .* rows were counted"):
        run_export(salted_engine, planned, tmp_path / "out.csv")


@pytest.mark.parametrize(
    "params",
    [
        {"sort": "-date"},
        {"dateFrom": "2024-02-01", "dateTo": "2024-11-30"},
        {"sort": "-date,description", "status": "approved"},
    ],
    ids=["newest-first", "a-period", "filtered"],
)
def test_other_orders_and_filters_give_the_same_file_in_ranges(
    salted_engine: Engine, tmp_path: Path, params: dict[str, object]
) -> None:
    planned = plan(salted_engine, tmp_path, "time_entries", params)
    ranged = replace(planned, parallel=IN_RANGES)
    assert len(ranges_of(salted_engine, ranged)) >= 4
    expected = run_export(
        salted_engine, with_writer(planned, RowsOnly(CsvWriter())), tmp_path / "r"
    )
    seen = LinesSeen(CsvOptions())
    result = run_export(salted_engine, with_writer(ranged, seen), tmp_path / "l")
    assert (tmp_path / "l").read_bytes() == (tmp_path / "r").read_bytes()
    assert seen.lines == result.rows_written == expected.rows_written != {"time_entries": 0}


def test_a_source_not_read_in_ranges_opens_no_helpers_and_takes_no_write_lock(
    salted_engine: Engine, tmp_path: Path
) -> None:
    """Opening helpers takes the write lock for a moment; a CSV whose main table has no range
    key (timekeepers, ordered by name) must not wait on a writer for helpers it cannot use."""
    planned = replace(plan(salted_engine, tmp_path, "timekeepers", {}), parallel=IN_RANGES)
    database = salted_engine.url.database
    assert database is not None
    writer = sqlite3.connect(database, timeout=0.1)
    writer.execute("BEGIN IMMEDIATE")  # a writer in the middle of its transaction
    try:
        result = run_export(salted_engine, planned, tmp_path / "timekeepers.csv")
    finally:
        writer.rollback()
        writer.close()
    assert result.rows_written["timekeepers"] > 0
