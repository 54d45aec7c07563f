"""The formats the service can write, by name: the one place a format name becomes a format.

Adding a format is one writer module (its writer and its options model) and one registration
here; nothing else switches on the name. Each registration names the `Settings` field of its row
cap, so a cap is one setting.
"""

from __future__ import annotations

from typing import Any

from smarter_export.errors import ValidationFailed
from smarter_export.formats.base import ZIP, ExportFormat, ExportWriter, FileKind, RowCap
from smarter_export.formats.csv_options import CsvOptions
from smarter_export.formats.csv_writer import CsvWriter
from smarter_export.formats.jsonl import JsonLinesOptions, JsonLinesWriter
from smarter_export.formats.ledes import LedesOptions, LedesWriter
from smarter_export.formats.options import FormatOptions
from smarter_export.formats.parquet import ParquetOptions, ParquetWriter
from smarter_export.settings import Settings
from smarter_export.sources.ledes import LEDES_INVOICES

# The writers on XlsxWriter and ReportLab are imported when one is made: a process that
# writes neither (a CSV export, the API answering polls) does not carry them.


def _streamed_workbook(settings: Settings, _: FormatOptions) -> ExportWriter:
    from smarter_export.formats.excel_stream import StreamingExcelWriter

    return StreamingExcelWriter(rows_per_sheet=settings.excel_rows_per_sheet)


def _xlsxwriter_workbook(settings: Settings, _: FormatOptions) -> ExportWriter:
    from smarter_export.formats.excel import ExcelWriter

    return ExcelWriter(rows_per_sheet=settings.excel_rows_per_sheet)


def _pdf_report(settings: Settings, _: FormatOptions) -> ExportWriter:
    from smarter_export.formats.pdf import PdfWriter

    return PdfWriter(confidentiality_notice=settings.pdf_confidentiality_notice)


FORMATS: tuple[ExportFormat[Any], ...] = (
    ExportFormat(
        name="csv",
        title="CSV",
        file=FileKind(".csv", "text/csv; charset=utf-8"),
        several_tables=ZIP,  # one .csv per table
        row_cap_setting="max_rows_csv",
        bytes_per_row=300,  # measured: 188 a time entry (descriptions are long)
        row_cap_counts=RowCap.MAIN_ROWS,
        options=CsvOptions,
        writer=lambda settings, options: CsvWriter(
            byte_order_mark=settings.csv_byte_order_mark, options=options
        ),
    ),
    ExportFormat(
        name="excel",
        title="Excel",
        aliases=("xlsx",),
        file=FileKind(".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        row_cap_setting="max_rows_excel",
        bytes_per_row=150,  # measured: 68 a time entry, zipped
        row_cap_counts=RowCap.MAIN_ROWS,
        options=FormatOptions,
        writer=_streamed_workbook,
        # Aggregates (analytics) are small and may carry charts: their workbooks keep
        # XlsxWriter, the reference that the streamed writer of record exports is held to.
        aggregate_writer=_xlsxwriter_workbook,
    ),
    ExportFormat(
        name="pdf",
        title="PDF",
        file=FileKind(".pdf", "application/pdf"),
        row_cap_setting="max_rows_pdf",
        bytes_per_row=250,  # measured: 122 a time entry
        row_cap_counts=RowCap.ALL_ROWS,
        options=FormatOptions,
        writer=_pdf_report,
        # It draws some 15,000 rows a second: a batch of 1,000 is a fifteenth of a second of
        # it, and 5,000 long time entries held twice were 8 MB of its peak (README, Benchmarks).
        most_rows_per_batch=1_000,
    ),
    ExportFormat(
        name="jsonl",
        title="JSON Lines",
        aliases=("ndjson",),
        file=FileKind(".jsonl", "application/jsonl"),
        several_tables=ZIP,  # one .jsonl per table
        row_cap_setting="max_rows_jsonl",
        bytes_per_row=600,  # a CSV row's width plus every column's key, uncompressed
        row_cap_counts=RowCap.MAIN_ROWS,
        options=JsonLinesOptions,
        writer=lambda _, options: JsonLinesWriter(options),
    ),
    ExportFormat(
        name="parquet",
        title="Parquet",
        file=FileKind(".parquet", "application/vnd.apache.parquet"),
        several_tables=ZIP,  # one .parquet per table
        row_cap_setting="max_rows_parquet",
        bytes_per_row=150,  # columnar and zstd: smaller than the zipped workbook's row
        row_cap_counts=RowCap.MAIN_ROWS,
        options=ParquetOptions,
        writer=lambda _, options: ParquetWriter(options),
        # Its rows wait in Arrow for their row group, but each batch is Python objects first
        # (the cursor's, the typed rows, their columns): 1,000 rows a batch instead of 5,000
        # took the 1M-row peak from 180 to 169 MiB, and the time from 10.6 to 10.1 s
        # (README, Benchmarks). The file is the same.
        most_rows_per_batch=1_000,
    ),
    ExportFormat(
        name="ledes",
        title="LEDES",
        file=FileKind(".txt", "text/plain; charset=utf-8"),
        row_cap_setting="max_rows_ledes",
        bytes_per_row=600,  # measured: 230 (1998B) and 400 (1998BI) a row, each line its head
        row_cap_counts=RowCap.MAIN_ROWS,  # invoices, each with all its lines
        options=LedesOptions,
        writer=lambda _, options: LedesWriter(options),
        sources=("invoices",),
        view=lambda _: LEDES_INVOICES,
        partial_allowed=False,
    ),
)

_BY_NAME = {name: f for f in FORMATS for name in (f.name, *f.aliases)}


def format_names() -> tuple[str, ...]:
    return tuple(f.name for f in FORMATS)


def accepted_format_names() -> tuple[str, ...]:
    """Every name a request may give a format by: each one's name, then its aliases."""
    return tuple(_BY_NAME)


def find_format(format_name: str) -> ExportFormat[Any]:
    """ "xlsx" -> Excel; any case accepted; an unknown name is the caller's error (a 400)."""
    found = _BY_NAME.get(format_name.strip().lower())
    if found is None:
        raise ValidationFailed.one(
            "format",
            f"unknown format {format_name!r}: must be one of {', '.join(format_names())}",
        )
    return found
