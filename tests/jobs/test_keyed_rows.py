"""Time entries read alone, their names joined in Python (SQLite's fast path), hold the same rows
as the joined statement: every column, sorts, filters, confidential matters left out, a row cap.

The reference is `reference_csv` of the fidelity tests (SQLAlchemy rows of the joined statement);
the salted firm holds the edge values. Each case also checks which path the engine took, so a
case that silently fell back to the joined statement cannot pass for the fast one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Column, ColumnElement, Engine, select, update

from smarter_export.domain.tables import matter, time_entry
from smarter_export.domain.tenants import find_firm
from smarter_export.formats.csv_writer import CsvWriter
from smarter_export.jobs.engine import run_export
from smarter_export.jobs.limits import table_rows
from smarter_export.jobs.plan import ExportPlan, plan_export
from smarter_export.settings import Settings
from smarter_export.sources.sql import live
from tests.jobs.test_fidelity import reference_csv, salted_engine, with_writer
from tests.readers import csv_tables

__all__ = ["salted_engine"]  # the fidelity tests' fixture: the demo firm salted with edge values

EVERY_COLUMN = [
    "date",
    "timekeeper",
    "client",
    "matterNumber",
    "matter",
    "activityCode",
    "description",
    "hours",
    "rate",
    "amount",
    "billableStatus",
    "status",
    "invoiceNumber",
    "practiceArea",
    "minutes",
    "timeEntryId",
    "timekeeperId",
    "matterId",
    "clientId",
]


def time_entries_plan(
    engine: Engine,
    folder: Path,
    params: dict[str, Any],
    *,
    confidential: bool,
    max_rows: int = 1_000_000,
) -> ExportPlan:
    with engine.connect() as connection:
        firm = find_firm(connection, "demo")
    return plan_export(
        Settings(data_dir=folder, max_rows_csv=max_rows),
        firm=firm,
        source_name="time_entries",
        format_name="csv",
        params=params,
        requested_by="keyed@example.com",
        include_confidential=confidential,
    )


def some_id(engine: Engine, column: str) -> str:
    """An id the demo firm's time entries use, through their matter."""
    with engine.connect() as connection:
        firm = find_firm(connection, "demo")
        value = connection.execute(
            select(time_entry.c.matter_id).where(time_entry.c.tenant_id == firm.id).limit(1)
        ).scalar_one()
        if column == "matter":
            return str(value)
        found = connection.execute(
            select(matter.c[f"{column}_id"]).where(matter.c.id == value)
        ).scalar_one()
        return str(found)


def point_an_entry_at_another_firm(
    engine: Engine, planned: ExportPlan, column: Column[Any], *where: ColumnElement[bool]
) -> None:
    """Set `column` of one live entry of the firm (where `where` holds) to the id of another
    firm's row of the table the column refers to."""
    (foreign_key,) = column.foreign_keys
    table = foreign_key.column.table
    with engine.begin() as connection:
        stranger = connection.execute(
            select(table.c.id).where(table.c.tenant_id != planned.scope.tenant_id)
        ).first()
        assert stranger is not None
        entry = connection.execute(
            select(time_entry.c.id).where(
                time_entry.c.tenant_id == planned.scope.tenant_id, live(time_entry), *where
            )
        ).first()
        assert entry is not None
        connection.execute(
            update(time_entry).where(time_entry.c.id == entry.id).values({column: stranger.id})
        )


def keyed_taken(engine: Engine, planned: ExportPlan) -> bool:
    with engine.connect() as connection:
        return table_rows(connection, planned)[0].keyed is not None


def exported(engine: Engine, planned: ExportPlan, path: Path) -> dict[str, list[list[str]]]:
    run_export(engine, with_writer(planned, CsvWriter()), path)
    return csv_tables(path.read_bytes())


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"columns": EVERY_COLUMN},
        {"columns": EVERY_COLUMN, "sort": "-rate,description"},
        {"columns": ["hours", "invoiceNumber", "clientId"], "sort": "-amount", "status": "billed"},
        {"columns": EVERY_COLUMN, "dateFrom": "2024-03-01", "billableStatus": "billable"},
        {"columns": EVERY_COLUMN, "sort": "-date"},
    ],
)
@pytest.mark.parametrize("confidential", [True, False])
def test_time_entries_read_alone_hold_the_joined_rows(
    salted_engine: Engine, tmp_path: Path, params: dict[str, Any], confidential: bool
) -> None:
    planned = time_entries_plan(salted_engine, tmp_path, params, confidential=confidential)
    is_sqlite = salted_engine.dialect.name == "sqlite"
    assert keyed_taken(salted_engine, planned) is is_sqlite
    expected = reference_csv(salted_engine, planned)
    assert len(expected["time_entries"]) > 100
    assert (
        exported(salted_engine, planned, tmp_path / "out.csv")["main"] == expected["time_entries"]
    )


@pytest.mark.parametrize("filter_on", ["client", "practice_area", "matter"])
def test_filters_through_the_matter_hold_the_joined_rows(
    salted_engine: Engine, tmp_path: Path, filter_on: str
) -> None:
    key = {"client": "clientId", "practice_area": "practiceAreaId", "matter": "matterId"}
    params = {"columns": EVERY_COLUMN, key[filter_on]: some_id(salted_engine, filter_on)}
    planned = time_entries_plan(salted_engine, tmp_path, params, confidential=False)
    assert keyed_taken(salted_engine, planned) is (salted_engine.dialect.name == "sqlite")
    expected = reference_csv(salted_engine, planned)
    assert len(expected["time_entries"]) > 1
    assert (
        exported(salted_engine, planned, tmp_path / "out.csv")["main"] == expected["time_entries"]
    )


def test_a_row_cap_cuts_the_keyed_rows_where_it_cuts_the_joined_ones(
    salted_engine: Engine, tmp_path: Path
) -> None:
    params = {"columns": EVERY_COLUMN, "sort": "-amount"}
    planned = time_entries_plan(salted_engine, tmp_path, params, confidential=True, max_rows=77)
    expected = reference_csv(salted_engine, planned)["time_entries"][:78]  # header and 77 rows
    assert exported(salted_engine, planned, tmp_path / "out.csv")["main"] == expected


def test_a_sort_on_a_looked_up_name_stays_with_the_database(
    salted_engine: Engine, tmp_path: Path
) -> None:
    params = {"columns": EVERY_COLUMN, "sort": "timekeeper,-client"}
    planned = time_entries_plan(salted_engine, tmp_path, params, confidential=True)
    assert not keyed_taken(salted_engine, planned)
    expected = reference_csv(salted_engine, planned)
    assert (
        exported(salted_engine, planned, tmp_path / "out.csv")["main"] == expected["time_entries"]
    )


@pytest.mark.parametrize("demo_engine", ["sqlite"], indirect=True)  # the keyed path is SQLite's
def test_an_entry_pointing_at_another_firms_timekeeper_fails_instead_of_naming_them(
    salted_engine: Engine, tmp_path: Path
) -> None:
    """The join would show the other firm's timekeeper; the lookup holds the firm's own only,
    and says so rather than write a row that differs."""
    assert salted_engine.dialect.name == "sqlite"
    planned = time_entries_plan(salted_engine, tmp_path, {}, confidential=True)
    point_an_entry_at_another_firm(salted_engine, planned, time_entry.c.timekeeper_id)
    with pytest.raises(RuntimeError, match="not among the firm's rows"):
        run_export(salted_engine, with_writer(planned, CsvWriter()), tmp_path / "out.csv")
