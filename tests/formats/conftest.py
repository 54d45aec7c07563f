"""Keyword-only factories for writer tests: tables, export info, rows, and a full write."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from smarter_export.formats.base import ExportWriter
from smarter_export.tabular import (
    ColumnKind,
    ExportColumn,
    ExportInfo,
    ExportOutcome,
    Row,
    TableSpec,
    WriteSummary,
)

K = ColumnKind
HOSTILE = '=HYPERLINK("http://x","y")'


def make_column(
    *,
    name: str = "name",
    label: str | None = None,
    kind: ColumnKind = ColumnKind.TEXT,
    width: float = 14.0,
    total: bool = False,
    excel_format: str | None = None,
    grouped: bool = True,
    whole: bool = False,
) -> ExportColumn:
    return ExportColumn(
        name=name,
        label=label or name.capitalize(),
        kind=kind,
        width=width,
        total=total,
        excel_format=excel_format,
        grouped=grouped,
        whole=whole,
    )


def make_table(
    *,
    name: str = "time_entries",
    title: str = "Time entries",
    columns: Sequence[ExportColumn] | None = None,
) -> TableSpec:
    return TableSpec(name=name, title=title, columns=tuple(columns or time_entry_columns()))


def make_info(
    *,
    title: str = "Time entries",
    source: str = "time_entries",
    firm_name: str = "Smith & Ørsted LLP",
    generated_at: datetime = datetime(2024, 5, 1, 18, 3, 5, tzinfo=UTC),
    generated_by: str = "zoe@smith-orsted.example",
    currency: str = "USD",
    timezone: str = "America/New_York",
    filters: tuple[tuple[str, str], ...] = (("Date from", "2024-01-01"), ("Status", "approved")),
    notes: tuple[str, ...] = (),
) -> ExportInfo:
    return ExportInfo(
        title=title,
        source=source,
        firm_name=firm_name,
        generated_at=generated_at,
        generated_by=generated_by,
        currency=currency,
        timezone=timezone,
        filters=filters,
        notes=notes,
    )


def time_entry_columns() -> list[ExportColumn]:
    """The 13 default columns of the time entries source."""
    return [
        make_column(name="date", label="Date", kind=K.DATE, width=11),
        make_column(name="timekeeper", label="Timekeeper", kind=K.TEXT, width=22),
        make_column(name="client", label="Client", kind=K.TEXT, width=28),
        make_column(name="matterNumber", label="Matter number", kind=K.ID, width=14),
        make_column(name="matter", label="Matter", kind=K.TEXT, width=30),
        make_column(name="activityCode", label="Activity code", kind=K.ID, width=9),
        make_column(name="description", label="Description", kind=K.TEXT, width=40),
        make_column(name="hours", label="Hours", kind=K.DECIMAL, width=8, total=True),
        make_column(name="rate", label="Rate", kind=K.MONEY, width=10),
        make_column(name="amount", label="Amount", kind=K.MONEY, width=12, total=True),
        make_column(name="billableStatus", label="Billable status", kind=K.ID, width=12),
        make_column(name="status", label="Status", kind=K.ID, width=10),
        make_column(name="invoiceNumber", label="Invoice number", kind=K.ID, width=14),
    ]


TIMEKEEPERS = ("Zoë Müller-Ørsted", "山田太郎", "John O'Brien", "Ana García")


def time_entry_rows(count: int, *, start: int = 0) -> Iterator[Row]:
    """Rows of the 13 default columns, made lazily so that a large count costs no memory."""
    first_day = date(2024, 1, 1)
    for number in range(start, start + count):
        minutes = 6 * (1 + number % 40)
        rate = Decimal("425.00") if number % 2 else Decimal("650.50")
        yield (
            first_day + timedelta(days=number % 366),
            TIMEKEEPERS[number % len(TIMEKEEPERS)],
            "Acme Holdings, Inc.",
            f"{number % 10_000:07d}",
            "Acme v. Globex",
            "L110",
            "Review and revise draft purchase agreement; call with client re: indemnity caps",
            (Decimal(minutes) / 60).quantize(Decimal("0.01")),
            rate,
            (rate * minutes / 60).quantize(Decimal("0.01")),
            "billable",
            "approved",
            None if number % 3 else f"INV-{number:06d}",
        )


def column_total(rows: Iterable[Row], index: int) -> Decimal:
    total = Decimal(0)
    for row in rows:
        value = row[index]
        if value is not None:
            assert isinstance(value, Decimal | int)
            total += value
    return total


def batches(rows: Iterable[Row], size: int = 1_000) -> Iterator[list[Row]]:
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def write_export(
    writer: ExportWriter,
    path: Path,
    *,
    tables: Sequence[TableSpec],
    rows: Mapping[str, Iterable[Row]],
    info: ExportInfo | None = None,
    partial: bool = False,
    warnings: tuple[str, ...] = (),
    matched: dict[str, int] | None = None,
    batch_size: int = 1_000,
) -> WriteSummary:
    """Open, feed every table's rows in order in batches, close: what the engine does."""
    writer.open(path, info or make_info(), tables)
    counts: dict[str, int] = {}
    for table in tables:
        counts[table.name] = 0
        for batch in batches(rows.get(table.name, ()), batch_size):
            writer.write_rows(table.name, batch)
            counts[table.name] += len(batch)
    outcome = ExportOutcome(counts, partial=partial, warnings=warnings, rows_matched=matched or {})
    return writer.close(outcome)
