"""The pyarrow side of the Parquet writer: each column's Arrow type, one table's file written
in row groups, the export info as key-value metadata.

Imported only when a Parquet export runs (see `parquet.py`): pyarrow adds some 50 MB to a
process even as `parquet_import.py` loads it, which every CSV, Excel and PDF export and the API
itself would otherwise carry.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Sequence
from pathlib import Path

from smarter_export.formats.parquet_import import load_pyarrow

load_pyarrow()  # first: pyarrow loaded without what it would pick up by itself (parquet_import)

import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from smarter_export.formats.describe import export_zone  # noqa: E402
from smarter_export.formats.parquet import ParquetOptions  # noqa: E402
from smarter_export.formats.safety import neutralise  # noqa: E402
from smarter_export.tabular import (  # noqa: E402
    TEXT_KINDS,
    ColumnKind,
    ExportInfo,
    ExportOutcome,
    Row,
    TableSpec,
)

METADATA_PREFIX = "smarter_export."
# Places kept by each decimal kind: money and hours are stored in cents and hundredths; a ratio
# (analytics' percentages) to six places, more than any figure shows.
DECIMAL_PLACES = {ColumnKind.MONEY: 2, ColumnKind.DECIMAL: 2, ColumnKind.PERCENT: 6}


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


def _neutralised(texts: Sequence[str | None]) -> list[str | None]:
    """A text column's values, each a spreadsheet would run as a formula given a leading "'" by
    neutralise() itself; null stays null. In Python, not with Arrow's regular expressions:
    `pyarrow.compute` and its first call (which loads numpy and pandas when they are installed)
    cost the process 60 MB, the loop about 0.07 s a million values."""
    return [None if text is None else neutralise(text) for text in texts]


class ParquetTableFile:
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
            pa.array(_neutralised(values) if text else values, type=field.type)
            for values, field, text in zip(columns, self._schema, self._text, strict=True)
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
        # The file is being thrown away: its close failing changes nothing.
        with contextlib.suppress(OSError, pa.ArrowException):
            self._writer.close()

    def _flush(self) -> None:
        if self._pending:
            table = pa.Table.from_batches(self._pending, schema=self._schema)
            self._writer.write_table(table, row_group_size=self._group_rows)
            self._pending, self._pending_rows = [], 0
            pa.default_memory_pool().release_unused()


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
