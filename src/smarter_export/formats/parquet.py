"""Parquet: typed columns for a data team's warehouse or notebook; several tables make a ZIP of
one .parquet per table.

Each column's kind decides its Parquet type: money and other decimals are exact decimal128
(a value with more places than its column fails the export loudly, never rounds), dates date32,
timestamps microseconds with the firm's zone, integers int64, booleans, and text as strings
dictionary-encoded in the file (a timekeeper's name or a status repeats on every row). Rows are
gathered into row groups of `rowGroupRows` as they stream, so memory holds one row group at most.
The export info (source, filters, generated at, by whom, warnings) is the file's key-value
metadata, written with the footer once the outcome is known. Text a spreadsheet would run as a
formula is neutralised as in every format, so the values are the CSV's.
"""

from __future__ import annotations

import contextlib
import json
import re
import zipfile
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from pydantic import Field

from smarter_export.formats.describe import export_zone
from smarter_export.formats.options import FormatOptions
from smarter_export.formats.safety import FORMULA_TRIGGERS
from smarter_export.formats.table_files import TableOrder
from smarter_export.tabular import (
    TEXT_KINDS,
    ColumnKind,
    ExportInfo,
    ExportOutcome,
    Row,
    TableSpec,
    WriteSummary,
)

EXTENSION = ".parquet"
METADATA_PREFIX = "smarter_export."
# Places kept by each decimal kind: money and hours are stored in cents and hundredths; a ratio
# (analytics' percentages) to six places, more than any figure shows.
DECIMAL_PLACES = {ColumnKind.MONEY: 2, ColumnKind.DECIMAL: 2, ColumnKind.PERCENT: 6}


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


def arrow_type(kind: ColumnKind, timezone: str) -> pa.DataType:
    if kind in DECIMAL_PLACES:
        return pa.decimal128(38, DECIMAL_PLACES[kind])
    return {
        ColumnKind.TEXT: pa.string(),
        ColumnKind.ID: pa.string(),
        ColumnKind.INTEGER: pa.int64(),
        ColumnKind.DATE: pa.date32(),
        ColumnKind.DATETIME: pa.timestamp("us", tz=timezone),
        ColumnKind.BOOLEAN: pa.bool_(),
    }[kind]


def arrow_schema(table: TableSpec, info: ExportInfo) -> pa.Schema:
    zone = export_zone(info).key
    return pa.schema(
        [
            pa.field(column.name, arrow_type(column.kind, zone), metadata={"label": column.label})
            for column in table.columns
        ]
    )


# The test neutralise() makes, as one regular expression Arrow runs in C over a whole column.
_TRIGGER = "^[" + re.escape("".join(FORMULA_TRIGGERS)) + "]"


def _neutralised(text: pa.Array) -> pa.Array:
    """A text column with each value a spreadsheet would run as a formula given a leading "'",
    as neutralise() gives it; null stays null."""
    hits = pc.match_substring_regex(text, _TRIGGER)
    if not pc.any(hits).as_py():
        return text
    return pc.if_else(hits, pc.binary_join_element_wise("'", text, ""), text)


class _TableFile:
    """One table's Parquet file: its writer and the rows waiting to become a row group."""

    def __init__(self, path: Path, table: TableSpec, info: ExportInfo, options: ParquetOptions):
        self.path = path
        self.table = table
        self.rows = 0
        self._schema = arrow_schema(table, info)
        self._text = [column.kind in TEXT_KINDS for column in table.columns]
        self._group_rows = options.row_group_rows
        self._pending: list[pa.RecordBatch] = []
        self._pending_rows = 0
        codec = options.compression.value
        self._writer = pq.ParquetWriter(
            path,
            self._schema,
            compression=codec,
            use_dictionary=[
                c.name for c in table.columns if c.kind in (ColumnKind.TEXT, ColumnKind.ID)
            ],
        )

    def write(self, batch: Sequence[Row]) -> None:
        if not batch:
            return
        columns = list(zip(*batch, strict=True))
        arrays = [
            pa.array(values, type=field.type)
            for values, field in zip(columns, self._schema, strict=True)
        ]
        arrays = [
            _neutralised(array) if text else array
            for array, text in zip(arrays, self._text, strict=True)
        ]
        self._pending.append(pa.RecordBatch.from_arrays(arrays, schema=self._schema))
        self._pending_rows += len(batch)
        self.rows += len(batch)
        if self._pending_rows >= self._group_rows:
            self._flush()

    def close(self, metadata: dict[str, str]) -> None:
        self._flush()
        self._writer.add_key_value_metadata(metadata)
        self._writer.close()

    def abort(self) -> None:
        self._pending = []
        self._writer.close()

    def _flush(self) -> None:
        if self._pending:
            table = pa.Table.from_batches(self._pending, schema=self._schema)
            self._writer.write_table(table, row_group_size=self._group_rows)
            self._pending, self._pending_rows = [], 0


def export_metadata(info: ExportInfo, outcome: ExportOutcome, table: TableSpec) -> dict[str, str]:
    """What the file says about itself, as key-value metadata (JSON where a value is a list)."""
    fields = {
        "title": info.title,
        "source": info.source,
        "table": table.name,
        "firm": info.firm_name,
        "generated_at": info.generated_at.isoformat(),
        "generated_by": info.generated_by,
        "timezone": info.timezone,
        "currency": info.currency,
        "filters": json.dumps(dict(info.filters), ensure_ascii=False),
        "notes": json.dumps(list(info.notes), ensure_ascii=False),
        "partial": "true" if outcome.partial else "false",
        "warnings": json.dumps(list(outcome.warnings), ensure_ascii=False),
    }
    return {METADATA_PREFIX + key: value for key, value in fields.items()}


class ParquetWriter:
    """One .parquet, or a .zip of one .parquet per table when the source has child tables."""

    def __init__(self, options: ParquetOptions) -> None:
        self._options = options
        self._path: Path | None = None
        self._info: ExportInfo | None = None
        self._order: TableOrder | None = None
        self._files: list[_TableFile] = []  # every table's file stays open until the outcome
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
        assert self._order is not None
        assert self._info is not None
        assert self._path is not None
        self._start(self._order.rest())
        for file in self._files:
            file.close(export_metadata(self._info, outcome, file.table))
        rows = {file.table.name: file.rows for file in self._files}
        names: tuple[str, ...] = ()
        if self._several:
            names = self._archive()
        return WriteSummary(self._path.stat().st_size, rows, names)

    def abort(self) -> None:
        for file in self._files:
            # The file is being thrown away: its close failing changes nothing.
            with contextlib.suppress(OSError, pa.ArrowException):
                file.abort()
            if self._several:
                file.path.unlink(missing_ok=True)
        self._files = []

    def _start(self, tables: Sequence[TableSpec]) -> None:
        assert self._path is not None
        assert self._info is not None
        for table in tables:
            # Several tables are written beside the archive and stored in it at the end: a
            # Parquet file is compressed already, and its writer wants a seekable file.
            path = self._path.with_name(f"{self._path.name}.{table.name}{EXTENSION}")
            target = path if self._several else self._path
            self._files.append(_TableFile(target, table, self._info, self._options))

    def _archive(self) -> tuple[str, ...]:
        assert self._path is not None
        with zipfile.ZipFile(self._path, "w", compression=zipfile.ZIP_STORED) as archive:
            for file in self._files:
                archive.write(file.path, f"{file.table.name}{EXTENSION}")
                file.path.unlink()
            return tuple(archive.namelist())
