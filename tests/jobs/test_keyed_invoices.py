"""The time entries' invoice, a nullable and bounded lookup (`sources/keyed.py`): read into a dict
when the firm's invoices are at most `LOOKUP_ROWS`, joined by the statement above that. Both
paths hold the joined statement's rows (every column, entries with no invoice included), the CSV
the database renders is the rows' file byte for byte on both, and each case checks which path
ran. The bound is set around the salted firm's own count of invoices, so the edge is tested.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, String, event, func, select

from smarter_export.domain.tables import invoice, time_entry
from smarter_export.formats.csv_options import CsvOptions
from smarter_export.formats.csv_writer import CsvWriter
from smarter_export.jobs import read_order
from smarter_export.jobs.batches import keyed_batches, typed_batches
from smarter_export.jobs.engine import run_export
from smarter_export.jobs.limits import TableRows, table_rows
from smarter_export.jobs.plan import ExportPlan
from smarter_export.sources import keyed
from smarter_export.sources.time_entries import inv
from smarter_export.tabular import Row
from tests.jobs.test_csv_lines import LinesSeen, RowsOnly, file_contents
from tests.jobs.test_fidelity import reference_csv, salted_engine, with_writer
from tests.jobs.test_keyed_rows import (
    EVERY_COLUMN,
    exported,
    point_an_entry_at_another_firm,
    time_entries_plan,
)

__all__ = ["salted_engine"]  # the fidelity tests' fixture: the demo firm salted with edge values

pytestmark = pytest.mark.parametrize("demo_engine", ["sqlite"], indirect=True)  # SQLite's path

PARAMS: list[dict[str, Any]] = [
    {"columns": EVERY_COLUMN},
    {"columns": EVERY_COLUMN, "sort": "-rate,description"},
    {"columns": ["invoiceNumber"]},  # the row's only field: an empty one is quoted
    {"columns": ["hours", "invoiceNumber", "clientId"], "sort": "-amount", "status": "billed"},
    {"columns": ["invoiceNumber", "date", "matter"], "dateFrom": "2024-03-01"},
]


def firm_invoices(engine: Engine, planned: ExportPlan) -> int:
    with engine.connect() as connection:
        count = select(func.count()).where(invoice.c.tenant_id == planned.scope.tenant_id)
        return int(connection.execute(count).scalar_one())


@pytest.fixture(params=["dict", "join"])
def bound(
    request: pytest.FixtureRequest, salted_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> str:
    """`LOOKUP_ROWS` at the firm's count of invoices (a dict), or one below it (the join)."""
    planned = time_entries_plan(salted_engine, Path("/tmp"), {}, confidential=True)
    invoices = firm_invoices(salted_engine, planned)
    assert invoices > 10
    monkeypatch.setattr(keyed, "LOOKUP_ROWS", invoices if request.param == "dict" else invoices - 1)
    return str(request.param)


def main_table(engine: Engine, planned: ExportPlan) -> TableRows:
    with engine.connect() as connection:
        table = table_rows(connection, planned)[0]
    assert table.keyed is not None, "time entries are read alone on SQLite"
    return table


def assert_path(table: TableRows, path: str) -> None:
    """The invoice is a lookup (its numbers' dict) or joined by the statement, as `path` says."""
    assert table.keyed is not None
    looked_up = [rows for rows in table.keyed.lookups if inv in rows.get_final_froms()]
    if path == "dict":
        assert table.keyed.joined == ()
        assert len(looked_up) == 1 and table.keyed.nullable[-1]
    else:
        assert table.keyed.joined == ("inv",)
        assert looked_up == []
        assert " LEFT OUTER JOIN invoice AS inv " in str(table.keyed.statement)


@pytest.mark.parametrize("params", PARAMS)
@pytest.mark.parametrize("confidential", [True, False])
def test_invoices_looked_up_or_joined_hold_the_joined_rows(
    salted_engine: Engine, tmp_path: Path, bound: str, params: dict[str, Any], confidential: bool
) -> None:
    planned = time_entries_plan(salted_engine, tmp_path, params, confidential=confidential)
    assert_path(main_table(salted_engine, planned), bound)
    expected = reference_csv(salted_engine, planned)["time_entries"]
    column = expected[0].index("Invoice number")
    numbers = [row[column] for row in expected[1:]]
    assert "" in numbers and len(set(numbers)) > 10, "entries with and without an invoice"
    assert exported(salted_engine, planned, tmp_path / "out.csv")["main"] == expected


def test_the_rows_path_gives_the_joined_statements_values(
    salted_engine: Engine, tmp_path: Path, bound: str
) -> None:
    """What Excel, PDF, JSONL and Parquet are given: the typed values themselves, None for an
    entry with no invoice, as the joined statement's rows."""
    planned = time_entries_plan(
        salted_engine, tmp_path, {"columns": EVERY_COLUMN}, confidential=True
    )
    with salted_engine.connect() as connection:
        table = table_rows(connection, planned)[0]
        assert table.keyed is not None
        assert_path(table, bound)
        ours: list[Row] = [
            row for batch in keyed_batches(connection, table.keyed, 97) for row in batch
        ]
        joined: list[Row] = [
            row for batch in typed_batches(connection, table.statement, 97) for row in batch
        ]
    assert [tuple(row) for row in ours] == [tuple(row) for row in joined]
    column = EVERY_COLUMN.index("invoiceNumber")
    assert any(row[column] is None for row in ours) and any(row[column] for row in ours)


@pytest.mark.parametrize("cap", ["invoices", 77])
def test_a_row_cap_and_a_sort_hold_the_joined_rows(
    salted_engine: Engine, tmp_path: Path, bound: str, cap: str | int
) -> None:
    """Capped at the firm's count of invoices, the bound decides; capped at 77 rows, fewer than
    the firm's invoices, the export joins them whatever the bound (a dict would read them all
    for 77 rows)."""
    params = {"columns": EVERY_COLUMN, "sort": "-amount"}
    whole = time_entries_plan(salted_engine, tmp_path, params, confidential=False)
    rows = firm_invoices(salted_engine, whole) if cap == "invoices" else int(cap)
    planned = time_entries_plan(salted_engine, tmp_path, params, confidential=False, max_rows=rows)
    assert_path(main_table(salted_engine, planned), bound if cap == "invoices" else "join")
    expected = reference_csv(salted_engine, planned)["time_entries"][: rows + 1]  # and header
    assert len(expected) == rows + 1
    assert exported(salted_engine, planned, tmp_path / "out.csv")["main"] == expected


def test_a_sort_on_the_invoice_number_joins_it_whatever_its_size(
    salted_engine: Engine, tmp_path: Path, bound: str
) -> None:
    """Sorting is the database's job: the invoice is joined, the other names still looked up."""
    params = {"columns": EVERY_COLUMN, "sort": "-invoiceNumber,date"}
    planned = time_entries_plan(salted_engine, tmp_path, params, confidential=True)
    table = main_table(salted_engine, planned)
    assert_path(table, "join")
    assert table.keyed is not None and len(table.keyed.lookups) == 2
    expected = reference_csv(salted_engine, planned)["time_entries"]
    assert exported(salted_engine, planned, tmp_path / "out.csv")["main"] == expected


def test_no_invoice_column_counts_no_invoices(
    salted_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bounded lookup no column needs is neither counted nor read."""
    counted: list[str] = []
    original = keyed._too_large

    def counting(lookup: keyed.Lookup, count: keyed.Counter, most_rows: int | None) -> bool:
        counted.append(str(lookup.key))
        return original(lookup, count, most_rows)

    monkeypatch.setattr(keyed, "_too_large", counting)
    planned = time_entries_plan(salted_engine, tmp_path, {"columns": ["date"]}, confidential=True)
    table = main_table(salted_engine, planned)
    assert table.keyed is not None and table.keyed.lookups == () and counted == []
    planned = time_entries_plan(salted_engine, tmp_path, {}, confidential=True)
    main_table(salted_engine, planned)
    assert set(counted) == {"time_entry.invoice_id"}


@pytest.mark.parametrize(
    "options", [{}, {"delimiter": ";", "decimalSeparator": ","}, {"compression": "gzip"}]
)
@pytest.mark.parametrize("columns", [EVERY_COLUMN, ["invoiceNumber"], ["invoiceNumber", "hours"]])
def test_the_databases_lines_are_the_rows_file_byte_for_byte(
    salted_engine: Engine,
    tmp_path: Path,
    bound: str,
    options: dict[str, object],
    columns: list[str],
) -> None:
    csv_options = CsvOptions.model_validate(options)
    planned = time_entries_plan(salted_engine, tmp_path, {"columns": columns}, confidential=False)
    assert_path(main_table(salted_engine, planned), bound)
    reference, fast = tmp_path / "reference", tmp_path / "fast"
    expected = run_export(
        salted_engine, with_writer(planned, RowsOnly(CsvWriter(options=csv_options))), reference
    )
    seen = LinesSeen(csv_options)
    result = run_export(salted_engine, with_writer(planned, seen), fast)
    assert seen.lines == expected.rows_written == result.rows_written != {"time_entries": 0}
    assert file_contents(fast) == file_contents(reference)


@pytest.mark.parametrize("writer", ["lines", "rows"])
def test_an_entry_pointing_at_another_firms_invoice_fails_instead_of_showing_it(
    salted_engine: Engine, tmp_path: Path, writer: str
) -> None:
    """The join would show the other firm's number; the dict holds the firm's own and the NULL
    key only, and says so rather than show it or leave the cell empty."""
    planned = time_entries_plan(salted_engine, tmp_path, {}, confidential=True)
    assert_path(main_table(salted_engine, planned), "dict")
    invoice_id = time_entry.c.invoice_id
    point_an_entry_at_another_firm(salted_engine, planned, invoice_id, invoice_id.is_(None))
    chosen = CsvWriter() if writer == "lines" else RowsOnly(CsvWriter())
    with pytest.raises(RuntimeError, match="not among the firm's rows"):
        run_export(salted_engine, with_writer(planned, chosen), tmp_path / "out.csv")


@pytest.mark.parametrize("writer", ["lines", "rows"])
def test_the_join_never_shows_another_firms_invoice(
    salted_engine: Engine, tmp_path: Path, writer: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above the bound the statement joins the invoice, on the firm's own: an entry pointing at
    another firm's invoice shows none (the row is kept), never that firm's number."""
    monkeypatch.setattr(keyed, "LOOKUP_ROWS", 0)
    planned = time_entries_plan(salted_engine, tmp_path, {}, confidential=True)
    assert_path(main_table(salted_engine, planned), "join")
    before = run_export(salted_engine, with_writer(planned, CsvWriter()), tmp_path / "before")
    invoice_id = time_entry.c.invoice_id
    point_an_entry_at_another_firm(salted_engine, planned, invoice_id, invoice_id.is_(None))
    with salted_engine.begin() as connection:
        connection.execute(
            invoice.update()
            .where(invoice.c.tenant_id != planned.scope.tenant_id)
            .values(invoice_number="INV-OF-ANOTHER-FIRM-" + invoice.c.id)
        )
    chosen = CsvWriter() if writer == "lines" else RowsOnly(CsvWriter())
    result = run_export(salted_engine, with_writer(planned, chosen), tmp_path / "out.csv")
    assert result.rows_written == before.rows_written
    assert b"INV-OF-ANOTHER-FIRM" not in (tmp_path / "out.csv").read_bytes()


def test_the_null_key_gives_what_the_join_computes_over_nothing(salted_engine: Engine) -> None:
    """A value computed from the lookup's columns is what the database makes of NULL, not None."""
    planned = time_entries_plan(salted_engine, Path("/tmp"), {}, confidential=True)
    rows = select(
        invoice.c.id, func.coalesce(invoice.c.invoice_number, "none", type_=String)
    ).where(invoice.c.tenant_id == planned.scope.tenant_id)
    with salted_engine.connect() as connection:
        found = {row[0]: row[1] for row in connection.execute(keyed.with_null_key(rows))}
    assert found[None] == "none"
    assert len(found) == firm_invoices(salted_engine, planned) + 1
    assert all(number != "none" for key, number in found.items() if key is not None)


@pytest.mark.parametrize("capped", [False, True])
def test_a_reader_of_values_joins_the_invoices_its_bound_leaves_out_and_csv_keeps(
    salted_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capped: bool
) -> None:
    """`VALUE_LOOKUP_ROWS` below the firm's invoices and `LOOKUP_ROWS` at them: the CSV's lines
    keep the dict, the rows of Parquet, Excel, JSON Lines and PDF are read with the invoice
    joined (no dict of it held beside the writer), and both are the joined statement's rows.
    Capped at the firm's count of invoices, both forms are capped."""
    params = {"columns": EVERY_COLUMN}  # by date: its first column is the table's own
    planned = time_entries_plan(salted_engine, tmp_path, params, confidential=True)
    invoices = firm_invoices(salted_engine, planned)
    monkeypatch.setattr(keyed, "LOOKUP_ROWS", invoices)
    monkeypatch.setattr(keyed, "VALUE_LOOKUP_ROWS", invoices - 1)
    monkeypatch.setattr(read_order, "LEAST_SHARE", 0.0)  # uncut, read in storage order
    if capped:
        planned = time_entries_plan(
            salted_engine, tmp_path, params, confidential=True, max_rows=invoices
        )
    statements: list[str] = []

    def executed(*args: Any) -> None:
        statements.append(args[2])

    with salted_engine.connect() as connection:
        table = table_rows(connection, planned)[0]
        assert_path(table, "dict")
        assert table.keyed is not None
        values = table.keyed.for_values()
        assert values.joined == ("inv",) and len(values.lookups) == 2
        # Made of the statement as the engine reads it: cut by the cap, or whole in the order
        # the table is stored (`read_order.py`).
        csv_sql, values_sql = (
            str(f.statement.compile(salted_engine)) for f in (table.keyed, values)
        )
        assert ("LIMIT" in values_sql) == capped == ("LIMIT" in csv_sql)
        assert ("INDEXED BY" in values_sql) == (not capped) == ("INDEXED BY" in csv_sql)
        event.listen(connection, "before_cursor_execute", executed)
        ours = [row for batch in keyed_batches(connection, table.keyed, 97) for row in batch]
        event.remove(connection, "before_cursor_execute", executed)
        joined = [row for batch in typed_batches(connection, table.statement, 97) for row in batch]
    # What the rows were read with: no lookup of the invoices, the statement joining them.
    assert not [
        sql for sql in statements if "FROM invoice AS inv" in sql and "time_entry" not in sql
    ]
    assert any("LEFT OUTER JOIN invoice AS inv" in sql for sql in statements)
    assert [tuple(row) for row in ours] == [tuple(row) for row in joined]
    assert len(ours) == (invoices if capped else len(joined)) > 0
    expected = reference_csv(salted_engine, planned)["time_entries"][: len(ours) + 1]  # header
    assert exported(salted_engine, planned, tmp_path / "out.csv")["main"] == expected
