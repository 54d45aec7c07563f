"""Streaming: a writer's peak memory must not grow with the number of rows it writes.

Rows come lazily and are fed in batches, as the engine does; tracemalloc's peak covers the
whole open-write-close cycle. Ten or twenty times the rows may cost at most twice the peak
plus 1 MB: a writer that kept rows (or cells, or strings) would grow with them.
Excel is run at 100,000 rows rather than 200,000 to keep the suite quick (XlsxWriter writes
about 20,000 rows a second, and slower under tracemalloc).
"""

from __future__ import annotations

import tracemalloc
from itertools import cycle, islice
from pathlib import Path

import pytest

from smarter_export.formats.base import ExportWriter
from smarter_export.formats.csv_writer import CsvWriter
from smarter_export.formats.excel import ExcelWriter
from smarter_export.formats.excel_stream import StreamingExcelWriter

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
        (StreamingExcelWriter, ".xlsx", 10_000, 200_000),
    ],
    ids=["csv", "excel", "excel-streamed"],
)
def test_peak_memory_does_not_grow_with_rows(
    tmp_path: Path, make_writer: type[ExportWriter], suffix: str, small: int, large: int
) -> None:
    small_peak = peak_bytes(make_writer(), tmp_path / f"small{suffix}", small)
    large_peak = peak_bytes(make_writer(), tmp_path / f"large{suffix}", large)

    assert large_peak < 2 * small_peak + SLACK_BYTES, (small_peak, large_peak)
