"""An analytics export of the demo firm shows the same figures as CSV, Excel and PDF.

Each file is read back by an independent reader (csv, openpyxl, pypdf) and compared with the
CSV's figures; the metric's definition and period are on the info sheet and the title block.
"""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import openpyxl
from sqlalchemy import Engine

from tests.jobs.demo_exports import export_demo
from tests.readers import csv_tables, pdf_pages, xlsx_sheets

PARAMS = {"metric": "collection", "dateFrom": "2024-01-01", "dateTo": "2025-06-30"}


def export(engine: Engine, tmp_path: Path, format_name: str) -> bytes:
    _, path = export_demo(
        engine, tmp_path, source="analytics", format_name=format_name, params=PARAMS
    )
    return path.read_bytes()


def test_collection_reads_the_same_in_csv_excel_and_pdf(
    demo_engine: Engine, tmp_path: Path
) -> None:
    header, *rows = csv_tables(export(demo_engine, tmp_path, "csv"))["main"]
    assert header == ["Client", "Collected", "Invoiced", "Collection"]
    assert len(rows) > 3 and rows[-1][0] == "Total (firm)"
    figures = [(row[0], Decimal(row[1]), Decimal(row[2]), Decimal(row[3])) for row in rows]
    # The total row adds up the rows above it.
    assert sum(f[1] for f in figures[:-1]) == figures[-1][1]
    assert sum(f[2] for f in figures[:-1]) == figures[-1][2]

    workbook = export(demo_engine, tmp_path, "excel")
    ratio_cell = openpyxl.load_workbook(io.BytesIO(workbook))["Collection"]["D2"]
    assert ratio_cell.number_format == "0.0%"  # a percentage in Excel, the plain ratio in CSV
    sheets = xlsx_sheets(workbook)
    info = dict(row[:2] for row in sheets["Export info"] if row and row[0])
    assert info["Collection by client"] is None  # the title, alone on its row
    assert str(info["Note 1"]).startswith("Collection = amount collected / amount invoiced")
    assert info["Note 2"] == "Period: 2024-01-01 to 2025-06-30 (547 days)."
    assert list(sheets) == ["Collection", "Export info"]  # the metric's sheet opens first
    data = sheets["Collection"]
    assert data[0] == ("Client", "Collected", "Invoiced", "Collection")
    excel = [
        (str(name), round(Decimal(a), 2), round(Decimal(b), 2), round(Decimal(r), 3))
        for name, a, b, r in data[1:]
    ]
    assert [f[1:] for f in excel] == [f[1:] for f in figures]

    text = " ".join(
        " ".join(page.split()) for page in pdf_pages(export(demo_engine, tmp_path, "pdf"))
    )
    assert "Collection by client" in text
    assert "Period: 2024-01-01 to 2025-06-30 (547 days)." in text
    for _, collected, invoiced, ratio in figures:
        assert f"{collected:,.2f} {invoiced:,.2f} {ratio * 100:.1f}%" in text
    assert f"Total (firm) {figures[-1][1]:,.2f}" in text
