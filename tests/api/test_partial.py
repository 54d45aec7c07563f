"""A capped export over real HTTP: the status, the PDF and the Excel info sheet say one thing.

A real API with its worker on the demo firm, the caps set low through the environment; the
files are read back by poppler's pdftotext and openpyxl.
"""

from __future__ import annotations

from typing import Any

import httpx

from tests.live import LiveService
from tests.readers import pdftotext, xlsx_sheets


def test_a_capped_export_says_the_same_in_its_status_and_its_file(live: Any) -> None:
    service: LiveService = live(
        "capped", SMARTER_EXPORT_MAX_ROWS_PDF="200", SMARTER_EXPORT_MAX_ROWS_EXCEL="10"
    )
    service.start_api()
    cleared = service.token(permissions=("export:*", "matters:confidential"))
    body = {"dataSource": "invoices"}
    with service.client(cleared) as client:
        made = {
            format_name: client.post(f"/api/v1/export/{format_name}", json=body).json()["data"][
                "exportId"
            ]
            for format_name in ("pdf", "excel")
        }
        done = {
            format_name: service.wait_for(client, export_id, ("completed",))
            for format_name, export_id in made.items()
        }

    pdf, excel = done["pdf"], done["excel"]
    # 200 rows in all: every invoice, then line items until the cap.
    assert pdf["partial"] is True
    (warning,) = pdf["warnings"]  # type: ignore[misc]
    assert warning.startswith("Partial export: ") and "Invoice line items: " in warning
    assert "PDF exports hold at most 200 rows in all." in warning
    document = " ".join(pdftotext(httpx.get(str(pdf["downloadUrl"])).content).split())
    assert warning in document
    assert "Partial: yes, see the warnings at the end." in document

    assert excel["partial"] is True
    sheets = xlsx_sheets(httpx.get(str(excel["downloadUrl"])).content)
    info = [(row[0], row[1]) for row in sheets["Export info"] if row and row[0]]
    assert [value for label, value in info if label == "Warning"] == excel["warnings"]
    assert ("Partial", "yes") in info
    total = int(excel["progress"]["rowsTotal"])  # type: ignore[index]
    assert ("Rows: Invoices", f"10 of {total}") in info
    assert len(sheets["Invoices"]) == 1 + 10 + 1  # header, the first ten, totals
