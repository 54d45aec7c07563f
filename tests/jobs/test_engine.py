"""The engine end to end on a demo firm: every source and format, read back independently.

Expected rows come from hand-written SQL in this file, not from the code under test.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from smarter_export.domain.tenants import Firm, find_firm
from smarter_export.jobs.engine import Progress, run_export
from smarter_export.jobs.plan import plan_export
from smarter_export.settings import Settings
from tests.readers import csv_tables, pdf_pages, xlsx_sheets

TIME_ENTRIES_SQL = """
SELECT te.date, tk.name, c.name, m.matter_number, m.name, te.activity_code, te.description,
       te.duration_minutes, te.rate, inv.invoice_number, te.billable_status, te.status
FROM time_entry te
JOIN timekeeper tk ON tk.id = te.timekeeper_id
JOIN matter m ON m.id = te.matter_id
JOIN client c ON c.id = m.client_id
LEFT JOIN invoice inv ON inv.id = te.invoice_id
WHERE te.tenant_id = :tenant AND NOT te.is_deleted AND NOT m.is_confidential {extra}
ORDER BY te.date, te.id
"""

KEY_SQL = {
    "matters": (
        "matterNumber",
        "SELECT matter_number FROM matter WHERE tenant_id = :tenant AND NOT is_deleted AND NOT is_confidential ORDER BY matter_number, id",
    ),
    "clients": (
        "name",
        "SELECT name FROM client WHERE tenant_id = :tenant AND NOT is_deleted ORDER BY name, id",
    ),
    "timekeepers": (
        "name",
        "SELECT name FROM timekeeper WHERE tenant_id = :tenant AND NOT is_deleted ORDER BY name, id",
    ),
    "invoices": (
        "invoiceNumber",
        "SELECT invoice_number FROM invoice WHERE tenant_id = :tenant AND NOT is_deleted ORDER BY issue_date, invoice_number, id",
    ),
    "time_entries": (
        "timeEntryId",
        "SELECT te.id FROM time_entry te JOIN matter m ON m.id = te.matter_id WHERE te.tenant_id = :tenant AND NOT te.is_deleted AND NOT m.is_confidential ORDER BY te.date, te.id",
    ),
}


def demo_firm(engine: Engine, subdomain: str = "demo") -> Firm:
    with engine.connect() as connection:
        return find_firm(connection, subdomain)


def export(
    engine: Engine,
    tmp_path: Path,
    source: str,
    format_name: str,
    params: dict[str, Any] | None = None,
    settings: Settings | None = None,
) -> tuple[bytes, Any]:
    planned = plan_export(
        settings or Settings(data_dir=tmp_path),
        firm=demo_firm(engine),
        source_name=source,
        format_name=format_name,
        params=params or {},
        requested_by="tester",
    )
    path = tmp_path / f"out{planned.file_extension}"
    seen: list[Progress] = []
    result = run_export(engine, planned, path, on_progress=seen.append)
    # Every row of every table is counted, and the last word is the writer's close.
    assert seen[-1].rows_processed == seen[-1].rows_total == sum(result.rows_written.values())
    assert seen[-1].phase == "finishing"
    return path.read_bytes(), result


def expected_keys(engine: Engine, source: str) -> list[str]:
    with engine.connect() as connection:
        return [
            str(r[0])
            for r in connection.execute(text(KEY_SQL[source][1]), {"tenant": demo_firm(engine).id})
        ]


@pytest.mark.parametrize("source", list(KEY_SQL))
def test_csv_rows_are_the_firms_rows_in_order(
    demo_engine: Engine, tmp_path: Path, source: str
) -> None:
    key = KEY_SQL[source][0]
    content, _ = export(demo_engine, tmp_path, source, "csv", {"columns": key})
    tables = csv_tables(content)
    main = tables.get("main") or tables[source]
    expected = expected_keys(demo_engine, source)
    assert expected, "the demo firm has rows"
    # Text that a spreadsheet would run is neutralised; compare on the stored value.
    assert [row[0].removeprefix("'") for row in main[1:]] == expected


@pytest.mark.parametrize("source", list(KEY_SQL))
def test_excel_rows_are_the_firms_rows_in_order(
    demo_engine: Engine, tmp_path: Path, source: str
) -> None:
    key = KEY_SQL[source][0]
    content, result = export(demo_engine, tmp_path, source, "excel", {"columns": key})
    sheets = xlsx_sheets(content)
    assert list(sheets)[-1] == "Export info"
    rows = next(iter(sheets.values()))[1:]  # the workbook opens on its data
    assert [str(r[0]).removeprefix("'") for r in rows] == expected_keys(demo_engine, source)
    assert result.rows_written[source] == len(rows)


@pytest.mark.parametrize("source", list(KEY_SQL))
def test_pdf_holds_the_firms_rows(demo_engine: Engine, tmp_path: Path, source: str) -> None:
    key = KEY_SQL[source][0]
    content, result = export(demo_engine, tmp_path, source, "pdf", {"columns": key})
    pages = pdf_pages(content)
    text_of_all = "\n".join(pages)
    expected = expected_keys(demo_engine, source)
    assert result.rows_written[source] == len(expected)
    # The total is drawn once for all pages (a form), so extractors may put it on its own line.
    assert f"Page {len(pages)} of {len(pages)}" in " ".join(pages[-1].split())
    if source != "time_entries":  # ids are cut to fit their column; names and numbers are not
        missing = [k for k in expected if k.removeprefix("=") not in text_of_all]
        assert not missing[:5]


def test_time_entries_csv_equals_hand_written_query(demo_engine: Engine, tmp_path: Path) -> None:
    params = {"dateFrom": "2024-01-01", "dateTo": "2024-06-30", "billableStatus": "billable"}
    content, _ = export(demo_engine, tmp_path, "time_entries", "csv", params)
    rows = csv_tables(content)["main"]
    assert rows[0][:3] == ["Date", "Timekeeper", "Client"]
    extra = "AND te.date BETWEEN '2024-01-01' AND '2024-06-30' AND te.billable_status = 'billable'"
    with demo_engine.connect() as connection:
        raw = connection.execute(
            text(TIME_ENTRIES_SQL.format(extra=extra)), {"tenant": demo_firm(demo_engine).id}
        ).all()
    assert len(rows) - 1 == len(raw) > 0
    for got, want in zip(rows[1:], raw, strict=True):
        day, tk, client, number, matter, code, desc, minutes, rate, invoice, billable, status = want
        rate = Decimal(str(rate)).quantize(Decimal("0.01"))
        hours = (Decimal(minutes) / 60).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
        amount = (rate * minutes / 60).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
        assert got == [
            str(day),  # a string from SQLite, a date from PostgreSQL: ISO 8601 either way
            _safe(tk),
            _safe(client),
            _safe(number),
            _safe(matter),
            code or "",
            _safe(desc or ""),
            str(hours),
            str(rate),
            str(amount),
            billable,
            status,
            invoice or "",
        ]


def _safe(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def test_hostile_values_arrive_neutralised(demo_engine: Engine, tmp_path: Path) -> None:
    content, _ = export(demo_engine, tmp_path, "clients", "csv", {"columns": "name"})
    names = [row[0] for row in csv_tables(content)["clients"][1:]]
    assert '\'=HYPERLINK("http://x","y")' in names
    assert '=HYPERLINK("http://x","y")' not in names
    content, _ = export(demo_engine, tmp_path, "clients", "excel", {"columns": "name"})
    cells = [r[0] for r in xlsx_sheets(content)["Clients"][1:]]
    assert '\'=HYPERLINK("http://x","y")' in cells


def test_excel_cells_are_typed(demo_engine: Engine, tmp_path: Path) -> None:
    content, _ = export(
        demo_engine,
        tmp_path,
        "time_entries",
        "excel",
        {"columns": "date,matterNumber,amount,hours"},
    )
    rows = xlsx_sheets(content)["Time entries"]
    assert rows[0] == ("Date", "Matter number", "Amount", "Hours")
    body = rows[1:-1]  # the last row holds the totals
    assert all(isinstance(r[0], dt.datetime) for r in body)
    assert all(isinstance(r[1], str) for r in body)
    assert all(isinstance(r[2], int | float) for r in body)
    amounts = [Decimal(str(r[2])) for r in body]
    assert all(a == a.quantize(Decimal("0.01")) for a in amounts)
    assert rows[-1][0] == "Total"


def test_row_cap_gives_a_partial_file_that_says_so(demo_engine: Engine, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, max_rows_pdf=50)
    content, result = export(demo_engine, tmp_path, "time_entries", "pdf", settings=settings)
    assert result.partial
    assert result.rows_written["time_entries"] == 50
    assert result.rows_total > 50
    assert "Partial export" in "\n".join(pdf_pages(content))


def test_another_tenants_rows_never_appear(demo_engine: Engine, tmp_path: Path) -> None:
    other = demo_firm(demo_engine, "firm-2")
    with demo_engine.connect() as connection:
        foreign = {
            r[0]
            for r in connection.execute(
                text("SELECT id FROM time_entry WHERE tenant_id = :t"), {"t": other.id}
            )
        }
    content, _ = export(demo_engine, tmp_path, "time_entries", "csv", {"columns": "timeEntryId"})
    mine = {row[0] for row in csv_tables(content)["main"][1:]}
    assert foreign and mine and not foreign & mine
