"""LEDES over real HTTP through the real worker: `POST /api/v1/export/ledes` for an e-billing
client's invoices, downloaded and checked as the client's system checks it; any other source is
a 400 naming `dataSource`; the formats listing says LEDES is for invoices."""

from __future__ import annotations

import sqlite3
from decimal import Decimal

from tests.api.test_format_options import finished
from tests.formats.ledes_check import Ledger, problems
from tests.live import LiveService


def test_ledes_export_over_http_is_accepted_and_ties_to_the_ledger(
    shared_service: LiveService,
) -> None:
    with sqlite3.connect(shared_service.data_dir / "smarter_export.db") as connection:
        (client,) = connection.execute(
            "SELECT c.id FROM client c JOIN tenant t ON t.id = c.tenant_id "
            "WHERE t.subdomain = 'demo' AND c.utbms_required AND EXISTS (SELECT 1 FROM invoice i "
            "WHERE i.client_id = c.id AND i.discount > 0 AND i.status NOT IN ('draft', 'void')) "
            "ORDER BY c.client_code LIMIT 1"
        ).fetchone()
        books = {
            number: Ledger(*(Decimal(str(v)).quantize(Decimal("0.01")) for v in money))
            for number, *money in connection.execute(
                "SELECT i.invoice_number, i.subtotal, i.discount, i.tax_amount, i.total "
                "FROM invoice i JOIN tenant t ON t.id = i.tenant_id WHERE t.subdomain = 'demo' "
                "AND NOT i.is_deleted AND i.status NOT IN ('draft', 'void') AND i.client_id = ?",
                (client,),
            )
        }
    token = shared_service.token(permissions=("export:*", "matters:confidential"))
    with shared_service.client(token) as api:
        body = {"dataSource": "invoices", "clientId": client, "options": {"version": "1998B"}}
        done, download = finished(shared_service, api, "ledes", body)
        assert done["file"]["name"].endswith(".txt")
        assert done["file"]["contentType"] == "text/plain; charset=utf-8"
        text = download.content.decode("utf-8")
        assert text.startswith("LEDES1998B[]\r\n")
        assert problems(text, books) == []
        assert {line.split("|")[1] for line in text.split("\r\n")[2:] if line} == set(books)

        refused = api.post("/api/v1/export/ledes", json={"dataSource": "matters"})
        assert refused.status_code == 400
        (detail,) = refused.json()["error"]["details"]
        assert detail["field"] == "dataSource" and "invoices only" in detail["message"]

        formats = {f["name"]: f for f in api.get("/api/v1/export/formats").json()["data"]}
        assert formats["ledes"]["sources"] == ["invoices"] and formats["csv"]["sources"] == []
        (version,) = formats["ledes"]["options"]
        assert version["choices"] == ["1998B", "1998BI"] and version["default"] == "1998B"


def test_an_invoice_a_client_would_reject_fails_the_export_saying_why(
    shared_service: LiveService,
) -> None:
    # firm-2 charges VAT, which 1998B cannot carry: the worker fails the export, naming invoices.
    token = shared_service.token(tenant="firm-2", permissions=("export:*", "matters:confidential"))
    with shared_service.client(token) as api:
        answer = api.post("/api/v1/export/ledes", json={"dataSource": "invoices"})
        assert answer.status_code == 202, answer.text
        done = shared_service.wait_for(
            api, answer.json()["data"]["exportId"], ("completed", "failed")
        )
    assert done["status"] == "failed"
    assert done["error"]["code"] == "file_refused"
    assert "export it as 1998BI" in done["error"]["message"]
    assert "invoice INV-" in done["error"]["message"]
    assert done["downloadUrl"] is None
