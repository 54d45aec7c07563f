"""The formats the service can write, by name: the one place a format name becomes a writer.

Adding a format is one writer module and one line here; nothing else switches on the name.
"""

from __future__ import annotations

from collections.abc import Callable

from smarter_export.errors import ValidationFailed
from smarter_export.formats.base import ExportWriter
from smarter_export.formats.csv_writer import CsvWriter
from smarter_export.formats.excel import ExcelWriter
from smarter_export.formats.excel_stream import StreamingExcelWriter
from smarter_export.formats.pdf import PdfWriter
from smarter_export.settings import Settings

WRITERS: dict[str, Callable[[Settings], ExportWriter]] = {
    "csv": lambda settings: CsvWriter(byte_order_mark=settings.csv_byte_order_mark),
    "excel": lambda settings: StreamingExcelWriter(rows_per_sheet=settings.excel_rows_per_sheet),
    "pdf": lambda settings: PdfWriter(
        max_rows=settings.max_rows_pdf,
        confidentiality_notice=settings.pdf_confidentiality_notice,
    ),
}

# Aggregates (analytics) are small and may carry charts: their workbooks keep XlsxWriter, the
# reference that the streamed writer of record exports is held to.
AGGREGATE_WRITERS: dict[str, Callable[[Settings], ExportWriter]] = {
    "excel": lambda settings: ExcelWriter(rows_per_sheet=settings.excel_rows_per_sheet),
}

# Names the platform's callers use for a format we know under another name.
FORMAT_ALIASES = {"xlsx": "excel"}


def format_names() -> tuple[str, ...]:
    return tuple(WRITERS)


def canonical_format(format_name: str) -> str:
    """ "xlsx" -> "excel"; any case accepted; an unknown name is the caller's error."""
    name = format_name.strip().lower()
    name = FORMAT_ALIASES.get(name, name)
    if name not in WRITERS:
        raise ValidationFailed.one(
            "format", f"unknown format {format_name!r}: must be one of {', '.join(WRITERS)}"
        )
    return name


def make_writer(format_name: str, settings: Settings, *, aggregate: bool = False) -> ExportWriter:
    name = canonical_format(format_name)
    if aggregate and name in AGGREGATE_WRITERS:
        return AGGREGATE_WRITERS[name](settings)
    return WRITERS[name](settings)
