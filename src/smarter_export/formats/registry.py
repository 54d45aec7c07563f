"""The formats the service can write, by name: the one place a format name becomes a format.

Adding a format is one writer module and one registration here; nothing else switches on the
name. Each registration names the `Settings` field of its row cap, so a cap is one setting.
"""

from __future__ import annotations

from smarter_export.errors import ValidationFailed
from smarter_export.formats.base import ZIP, ExportFormat, FileKind, RowCap
from smarter_export.formats.csv_writer import CsvWriter
from smarter_export.formats.excel import ExcelWriter
from smarter_export.formats.excel_stream import StreamingExcelWriter
from smarter_export.formats.pdf import PdfWriter

FORMATS: tuple[ExportFormat, ...] = (
    ExportFormat(
        name="csv",
        title="CSV",
        file=FileKind(".csv", "text/csv; charset=utf-8"),
        several_tables=ZIP,  # one .csv per table
        row_cap_setting="max_rows_csv",
        row_cap_counts=RowCap.MAIN_ROWS,
        make_writer=lambda settings: CsvWriter(byte_order_mark=settings.csv_byte_order_mark),
    ),
    ExportFormat(
        name="excel",
        title="Excel",
        aliases=("xlsx",),
        file=FileKind(".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        row_cap_setting="max_rows_excel",
        row_cap_counts=RowCap.MAIN_ROWS,
        make_writer=lambda settings: StreamingExcelWriter(
            rows_per_sheet=settings.excel_rows_per_sheet
        ),
        # Aggregates (analytics) are small and may carry charts: their workbooks keep
        # XlsxWriter, the reference that the streamed writer of record exports is held to.
        make_aggregate_writer=lambda settings: ExcelWriter(
            rows_per_sheet=settings.excel_rows_per_sheet
        ),
    ),
    ExportFormat(
        name="pdf",
        title="PDF",
        file=FileKind(".pdf", "application/pdf"),
        row_cap_setting="max_rows_pdf",
        row_cap_counts=RowCap.ALL_ROWS,
        make_writer=lambda settings: PdfWriter(
            confidentiality_notice=settings.pdf_confidentiality_notice
        ),
    ),
)

_BY_NAME = {name: f for f in FORMATS for name in (f.name, *f.aliases)}


def format_names() -> tuple[str, ...]:
    return tuple(f.name for f in FORMATS)


def find_format(format_name: str) -> ExportFormat:
    """ "xlsx" -> Excel; any case accepted; an unknown name is the caller's error (a 400)."""
    found = _BY_NAME.get(format_name.strip().lower())
    if found is None:
        raise ValidationFailed.one(
            "format",
            f"unknown format {format_name!r}: must be one of {', '.join(format_names())}",
        )
    return found
