"""JSON Lines: one JSON object per record, keyed by the columns' API names; several tables make
a ZIP of one .jsonl per table.

Money and every other decimal is a JSON *string* of its exact digits ("1234.50"): a JSON number
would be exact in our file but become a binary float in most readers (JavaScript, jq, pandas),
and a cent lost there is still lost. Integers and booleans are JSON numbers and booleans, dates
are "2026-03-31", timestamps ISO 8601 with their offset in the firm's zone (as in CSV), an empty
value is null. Text that a spreadsheet would run as a formula is neutralised as in every format,
so the values are the CSV's.

Child records (an invoice's line items) are their own file, each line carrying its parent's key
as the CSV's child table does: nesting them in the parent's object would hold every parent back
until its children arrive, and the engine streams a table's rows before the next table's.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from smarter_export.formats.describe import export_zone
from smarter_export.formats.options import CompressibleOptions, Compression
from smarter_export.formats.safety import FORMULA_TRIGGERS, neutralise
from smarter_export.formats.table_files import TableFiles, TableOrder
from smarter_export.formats.values import plain_decimal
from smarter_export.tabular import (
    NUMERIC_KINDS,
    TEXT_KINDS,
    ColumnKind,
    ExportInfo,
    ExportOutcome,
    Row,
    TableSpec,
    WriteSummary,
)

EXTENSION = ".jsonl"
ColumnConverter = Callable[[Sequence[Any]], list[Any]]


class JsonLinesOptions(CompressibleOptions):
    """JSON Lines may be delivered gzip-compressed."""


def _neutralised(values: Sequence[Any]) -> list[Any]:
    # The same test neutralise() makes, inline so that the common case costs no call;
    # neutralise() stays the one place that decides.
    return [neutralise(v) if v and v.startswith(FORMULA_TRIGGERS) else v for v in values]


def _column_converters(table: TableSpec, info: ExportInfo) -> list[ColumnConverter | None]:
    """How each column's values become JSON, a whole column at a time; None where json.dumps
    already writes them right. A column at a time keeps the per-value work to one expression."""
    zone = export_zone(info)

    def timestamps(values: Sequence[Any]) -> list[Any]:
        return [None if v is None else v.astimezone(zone).isoformat() for v in values]

    def days(values: Sequence[Any]) -> list[Any]:
        return [None if v is None else v.isoformat() for v in values]

    def decimals(values: Sequence[Any]) -> list[Any]:
        return [None if v is None else plain_decimal(v) for v in values]

    converters: list[ColumnConverter | None] = []
    for column in table.columns:
        if column.kind in TEXT_KINDS:
            converters.append(_neutralised)
        elif column.kind in NUMERIC_KINDS and column.kind != ColumnKind.INTEGER:
            converters.append(decimals)
        elif column.kind == ColumnKind.DATETIME:
            converters.append(timestamps)
        elif column.kind == ColumnKind.DATE:
            converters.append(days)
        else:  # INTEGER, BOOLEAN
            converters.append(None)
    return converters


class _TableLines:
    def __init__(self, stream: Any, table: TableSpec, info: ExportInfo) -> None:
        self.stream = stream
        self.table = table
        self.rows = 0
        self._keys = [column.name for column in table.columns]
        self._converters = _column_converters(table, info)
        self._encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

    def write(self, batch: Sequence[Row]) -> None:
        if not batch:
            return
        keys, encode = self._keys, self._encode
        columns = [
            values if convert is None else convert(values)
            for convert, values in zip(self._converters, zip(*batch, strict=True), strict=True)
        ]
        lines = [encode(dict(zip(keys, row, strict=True))) for row in zip(*columns, strict=True)]
        self.stream.write(("\n".join(lines) + "\n").encode("utf-8"))
        self.rows += len(batch)


class JsonLinesWriter:
    def __init__(self, options: JsonLinesOptions) -> None:
        self._gzip = options.compression is Compression.GZIP
        self._files: TableFiles | None = None
        self._order: TableOrder | None = None
        self._info: ExportInfo | None = None
        self._current: _TableLines | None = None
        self._rows: dict[str, int] = {}
        self._path: Path | None = None

    def open(self, path: Path, info: ExportInfo, tables: Sequence[TableSpec]) -> None:
        self._order = TableOrder(tables)
        self._path, self._info = path, info
        self._rows = {table.name: 0 for table in tables}
        self._files = TableFiles(
            path, table_count=len(tables), extension=EXTENSION, gzip=self._gzip
        )
        self._start(self._order.through(tables[0].name))

    def write_rows(self, table: str, batch: Sequence[Row]) -> None:
        assert self._order is not None, "open() first"
        if self._current is None or self._current.table.name != table:
            self._start(self._order.through(table))
        assert self._current is not None
        self._current.write(batch)

    def close(self, outcome: ExportOutcome) -> WriteSummary:
        assert self._order is not None
        assert self._files is not None
        assert self._path is not None
        self._start(self._order.rest())  # tables without rows still get their (empty) file
        self._finish_current()
        files = self._files.close()
        return WriteSummary(self._path.stat().st_size, dict(self._rows), files)

    def abort(self) -> None:
        if self._files is not None:
            self._files.abort()
        self._current = None

    def _start(self, tables: Sequence[TableSpec]) -> None:
        assert self._files is not None
        assert self._info is not None
        for table in tables:
            self._finish_current()
            self._current = _TableLines(self._files.open(table.name), table, self._info)

    def _finish_current(self) -> None:
        if self._current is not None and self._files is not None:
            self._rows[self._current.table.name] = self._current.rows
            self._files.close_table()
            self._current = None
