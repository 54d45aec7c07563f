"""Row caps decided once, by the engine, for every table: what a capped file holds and says.

A demo firm on a real SQLite file and a real PostgreSQL database; expected rows come from
hand-written SQL; files are read back by the csv module, openpyxl and poppler's pdftotext.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import Engine, text

from smarter_export.formats.base import ExportWriter
from smarter_export.jobs.engine import ExportResult, run_export
from smarter_export.jobs.plan import plan_export
from smarter_export.settings import Settings
from smarter_export.tabular import ExportInfo, ExportOutcome, Row, TableSpec, WriteSummary
from tests.jobs.test_engine import demo_firm
from tests.readers import csv_tables, pdftotext, xlsx_sheets

FIRST_INVOICES = """
SELECT id FROM invoice WHERE tenant_id = :tenant AND NOT is_deleted
ORDER BY issue_date, invoice_number, id {limit}
"""
LINE_ITEMS = """
SELECT i.invoice_number FROM invoice_line_item li
JOIN invoice i ON i.id = li.invoice_id
LEFT JOIN matter m ON m.id = li.matter_id
WHERE li.tenant_id = :tenant AND NOT li.is_deleted AND li.invoice_id IN ({parents})
  AND (m.id IS NULL OR NOT m.is_confidential OR :cleared)
ORDER BY i.issue_date, i.invoice_number, li.id
"""
CLIENT_MATTERS = """
SELECT m.matter_number FROM matter m JOIN client c ON c.id = m.client_id
WHERE m.tenant_id = :tenant AND NOT m.is_deleted AND (NOT m.is_confidential OR :cleared)
  AND m.client_id IN (
    SELECT id FROM client WHERE tenant_id = :tenant AND NOT is_deleted ORDER BY name, id {limit}
  )
ORDER BY c.name, c.id, m.matter_number
"""


def export(
    engine: Engine,
    tmp_path: Path,
    source: str,
    format_name: str,
    *,
    cleared: bool = True,
    **limits: int,
) -> tuple[bytes, ExportResult]:
    planned = plan_export(
        Settings(data_dir=tmp_path, batch_size=100, **limits),
        firm=demo_firm(engine),
        source_name=source,
        format_name=format_name,
        params={},
        requested_by="tester",
        include_confidential=cleared,
    )
    path = tmp_path / f"out{planned.file_extension}"
    result = run_export(engine, planned, path)
    return path.read_bytes(), result


def column(engine: Engine, sql: str, cleared: bool = True) -> list[str]:
    with engine.connect() as connection:
        tenant = demo_firm(engine).id
        rows = connection.execute(text(sql), {"tenant": tenant, "cleared": cleared})
        return [str(row[0]) for row in rows]


def line_items(engine: Engine, first: int | None = None, cleared: bool = True) -> list[str]:
    parents = FIRST_INVOICES.format(limit=f"LIMIT {first}" if first else "")
    return column(engine, LINE_ITEMS.format(parents=parents), cleared)


def test_a_capped_csv_holds_the_line_items_of_its_invoices_only(
    demo_engine: Engine, tmp_path: Path
) -> None:
    content, result = export(demo_engine, tmp_path, "invoices", "csv", max_rows_csv=10)

    tables = csv_tables(content)
    invoices = [row[0] for row in tables["invoices"][1:]]
    numbers = "SELECT invoice_number FROM invoice WHERE id IN ({}) ORDER BY issue_date, 1, id"
    assert invoices == column(demo_engine, numbers.format(FIRST_INVOICES.format(limit="LIMIT 10")))
    lines = [row[0] for row in tables["line_items"][1:]]
    expected = line_items(demo_engine, first=10)
    every_line = line_items(demo_engine)
    assert lines == expected and set(lines) <= set(invoices)
    assert len(every_line) > len(expected) > 10  # each invoice keeps all its lines
    assert result.rows_written == {"invoices": 10, "line_items": len(expected)}
    assert result.partial
    invoices_total = result.rows_total
    missing = invoices_total - 10 + len(every_line) - len(expected)
    assert result.warnings == (
        f"Partial export: {missing:,} of {invoices_total + len(every_line):,} rows are not in "
        f"this file (Invoices: {invoices_total - 10} of {invoices_total}; Invoice line items: "
        f"{len(every_line) - len(expected)} of {len(every_line)}): CSV exports hold at most 10 "
        "rows of Invoices, each with its rows in the other tables. Narrow the filters, or "
        "choose Excel, PDF, JSON Lines or Parquet for larger exports.",  # their caps are higher
    )


def test_a_capped_client_list_holds_the_matters_of_its_clients_only(
    demo_engine: Engine, tmp_path: Path
) -> None:
    content, result = export(demo_engine, tmp_path, "clients", "csv", max_rows_csv=3)

    matters = [row[1] for row in csv_tables(content)["client_matters"][1:]]
    expected = column(demo_engine, CLIENT_MATTERS.format(limit="LIMIT 3"))
    assert matters == expected
    assert len(column(demo_engine, CLIENT_MATTERS.format(limit=""))) > len(expected) > 0
    assert result.rows_written["clients"] == 3
    assert result.partial


def test_the_excel_info_sheet_says_what_the_status_says(
    demo_engine: Engine, tmp_path: Path
) -> None:
    content, result = export(demo_engine, tmp_path, "invoices", "excel", max_rows_excel=10)

    sheets = xlsx_sheets(content)
    lines = [row[0] for row in sheets["Invoice line items"][1:] if row[0] != "Total"]
    expected = line_items(demo_engine, first=10)
    assert lines == expected
    info = [(row[0], row[1]) for row in sheets["Export info"] if row and row[0]]
    every_line = len(line_items(demo_engine))
    assert ("Rows: Invoices", f"10 of {result.rows_total}") in info
    assert ("Rows: Invoice line items", f"{len(expected)} of {every_line}") in info
    assert ("Partial", "yes") in info
    assert [value for label, value in info if label == "Warning"] == list(result.warnings)
    assert result.partial and len(result.warnings) == 1


def test_the_pdf_cap_reached_inside_line_items_makes_the_export_partial(
    demo_engine: Engine, tmp_path: Path
) -> None:
    content, result = export(demo_engine, tmp_path, "invoices", "pdf", max_rows_pdf=200)

    invoices = result.rows_total
    every_line = len(line_items(demo_engine))
    shown_lines = 200 - invoices
    assert 0 < shown_lines < every_line
    assert result.rows_written == {"invoices": invoices, "line_items": shown_lines}
    assert result.rows_matched == {"invoices": invoices, "line_items": every_line}
    assert result.partial
    missing = every_line - shown_lines
    warning = (
        f"Partial export: {missing:,} of {invoices + every_line:,} rows are not in this file "
        f"(Invoice line items: {missing:,} of {every_line:,}): PDF exports hold at most 200 rows "
        "in all. Narrow the filters, or choose CSV, Excel, JSON Lines or Parquet for larger "
        "exports."
    )
    assert result.warnings == (warning,)
    document = pdftotext(content)
    words = " ".join(document.split())
    assert warning in words  # the warnings at the end say it
    summary = f"Rows: Invoices {invoices} · Invoice line items {shown_lines} of {every_line}."
    first_page = " ".join(document.split("\f")[0].split())
    assert f"{summary} Partial: yes" in first_page  # and so does the title block


def test_a_pdf_whose_cap_ends_with_the_main_rows_says_the_rest_are_not_shown(
    demo_engine: Engine, tmp_path: Path
) -> None:
    with demo_engine.connect() as connection:
        invoices = int(
            connection.execute(
                text("SELECT count(*) FROM invoice WHERE tenant_id = :t AND NOT is_deleted"),
                {"t": demo_firm(demo_engine).id},
            ).scalar_one()
        )

    content, result = export(demo_engine, tmp_path, "invoices", "pdf", max_rows_pdf=invoices)

    assert result.rows_written == {"invoices": invoices, "line_items": 0}
    assert result.partial
    document = " ".join(pdftotext(content).split())
    assert "Invoice line items Invoice number" in document
    assert "Not shown: row limit reached." in document
    assert "No rows match these filters." not in document


def test_rows_withheld_from_child_tables_are_counted_and_make_the_export_partial(
    demo_engine: Engine, tmp_path: Path
) -> None:
    content, result = export(demo_engine, tmp_path, "invoices", "csv", cleared=False)

    lines = [row[0] for row in csv_tables(content)["line_items"][1:]]
    visible = line_items(demo_engine, cleared=False)
    withheld = len(line_items(demo_engine)) - len(visible)
    assert lines == visible and withheld > 0
    assert result.withheld_rows == withheld
    assert result.partial
    assert result.warnings == (
        f"{withheld:,} rows under confidential matters were withheld: exporting them needs the "
        "matters:confidential permission.",
    )


def test_an_export_within_every_limit_is_whole(demo_engine: Engine, tmp_path: Path) -> None:
    content, result = export(demo_engine, tmp_path, "invoices", "pdf", max_rows_pdf=100_000)

    every_line = len(line_items(demo_engine))
    assert result.rows_written == {"invoices": result.rows_total, "line_items": every_line}
    assert not result.partial and result.warnings == ()
    assert "Partial: no." in " ".join(pdftotext(content).split())


@dataclass
class CuttingWriter:
    """A real CSV writer behind a writer that cannot hold more than `keep` line items."""

    writer: ExportWriter
    keep: int
    given: int = 0

    def open(self, path: Path, info: ExportInfo, tables: Sequence[TableSpec]) -> None:
        self.writer.open(path, info, tables)

    def write_rows(self, table: str, batch: Sequence[Row]) -> None:
        if table == "line_items":
            room = max(self.keep - self.given, 0)
            self.given += len(batch)
            batch = batch[:room]
        if batch:
            self.writer.write_rows(table, batch)

    def close(self, outcome: ExportOutcome) -> WriteSummary:
        summary = self.writer.close(outcome)
        return replace(summary, warnings=("This writer holds at most 100 line items.",))

    def abort(self) -> None:
        self.writer.abort()


def test_rows_a_writer_could_not_hold_are_folded_into_the_result(
    demo_engine: Engine, tmp_path: Path
) -> None:
    planned = plan_export(
        Settings(data_dir=tmp_path, batch_size=100),
        firm=demo_firm(demo_engine),
        source_name="invoices",
        format_name="csv",
        params={},
        requested_by="tester",
        include_confidential=True,
    )
    path = tmp_path / "out.zip"

    result = run_export(
        demo_engine, replace(planned, writer=CuttingWriter(planned.writer, keep=100)), path
    )

    every_line = len(line_items(demo_engine))
    assert len(csv_tables(path.read_bytes())["line_items"]) - 1 == 100
    assert result.rows_written["line_items"] == 100
    assert result.rows_matched["line_items"] == every_line
    assert result.partial
    assert result.warnings == (
        "This writer holds at most 100 line items.",
        f"{every_line - 100:,} of {every_line:,} rows of Invoice line items could not be written "
        "to the CSV file.",
    )
