"""`in_storage_order`: SQLite reads most of a firm's table through its `tenant_id` index and
sorts it, giving the rows the index order gives, in the same order, edge values and collations
included; a narrow or cut read keeps the planner's index."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Index,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    insert,
    select,
)

from smarter_export.domain.database import make_engine
from smarter_export.formats.csv_writer import CsvWriter
from smarter_export.jobs.engine import run_export
from smarter_export.jobs.limits import table_rows
from smarter_export.jobs.read_order import in_storage_order
from tests.jobs.test_fidelity import every_export, plan, reference_csv, salted_engine, with_writer
from tests.readers import csv_tables

__all__ = ["salted_engine"]
WHOLE = "USING INDEX ix_time_entry_tenant_id (tenant_id=?)"


def raw_rows(connection: Connection, statement: Select[Any]) -> list[tuple[Any, ...]]:
    """The driver's tuples as SQLite gives them: no type processing to hide a difference."""
    result = connection.execute(statement)
    try:
        return list(result.cursor.fetchall())
    finally:
        result.close()


def query_plan(connection: Connection, statement: Select[Any]) -> str:
    compiled = statement.compile(connection)
    parameters = compiled.positiontup or []
    rows = connection.exec_driver_sql(
        f"EXPLAIN QUERY PLAN {compiled}", tuple(compiled.params[name] for name in parameters)
    )
    return "\n".join(str(row[-1]) for row in rows)


@pytest.mark.parametrize("demo_engine", ["sqlite"], indirect=True)
def test_every_export_gives_the_same_rows_in_the_same_order(
    salted_engine: Engine, tmp_path: Path
) -> None:
    """Each source's main statement, read through the `tenant_id` index and sorted, against
    the statement as the planner reads it, over the salted firm's edge values."""
    changed = set()
    for source, params in every_export():
        planned = plan(salted_engine, tmp_path, source, params)
        with salted_engine.connect() as connection:
            main = table_rows(connection, planned)[0]
            plain = planned.source.statement(planned.scope, planned.query)
            read = in_storage_order(connection, plain, planned.scope.tenant_id, main.rows)
            if read is not plain:
                changed.add(source)
                assert "INDEXED BY" in str(read.compile(connection))
            expected = raw_rows(connection, plain)
            assert raw_rows(connection, read) == expected, f"{source} {params}"
            assert raw_rows(connection, main.statement) == expected, f"{source} {params}"
    assert {"time_entries", "invoices", "matters", "clients", "timekeepers"} <= changed


@pytest.mark.parametrize("demo_engine", ["sqlite"], indirect=True)
def test_a_firms_time_entries_are_read_in_storage_order_and_sorted(
    salted_engine: Engine, tmp_path: Path
) -> None:
    planned = plan(salted_engine, tmp_path, "time_entries", {})
    with salted_engine.connect() as connection:
        (table,) = table_rows(connection, planned)
        assert table.statement._limit_clause is None  # the cap does not cut: nothing to stop at
        assert table.keyed is not None
        assert table.sorted_apart == table.rows > 0  # the disk check asks room for the sort
        before = query_plan(connection, planned.source.statement(planned.scope, planned.query))
        for statement in (table.statement, table.keyed.statement):
            after = query_plan(connection, statement)
            assert WHOLE in after and "USE TEMP B-TREE FOR ORDER BY" in after
            assert "RIGHT PART" not in after
    assert "ix_time_entry_tenant_date" in before and "RIGHT PART OF ORDER BY" in before


@pytest.mark.parametrize("demo_engine", ["sqlite"], indirect=True)
def test_a_quarter_of_a_firm_keeps_the_date_index(salted_engine: Engine, tmp_path: Path) -> None:
    quarter = {"dateFrom": "2024-01-01", "dateTo": "2024-03-31"}
    planned = plan(salted_engine, tmp_path, "time_entries", quarter)
    firm_rows = f"SELECT count(*) FROM time_entry WHERE tenant_id = '{planned.scope.tenant_id}'"
    with salted_engine.connect() as connection:
        (table,) = table_rows(connection, planned)
        assert 0 < table.rows < 0.5 * connection.exec_driver_sql(firm_rows).scalar_one()
        assert "INDEXED BY" not in str(table.statement.compile(connection))
        assert table.sorted_apart == 0
        assert "ix_time_entry_tenant_date" in query_plan(connection, table.statement)


@pytest.mark.parametrize("demo_engine", ["sqlite"], indirect=True)
def test_a_cut_read_keeps_the_index_order(salted_engine: Engine, tmp_path: Path) -> None:
    """A LIMIT that cuts reads in index order and stops early: no sort of every row."""
    planned = plan(salted_engine, tmp_path, "time_entries", {})
    with salted_engine.connect() as connection:
        cut = planned.source.statement(planned.scope, planned.query).limit(10)
        assert in_storage_order(connection, cut, planned.scope.tenant_id, 10) is cut


@pytest.mark.parametrize("demo_engine", ["sqlite"], indirect=True)
def test_without_the_index_in_the_database_the_export_is_unchanged(
    salted_engine: Engine, tmp_path: Path
) -> None:
    """The metadata's index dropped by hand: no `INDEXED BY` naming it (a prepare error)."""
    with salted_engine.begin() as connection:
        connection.exec_driver_sql("DROP INDEX ix_time_entry_tenant_id")
    planned = plan(salted_engine, tmp_path, "time_entries", {})
    with salted_engine.connect() as connection:
        (table,) = table_rows(connection, planned)
        assert "INDEXED BY" not in str(table.statement.compile(connection))
        assert table.sorted_apart == 0
    path = tmp_path / "out.csv"
    run_export(salted_engine, with_writer(planned, CsvWriter()), path)
    expected = reference_csv(salted_engine, planned)["time_entries"]
    assert csv_tables(path.read_bytes())["main"] == expected


@pytest.fixture
def odd_table(tmp_path: Path) -> tuple[Engine, Table]:
    """Values of every kind in an indexed column, some only case apart under NOCASE."""
    engine = make_engine(f"sqlite:///{tmp_path / 'odd.db'}")
    metadata = MetaData()
    table = Table(
        "odd",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("tenant_id", String, nullable=False),
        Column("name", String(collation="NOCASE")),
        Column("day", String),
    )
    Index("ix_odd_tenant_name", table.c.tenant_id, table.c.name)
    Index("ix_odd_tenant_day", table.c.tenant_id, table.c.day)
    Index("ix_odd_tenant", table.c.tenant_id)
    metadata.create_all(engine)
    values: list[Any] = ["b", "B", "a", "A", "é", "É", None, 5, 2.5, b"\x00", "", "2024-02-30"]
    rows = [
        {"tenant_id": tenant, "name": name, "day": day}
        for tenant in ("t1", "t2")
        for name in values
        for day in reversed(values)
    ]
    with engine.begin() as connection:
        connection.execute(insert(table), rows)
    return engine, table


@pytest.mark.parametrize("descending", [False, True])
def test_collations_and_mixed_values_sort_as_the_index_orders_them(
    odd_table: tuple[Engine, Table], descending: bool
) -> None:
    engine, table = odd_table
    name = table.c.name.desc() if descending else table.c.name
    for order in ([name, table.c.id], [table.c.day, name, table.c.id.desc()]):
        statement = select(table).where(table.c.tenant_id == "t1").order_by(*order)
        with engine.connect() as connection:
            read = in_storage_order(connection, statement, "t1", 144)
            assert "FROM odd INDEXED BY ix_odd_tenant " in str(read.compile(connection))
            assert "USING INDEX ix_odd_tenant (" in query_plan(connection, read)
            assert raw_rows(connection, read) == raw_rows(connection, statement)
            # Half of the firm's rows is enough; fewer keep the planner's choice.
            assert in_storage_order(connection, statement, "t1", 72) is not statement
            assert in_storage_order(connection, statement, "t1", 71) is statement
    engine.dispose()


def test_only_an_indexed_by_hint_is_written_on_sqlite(odd_table: tuple[Engine, Table]) -> None:
    engine, table = odd_table
    statement = select(table.c.id).where(table.c.tenant_id == "t1")
    with engine.connect() as connection:
        assert str(statement.compile(connection)).startswith("SELECT odd.id \nFROM odd \nWHERE")
        other = statement.with_hint(table, "WITH (NOLOCK)", dialect_name="sqlite")
        assert "NOLOCK" not in str(other.compile(connection))
    engine.dispose()


def test_a_joined_tables_order_is_left_to_the_planner(odd_table: tuple[Engine, Table]) -> None:
    """Named by `INDEXED BY`, a table joined to another would be searched once a row."""
    engine, table = odd_table
    other = table.alias("other")
    joined = (
        select(table.c.id)
        .select_from(other.join(table, table.c.id == other.c.id))
        .where(table.c.tenant_id == "t1")
        .order_by(table.c.name)
    )
    alone = select(table.c.id).where(table.c.tenant_id == "t1").order_by(table.c.name)
    with engine.connect() as connection:
        assert in_storage_order(connection, joined, "t1", 144) is joined
        assert in_storage_order(connection, alone, "t1", 144) is not alone
    engine.dispose()
