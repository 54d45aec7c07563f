"""Ranges of a statement's leading order key (`jobs/chunks.py`): read one after the other they
are the statement's rows, each once, whatever the key column holds.

On a real SQLite file: a table keyed like the firm's (tenant_id, a date-like column indexed
after it), holding dates, NULLs, integers, reals, malformed text and a blob, another firm's
rows among them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import (
    Column,
    Date,
    Engine,
    Index,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    func,
    select,
    text,
)

from smarter_export.domain.database import make_engine
from smarter_export.jobs.chunks import KeyRange, key_ranges, order_key, within

metadata = MetaData()
entry = Table(
    "entry",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("tenant_id", String(36), nullable=False),
    Column("day", Date),
    Column("hours", Integer),
    Index("ix_entry_tenant_day", "tenant_id", "day"),
)
FIRM, OTHER = "firm-a", "firm-b"

# Stored as they are: the column is DATE (NUMERIC affinity), so SQLite keeps integers and reals
# as numbers, and text that is no number as text.
ODD_VALUES: tuple[Any, ...] = (None, None, 7, 20240101, 3.5, "not a date", "2024-02-30", b"\x00")


@pytest.fixture
def entries(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'entries.db'}")
    metadata.create_all(engine)
    rows: list[dict[str, Any]] = []
    for number in range(600):
        day = f"2024-{1 + number % 12:02d}-{1 + number % 28:02d}"
        rows.append({"tenant_id": FIRM, "day": day, "hours": number})
        rows.append({"tenant_id": OTHER, "day": day, "hours": -number})
    with engine.begin() as connection:
        # Raw SQL: SQLAlchemy's Date would refuse the odd values; the driver stores them as given.
        connection.execute(
            text("INSERT INTO entry (tenant_id, day, hours) VALUES (:tenant_id, :day, :hours)"),
            rows
            + [
                {"tenant_id": FIRM, "day": value, "hours": 1000 + n}
                for n, value in enumerate(ODD_VALUES)
            ],
        )
    yield engine
    engine.dispose()


def by_day(*, descending: bool = False) -> Select[Any]:
    day = entry.c.day.desc() if descending else entry.c.day
    return (
        select(entry.c.id, entry.c.hours).where(entry.c.tenant_id == FIRM).order_by(day, entry.c.id)
    )


def read(engine: Engine, statement: Select[Any]) -> list[tuple[Any, ...]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(statement)]


def read_in_ranges(
    engine: Engine, statement: Select[Any], pieces: int
) -> tuple[list[tuple[Any, ...]], list[KeyRange]]:
    key = order_key(statement)
    assert key is not None
    with engine.connect() as connection:
        ranges = key_ranges(connection, key, pieces)
        rows = [
            tuple(row)
            for chunk in ranges
            for row in connection.execute(within(statement, key, chunk))
        ]
    return rows, ranges


@pytest.mark.parametrize("descending", [False, True], ids=["ascending", "descending"])
@pytest.mark.parametrize("pieces", [2, 5, 16, 1000])
def test_the_ranges_read_in_order_are_the_statements_rows_each_once(
    entries: Engine, pieces: int, descending: bool
) -> None:
    statement = by_day(descending=descending)
    expected = read(entries, statement)
    assert len(expected) == 600 + len(ODD_VALUES)
    got, ranges = read_in_ranges(entries, statement, pieces)
    assert got == expected  # none lost, none twice, in the statement's order
    assert len(ranges) > 2
    assert sum(chunk.rows for chunk in ranges) == len(expected)
    nulls = [chunk for chunk in ranges if chunk.nulls]
    assert len(nulls) == 1 and nulls[0].rows == 2
    assert (ranges[-1] if descending else ranges[0]) is nulls[0]  # where SQLite orders NULLs


def test_each_odd_value_falls_in_exactly_one_range(entries: Engine) -> None:
    """Bounds taken from the odd values themselves (every value its own range)."""
    statement = by_day()
    key = order_key(statement)
    assert key is not None
    with entries.connect() as connection:
        ranges = key_ranges(connection, key, 10_000)
        held = [
            sorted(row.hours for row in connection.execute(within(statement, key, chunk)))
            for chunk in ranges
        ]
    odd = sorted(1000 + n for n in range(len(ODD_VALUES)))
    found = sorted(hours for chunk in held for hours in chunk if hours >= 1000)
    assert found == odd
    # Numbers first (the smallest, 3.5, opens the first range), then text, then the blob:
    # an integer, malformed text and a blob are bounds like any date.
    assert ranges[1] == KeyRange(None, 7, rows=1)
    bounds = {chunk.low for chunk in ranges}
    assert {7, 20240101, "not a date", "2024-02-30", b"\x00"} <= bounds
    assert ranges[-1] == KeyRange(b"\x00", None, rows=1)


def test_one_day_holding_most_rows_is_one_range_and_the_rest_still_cut(entries: Engine) -> None:
    with entries.begin() as connection:
        connection.execute(
            text(
                "UPDATE entry SET day = '2024-06-15' WHERE tenant_id = :firm AND hours % 10 != 0 AND hours < 1000"
            ),
            {"firm": FIRM},
        )
        connection.execute(
            text("INSERT INTO entry (tenant_id, day, hours) VALUES (:firm, '2025-01-01', 5000)"),
            {"firm": FIRM},
        )
    statement = by_day()
    expected = read(entries, statement)
    got, ranges = read_in_ranges(entries, statement, 8)
    assert got == expected
    biggest = max(ranges, key=lambda chunk: chunk.rows)
    assert biggest.rows > len(expected) / 2  # the day is never split
    assert len(ranges) >= 3  # the days before and after it still have ranges of their own


def test_another_firms_rows_are_not_counted(entries: Engine) -> None:
    key = order_key(by_day())
    assert key is not None
    with entries.connect() as connection:
        ranges = key_ranges(connection, key, 4)
    assert sum(chunk.rows for chunk in ranges) == 600 + len(ODD_VALUES)


def test_a_date_filter_narrows_the_count_a_filter_on_another_column_does_not(
    entries: Engine,
) -> None:
    statement = by_day().where(entry.c.day >= "2024-07-01", entry.c.hours < 100)
    key = order_key(statement)
    assert key is not None
    assert len(key.indexed) == 2  # the firm and the date: the index answers them alone
    expected = read(entries, statement)
    got, ranges = read_in_ranges(entries, statement, 6)
    assert got == expected
    assert all(isinstance(chunk.low, str | None) for chunk in ranges)  # only dates counted


@pytest.mark.parametrize(
    "statement",
    [
        select(entry.c.id).where(entry.c.tenant_id == FIRM).order_by(entry.c.hours),  # no index
        select(entry.c.id).where(entry.c.tenant_id == FIRM),  # no order
        select(entry.c.id).order_by(entry.c.day),  # not one firm's rows
        select(entry.c.id)
        .where((entry.c.tenant_id == FIRM) | (entry.c.hours > 1))
        .order_by(entry.c.day),  # the firm's condition under an OR
        select(entry.c.id)
        .where(entry.c.tenant_id == FIRM)
        .order_by(entry.c.day.nulls_last()),  # NULLs placed otherwise than SQLite does
        select(entry.c.id)
        .where(entry.c.tenant_id == FIRM)
        .order_by(entry.c.day + 1),  # an expression, not a column
        by_day().group_by(entry.c.day, entry.c.id, entry.c.hours),  # groups
        by_day().distinct(),
        by_day().offset(5),  # each range would skip its own first rows
        by_day().add_columns(func.sum(entry.c.hours).over(order_by=entry.c.day)),  # running
    ],
    ids=[
        "no-index",
        "no-order",
        "no-firm",
        "firm-in-or",
        "nulls-last",
        "expression",
        "grouped",
        "distinct",
        "offset",
        "window",
    ],
)
def test_statements_not_read_by_index_in_ranges_have_no_key(statement: Select[Any]) -> None:
    assert order_key(statement) is None
