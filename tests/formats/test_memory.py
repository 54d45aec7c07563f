"""Streaming: a writer's peak memory must not grow with the number of rows it writes.

Rows come lazily and are fed in batches, as the engine does; tracemalloc's peak covers the
whole open-write-close cycle. Ten or twenty times the rows may cost at most twice the peak
plus 1 MB: a writer that kept rows (or cells, or strings) would grow with them.
Excel is run at 100,000 rows rather than 200,000 to keep the suite quick (XlsxWriter writes
about 20,000 rows a second, and slower under tracemalloc). Parquet's row groups live in Arrow's
own memory pool, which tracemalloc does not see: its pool's peak is read in a fresh process.
"""

from __future__ import annotations

import subprocess
import sys
import tracemalloc
from collections.abc import Callable
from itertools import cycle, islice
from pathlib import Path

import pytest
from pypdf import PdfReader

from smarter_export.formats.base import ExportWriter
from smarter_export.formats.csv_writer import CsvWriter
from smarter_export.formats.excel import ExcelWriter
from smarter_export.formats.excel_stream import StreamingExcelWriter
from smarter_export.formats.jsonl import JsonLinesOptions, JsonLinesWriter
from smarter_export.formats.parquet import ParquetOptions, ParquetWriter
from smarter_export.formats.pdf import PdfWriter
from smarter_export.formats.pdf_text import register_fallback

from .conftest import make_table, time_entry_rows, write_export

SLACK_BYTES = 1024 * 1024  # keeping even 20 bytes a row would break the bound


# Rows are drawn in turn from a pool made before tracing starts, so that the peak is the
# writer's own and making rows costs neither time nor traced memory.
ROW_POOL = list(time_entry_rows(1_000))


def peak_bytes(writer: ExportWriter, path: Path, rows: int) -> int:
    table = make_table()
    lazy_rows = islice(cycle(ROW_POOL), rows)
    tracemalloc.start()
    try:
        write_export(writer, path, tables=[table], rows={table.name: lazy_rows}, batch_size=5_000)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("make_writer", "suffix", "small", "large"),
    [
        (CsvWriter, ".csv", 10_000, 200_000),
        (ExcelWriter, ".xlsx", 10_000, 100_000),
        (lambda: JsonLinesWriter(JsonLinesOptions()), ".jsonl", 10_000, 200_000),
        (lambda: ParquetWriter(ParquetOptions(rowGroupRows=10_000)), ".parquet", 20_000, 200_000),
        (StreamingExcelWriter, ".xlsx", 10_000, 200_000),
    ],
    ids=["csv", "excel", "jsonl", "parquet", "excel-streamed"],
)
def test_peak_memory_does_not_grow_with_rows(
    tmp_path: Path, make_writer: Callable[[], ExportWriter], suffix: str, small: int, large: int
) -> None:
    small_peak = peak_bytes(make_writer(), tmp_path / f"small{suffix}", small)
    large_peak = peak_bytes(make_writer(), tmp_path / f"large{suffix}", large)

    assert large_peak < 2 * small_peak + SLACK_BYTES, (small_peak, large_peak)


@pytest.mark.slow
def test_pdf_keeps_each_finished_page_deflated(tmp_path: Path) -> None:
    # ReportLab holds every page until the file is saved, so a PDF's memory grows with its
    # pages (the row cap bounds them); a finished page is deflated at once, a few kilobytes,
    # where its operators as text would take some 20 KB.
    # Fonts load once per process, with the first document (the CJK one with the first page
    # that needs it): a first report, not measured, takes that cost out of the comparison.
    register_fallback()
    peak_bytes(PdfWriter(), tmp_path / "first.pdf", 100)
    small, large = tmp_path / "small.pdf", tmp_path / "large.pdf"
    small_peak = peak_bytes(PdfWriter(), small, 2_000)
    large_peak = peak_bytes(PdfWriter(), large, 10_000)

    pages = len(PdfReader(large).pages) - len(PdfReader(small).pages)
    assert pages > 200
    assert (large_peak - small_peak) / pages < 10_000, (small_peak, large_peak, pages)


def arrow_peak_bytes(path: Path, rows: int) -> int:
    """The peak of Arrow's memory pool while a Parquet file of `rows` rows is written."""
    import pyarrow as pa

    writer = ParquetWriter(ParquetOptions(rowGroupRows=10_000))
    table = make_table()
    lazy_rows = islice(cycle(ROW_POOL), rows)
    write_export(writer, path, tables=[table], rows={table.name: lazy_rows}, batch_size=5_000)
    return int(pa.default_memory_pool().max_memory())


@pytest.mark.slow
def test_parquet_holds_one_row_group_in_arrow_memory(tmp_path: Path) -> None:
    def peak_in_fresh_process(rows: int) -> int:
        code = (
            "import sys; from pathlib import Path; from tests.formats.test_memory import "
            "arrow_peak_bytes; print(arrow_peak_bytes(Path(sys.argv[1]), int(sys.argv[2])))"
        )
        path = tmp_path / f"{rows}.parquet"
        done = subprocess.run(
            [sys.executable, "-c", code, str(path), str(rows)],
            cwd=Path(__file__).resolve().parents[2],
            capture_output=True,
            text=True,
            check=True,
        )
        return int(done.stdout)

    small, large = peak_in_fresh_process(20_000), peak_in_fresh_process(200_000)
    assert large < 1.5 * small + SLACK_BYTES, (small, large)
