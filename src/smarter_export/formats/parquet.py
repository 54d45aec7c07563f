"""Parquet: typed columns for a data team's warehouse or notebook; several tables make a ZIP of
one .parquet per table.

Each column's kind decides its Parquet type: money and other decimals are exact decimal128
(a value with more places than its column fails the export loudly, never rounds), dates date32,
timestamps microseconds with the firm's zone, integers int64, booleans, and text as strings
dictionary-encoded in the file (a timekeeper's name or a status repeats on every row). Rows are
gathered into row groups of `rowGroupRows` as they stream, so memory holds one row group at most.
The export info (source, filters, generated at, by whom, warnings) is the file's key-value
metadata, written with the footer once the outcome is known. Text a spreadsheet would run as a
formula is neutralised as in every format, so the values are the CSV's. The pyarrow side is
`parquet_arrow.py`, imported when a Parquet export starts.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import Field

from smarter_export.formats.options import FormatOptions
from smarter_export.formats.table_files import TableOrder
from smarter_export.tabular import ExportInfo, ExportOutcome, Row, TableSpec, WriteSummary

if TYPE_CHECKING:
    from smarter_export.formats.parquet_arrow import ParquetTableFile

EXTENSION = ".parquet"


class ParquetCompression(StrEnum):
    ZSTD = "zstd"
    SNAPPY = "snappy"
    GZIP = "gzip"
    NONE = "none"


class ParquetOptions(FormatOptions):
    compression: ParquetCompression = Field(
        ParquetCompression.ZSTD, description="The codec of the file's column chunks."
    )
    row_group_rows: int = Field(
        100_000,
        ge=1_000,
        le=1_000_000,
        description="Rows per row group: the most rows held in memory while the file is written.",
    )


class ParquetWriter:
    """One .parquet, or a .zip of one .parquet per table when the source has child tables."""

    def __init__(self, options: ParquetOptions) -> None:
        self._options = options
        self._path: Path | None = None
        self._info: ExportInfo | None = None
        self._order: TableOrder | None = None
        self._files: list[ParquetTableFile] = []  # every table's file stays open until the outcome
        self._several = False

    def open(self, path: Path, info: ExportInfo, tables: Sequence[TableSpec]) -> None:
        self._order = TableOrder(tables)
        self._path, self._info = path, info
        self._several = len(tables) > 1
        self._start(self._order.through(tables[0].name))

    def write_rows(self, table: str, batch: Sequence[Row]) -> None:
        assert self._order is not None, "open() first"
        if self._files[-1].table.name != table:
            self._start(self._order.through(table))
        self._files[-1].write(batch)

    def close(self, outcome: ExportOutcome) -> WriteSummary:
        from smarter_export.formats import parquet_arrow

        assert self._order is not None
        assert self._info is not None
        assert self._path is not None
        self._start(self._order.rest())
        for file in self._files:
            file.close(parquet_arrow.export_metadata(self._info, outcome, file.table))
        rows = {file.table.name: file.rows for file in self._files}
        names: tuple[str, ...] = ()
        if self._several:
            names = self._archive()
        return WriteSummary(self._path.stat().st_size, rows, names)

    def abort(self) -> None:
        for file in self._files:
            file.abort()
            if self._several:
                file.path.unlink(missing_ok=True)
        self._files = []

    def _start(self, tables: Sequence[TableSpec]) -> None:
        # Here, not at the top: pyarrow is loaded by the processes that write Parquet only.
        from smarter_export.formats import parquet_arrow

        assert self._path is not None
        assert self._info is not None
        for table in tables:
            # Several tables are written beside the archive and stored in it at the end: a
            # Parquet file is compressed already, and its writer wants a seekable file.
            path = self._path.with_name(f"{self._path.name}.{table.name}{EXTENSION}")
            target = path if self._several else self._path
            self._files.append(
                parquet_arrow.ParquetTableFile(target, table, self._info, self._options)
            )

    def _archive(self) -> tuple[str, ...]:
        assert self._path is not None
        with zipfile.ZipFile(self._path, "w", compression=zipfile.ZIP_STORED) as archive:
            for file in self._files:
                archive.write(file.path, f"{file.table.name}{EXTENSION}")
                file.path.unlink()
            return tuple(archive.namelist())
