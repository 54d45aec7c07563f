"""An export's file is named for what it holds: the source, the records and period it is narrowed
to, in the firm's zone; safe on every file system; and a caller's fileName still wins."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from smarter_export.domain.tables import client, matter
from smarter_export.domain.tenants import find_firm
from smarter_export.jobs.downloads import download_file_name
from smarter_export.jobs.file_names import export_file_name, period_words, safe_stem
from smarter_export.jobs.periods import period_dates
from smarter_export.jobs.records import ExportJob, JobStatus
from smarter_export.jobs.service import Caller
from tests.jobs.world import World, make_world

TODAY = date(2026, 11, 30)


@pytest.mark.parametrize(
    ("first", "last", "words"),
    [
        (date(2025, 1, 1), date(2025, 12, 31), "2025"),
        (date(2025, 7, 1), date(2025, 9, 30), "2025-Q3"),
        (date(2024, 2, 1), date(2024, 2, 29), "2024-02"),
        (date(2024, 3, 5), date(2024, 3, 5), "2024-03-05"),
        (date(2024, 1, 1), date(2024, 3, 31), "2024-Q1"),
        (date(2024, 2, 1), date(2024, 4, 30), "2024-02-01_to_2024-04-30"),  # three months, no Q
        (date(2024, 1, 1), date(2025, 12, 31), "2024-01-01_to_2025-12-31"),
        (date(2024, 1, 15), date(2024, 2, 14), "2024-01-15_to_2024-02-14"),
        (date(2024, 1, 1), None, "from_2024-01-01"),
        (None, date(2024, 6, 30), "to_2024-06-30"),
        (None, None, ""),
    ],
)
def test_a_named_period_is_said_as_a_person_says_it(
    first: date | None, last: date | None, words: str
) -> None:
    assert period_words(first, last, whole=True) == words


def test_typed_dates_are_said_as_typed() -> None:
    assert period_words(date(2024, 1, 1), date(2024, 3, 31), whole=False) == (
        "2024-01-01_to_2024-03-31"
    )
    assert period_words(date(2024, 3, 5), date(2024, 3, 5), whole=False) == "2024-03-05"


# (the file's name; the export's subject, filters, labels, day made, extension, named period)
EXAMPLES: list[
    tuple[str, tuple[str, ...], tuple[tuple[str, object], ...], dict[str, str], date, str, bool]
] = [
    (
        "time-entries_2024-01-01_to_2024-03-31_billable.xlsx",  # typed dates, as typed
        ("time_entries",),
        (
            ("dateFrom", date(2024, 1, 1)),
            ("dateTo", date(2024, 3, 31)),
            ("billableStatus", "billable"),
        ),
        {},
        TODAY,
        ".xlsx",
        False,
    ),
    (
        "invoices_Acme-Corp_2025-Q3.pdf",  # period: previousQuarter
        ("invoices",),
        (
            ("dateFrom", date(2025, 7, 1)),
            ("dateTo", date(2025, 9, 30)),
            ("clientId", "0a1b"),
            ("asOf", date(2025, 10, 6)),  # left to its default: the day the export was made
        ),
        {"clientId": "Acme Corp."},
        date(2025, 10, 6),
        ".pdf",
        True,
    ),
    (
        "utilization_by-timekeeper_2025.xlsx",  # period: previousYear
        ("utilization", "by-timekeeper"),
        (("dateFrom", date(2025, 1, 1)), ("dateTo", date(2025, 12, 31))),
        {},
        date(2026, 2, 1),
        ".xlsx",
        True,
    ),
    (
        "matters_as-of-2026-11-30_active-only.csv.gz",
        ("matters",),
        (("activeOnly", True),),
        {},
        TODAY,
        ".csv.gz",
        False,
    ),
]


@pytest.mark.parametrize("example", EXAMPLES, ids=[example[0] for example in EXAMPLES])
def test_the_issues_and_the_readmes_examples(example: tuple[Any, ...]) -> None:
    name, subject, filters, labels, made_on, extension, named = example
    made = export_file_name(
        subject, filters, labels=labels, made_on=made_on, extension=extension, named_period=named
    )
    assert made == name
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert f"`{name}`" in readme, "the README's examples are the service's names"


def test_without_a_period_the_name_says_the_day_it_was_made() -> None:
    name = export_file_name(
        ("matters",),
        (("activeOnly", True), ("billingType", "fixed")),
        labels={},
        made_on=TODAY,
        extension=".csv.gz",
    )
    assert name == "matters_as-of-2026-11-30_active-only_fixed.csv.gz"
    as_of = export_file_name(
        ("invoices",),
        (("paymentStatus", "partially_paid"), ("asOf", date(2025, 9, 30))),
        labels={},
        made_on=TODAY,
        extension=".xlsx",
    )
    assert as_of == "invoices_partially-paid_as-of-2025-09-30.xlsx"


def test_names_from_people_are_made_safe_for_every_file_system() -> None:
    hostile = 'Müller & Söhne: "Q1" <draft> / a\\b | c? * \x07'
    name = export_file_name(
        ("invoices",),
        (("clientId", "x"),),
        labels={"clientId": unicodedata.normalize("NFD", hostile)},
        made_on=TODAY,
        extension=".pdf",
    )
    assert name == "invoices_Müller-Söhne-Q1-draft-a-b-c_as-of-2026-11-30.pdf"
    assert unicodedata.is_normalized("NFC", name)
    assert not re.search(r'[<>:"/\\|?*\x00-\x1f]', name)

    long_name = export_file_name(
        ("time_entries",),
        (("clientId", "x"), ("matterId", "y")),
        labels={"clientId": "Ω" * 300, "matterId": "2024-0001 " + "Merger " * 40},
        made_on=TODAY,
        extension=".xlsx",
    )
    stem = long_name.removesuffix(".xlsx")
    assert len(stem) <= 100 and len(long_name.encode()) <= 255
    assert "as-of-2026-11-30" in stem, "a long client name leaves room for the period"


@pytest.mark.parametrize(
    ("given", "safe"),
    [
        ("CON", "CON_"),
        ("nul.tar", "nul.tar_"),
        ("com1", "com1_"),
        ("lpt9 ", "lpt9_"),
        ("Console", "Console"),
        ("report. . .", "report"),
        ("  ..hidden", "hidden"),
        ("a/b\\c:d", "a_b_c_d"),
        ("Q1 (final)", "Q1 (final)"),
        ("e\u0301te\u0301", "\u00e9t\u00e9"),  # NFC: one character for é, as Windows writes it
        ("\U0001f600" * 3, ""),
        ("é" * 150, "é" * 100),
    ],
)
def test_a_stem_is_safe(given: str, safe: str) -> None:
    assert safe_stem(given) == safe


def finished(world: World, format_name: str, body: dict[str, object]) -> ExportJob:
    export_id = world.runtime.service.create_export(world.caller, format_name, body, None).job.id
    world.runner().process(export_id)
    job = world.job(export_id)
    assert job.status is JobStatus.COMPLETED, job.error_message
    assert job.file_name is not None
    return job


def firm_zone(world: World) -> ZoneInfo:
    with world.runtime.engine.connect() as connection:
        return ZoneInfo(find_firm(connection, "demo").timezone)


def test_exports_are_named_for_what_they_hold(world: World) -> None:
    job = finished(
        world,
        "excel",
        {
            "dataSource": "time_entries",
            "dateFrom": "2024-01-01",
            "dateTo": "2024-03-31",
            "billableStatus": "billable",
        },
    )
    # 30 of its entries sit under confidential matters this caller may not see: partial.
    assert job.partial
    expected = "time-entries_2024-01-01_to_2024-03-31_billable_partial.xlsx"
    assert job.file_name == download_file_name(job) == expected

    with world.runtime.engine.connect() as connection:
        firm = find_firm(connection, "demo")
        client_id, client_name = connection.execute(
            select(client.c.id, client.c.name)
            .where(client.c.tenant_id == firm.id)
            .order_by(client.c.name)
            .limit(1)
        ).one()
    job = finished(
        world, "pdf", {"dataSource": "invoices", "clientId": client_id, "period": "previousQuarter"}
    )
    first, _ = period_dates("previousQuarter", at=job.created_at, zone=firm.timezone)
    slug = re.sub(r"[^\w]+|_", "-", client_name).strip("-")
    quarter = f"{first.year}-Q{(first.month - 1) // 3 + 1}"
    assert download_file_name(job) == f"invoices_{slug}_{quarter}.pdf"
    assert client_id not in download_file_name(job), "the client by name, not by id"

    job = finished(
        world,
        "excel",
        {"dataSource": "analytics", "metric": "utilization", "period": "previousYear"},
    )
    first, _ = period_dates("previousYear", at=job.created_at, zone=firm.timezone)
    assert download_file_name(job) == f"utilization_by-timekeeper_{first.year}.xlsx"
    job = finished(
        world,
        "excel",
        {
            "dataSource": "analytics",
            "metric": "ar_aging",
            "groupBy": "firm",
            "dateFrom": "2024-01-01",
            "dateTo": "2024-12-31",
        },
    )
    assert download_file_name(job) == "ar-aging_by-firm_2024-01-01_to_2024-12-31.xlsx"


def test_the_day_is_the_firms_and_a_given_file_name_wins(world: World) -> None:
    job = finished(world, "csv", {"dataSource": "timekeepers"})
    day = job.created_at.astimezone(firm_zone(world)).date()
    assert job.file_name == f"timekeepers_as-of-{day.isoformat()}.csv"

    job = finished(world, "csv", {"dataSource": "timekeepers", "fileName": "Partners (final)"})
    assert download_file_name(job) == "Partners (final).csv"
    job = finished(world, "csv", {"dataSource": "timekeepers", "fileName": "aux"})
    assert download_file_name(job) == "aux_.csv", "a Windows device name is never offered"


def test_a_confidential_matter_is_never_named_in_the_file_name(world: World) -> None:
    """Everyone in the firm sees an export's file name in the list; a confidential matter's
    number and name are for those who may see it, so its id stands in the name instead."""
    principal = world.caller.principal
    partner = Caller(
        replace(principal, permissions=principal.permissions | {"matters:confidential"})
    )
    assert partner.principal.sees_confidential
    with world.runtime.engine.connect() as connection:
        firm = find_firm(connection, "demo")
        matter_id, number, name = connection.execute(
            select(matter.c.id, matter.c.matter_number, matter.c.name)
            .where(matter.c.tenant_id == firm.id, matter.c.is_confidential.is_(True))
            .limit(1)
        ).one()
    body = {"dataSource": "time_entries", "matterId": matter_id}
    export_id = world.runtime.service.create_export(partner, "csv", body, None).job.id
    world.runner().process(export_id)
    job = world.job(export_id)
    assert job.status is JobStatus.COMPLETED and job.rows_processed, job.error_message
    named = download_file_name(job)
    assert matter_id in named
    assert number not in named and re.sub(r"[^\w]+", "-", name).strip("-") not in named


def test_a_partial_file_says_so_in_its_name(small_firm_template: Path, tmp_path: Path) -> None:
    """A CSV has no page to say that rows are missing: its name does, whoever chose it."""
    for world in make_world(small_firm_template, tmp_path, max_rows_csv=3):
        job = finished(world, "csv", {"dataSource": "timekeepers"})
        assert job.partial
        day = job.created_at.astimezone(firm_zone(world)).date()
        assert job.file_name == f"timekeepers_as-of-{day.isoformat()}_partial.csv"
        assert download_file_name(job) == job.file_name
        job = finished(world, "csv", {"dataSource": "timekeepers", "fileName": "Partners v1.2"})
        assert download_file_name(job) == "Partners v1.2_partial.csv"
        job = finished(world, "csv", {"dataSource": "matters", "options": {"compression": "gzip"}})
        assert job.file_name is not None and job.file_name.endswith("_partial.csv.gz")


def test_a_whole_file_is_not_marked(world: World) -> None:
    job = finished(world, "csv", {"dataSource": "timekeepers", "fileName": "Partners v1.2"})
    assert not job.partial
    assert download_file_name(job) == "Partners v1.2.csv"
    assert "partial" not in (job.file_name or "")
