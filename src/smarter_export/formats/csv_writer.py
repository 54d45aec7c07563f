"""CSV: one RFC 4180 file per table, UTF-8 with a byte-order mark; several tables make a ZIP.

The dialect is the caller's (`CsvOptions`): `;`, tab or `|` between fields, a decimal comma in
money, hours and ratios, no byte-order mark, gzip.

This writer runs over millions of rows, so the work per row is kept to what the values need:
`csv.writer` already turns ints, dates (ISO 8601) and most decimals into the right text in C,
so only the columns whose kind needs more (text to neutralise, decimals that could print with
an exponent, timestamps, booleans) are touched, and a table without such columns is handed to
`writerows` as it came.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from smarter_export.formats.base import CellText, EncodedLines, LineDialect
from smarter_export.formats.csv_options import CsvOptions, DecimalSeparator
from smarter_export.formats.describe import export_zone
from smarter_export.formats.options import Compression
from smarter_export.formats.safety import FORMULA_TRIGGERS, neutralise
from smarter_export.formats.table_files import gzip_file
from smarter_export.formats.values import plain_decimal
from smarter_export.tabular import (
    NUMERIC_KINDS,
    TEXT_KINDS,
    ColumnKind,
    ExportColumn,
    ExportInfo,
    ExportOutcome,
    Row,
    TableSpec,
    WriteSummary,
)

Converter = Callable[[Any], str]


def _decimal_comma(value: Decimal) -> str:
    return plain_decimal(value).replace(".", ",")


def _cell_expression(index: int, column: ExportColumn) -> str:
    """Python for one cell of a prepared row, from the value v{index}."""
    value = f"v{index}"
    if column.kind in TEXT_KINDS:
        # The same test neutralise() makes, inline so that the common case costs no call;
        # neutralise() stays the one place that decides.
        return f"(neutralise({value}) if {value} and {value}.startswith(TRIGGERS) else {value})"
    if column.kind in NUMERIC_KINDS and column.kind != ColumnKind.INTEGER:
        return f"(None if {value} is None else plain_decimal({value}))"
    if column.kind == ColumnKind.DATETIME:
        # Shown in the firm's zone, like every other format, with its offset so it stays exact.
        return f"(None if {value} is None else {value}.astimezone(zone).isoformat())"
    if column.kind == ColumnKind.BOOLEAN:
        return f"(None if {value} is None else 'true' if {value} else 'false')"
    return value  # INTEGER and DATE: csv.writer's own str() is already the right text


def _compile_preparer(
    table: TableSpec, info: ExportInfo, decimal_comma: bool
) -> Callable[[Sequence[Row]], Any] | None:
    """A function turning a batch into rows csv.writer writes as they are; None if the rows
    already are. Generated once per table from the column kinds (no value enters the source)."""
    columns = table.columns
    cells = [_cell_expression(index, column) for index, column in enumerate(columns)]
    if cells == [f"v{index}" for index in range(len(columns))]:
        return None
    values = ", ".join(f"v{index}" for index in range(len(columns)))
    source = f"def prepare(batch):\n    return [({', '.join(cells)},) for {values}, in batch]"
    namespace: dict[str, object] = {
        "neutralise": neutralise,
        "TRIGGERS": FORMULA_TRIGGERS,
        "plain_decimal": _decimal_comma if decimal_comma else plain_decimal,
        "zone": export_zone(info),
    }
    exec(compile(source, "<csv rows>", "exec"), namespace)  # noqa: S102
    prepare = namespace["prepare"]
    assert callable(prepare)
    return prepare


class _TableFile:
    """One CSV file being written: its csv.writer and how its rows are prepared."""

    def __init__(
        self,
        stream: io.TextIOWrapper,
        table: TableSpec,
        info: ExportInfo,
        options: CsvOptions,
        *,
        bytes_beneath: bool,
    ) -> None:
        """`bytes_beneath`: lines' bytes may be written to the stream's binary file once its
        text is flushed, a flush being only a write there (not for gzip: there a flush ends a
        deflate block, and the file would no longer be the bytes of the same rows)."""
        self.stream = stream
        self._bytes_beneath = bytes_beneath and codecs.lookup(stream.encoding).name == "utf-8"
        self.table = table
        self.rows = 0
        self._writer = csv.writer(
            stream,
            delimiter=options.delimiter.value,
            lineterminator="\r\n",
            quoting=csv.QUOTE_MINIMAL,
        )
        decimal_comma = options.decimal_separator is DecimalSeparator.COMMA
        self._prepare = _compile_preparer(table, info, decimal_comma)
        self._writer.writerow([column.label for column in table.columns])

    def write(self, batch: Sequence[Row]) -> None:
        self.rows += len(batch)
        self._writer.writerows(batch if self._prepare is None else self._prepare(batch))

    def write_lines(self, lines: Sequence[str]) -> None:
        self.rows += len(lines)
        if isinstance(lines, EncodedLines):
            if self._bytes_beneath:
                # Already this file's bytes: the text written so far (a header, a byte-order
                # mark) goes first, then the batch's bytes as they are, no str made per line.
                self.stream.flush()
                self.stream.buffer.write(lines.data)
            else:  # one str for the batch, still none a line
                self.stream.write(lines.data.decode())
            return
        self.stream.write("".join(lines))


class CsvWriter:
    """Writes one .csv, or a .zip of one .csv per table when the source has child tables."""

    def __init__(self, byte_order_mark: bool = True, options: CsvOptions | None = None) -> None:
        """`byte_order_mark` is the server's default; the caller's option, when set, decides."""
        self._options = options or CsvOptions()
        if self._options.byte_order_mark is not None:
            byte_order_mark = self._options.byte_order_mark
        # The BOM is written by hand at the start of each file: the "utf-8-sig" codec would do
        # it too, but through a Python-level encoder called for every row.
        self._byte_order_mark = "\ufeff" if byte_order_mark else ""
        self._gzip = self._options.compression is Compression.GZIP
        self._path: Path | None = None
        self._info: ExportInfo | None = None
        self._tables: list[TableSpec] = []
        self._archive: zipfile.ZipFile | None = None
        self._current: _TableFile | None = None
        self._next_table = 0  # index of the first table not yet started
        self._rows: dict[str, int] = {}

    def open(self, path: Path, info: ExportInfo, tables: Sequence[TableSpec]) -> None:
        if not tables:
            raise ValueError("an export has at least one table")
        self._path, self._info, self._tables = path, info, list(tables)
        self._rows = {table.name: 0 for table in tables}
        if len(tables) > 1:
            self._archive = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED)
        self._start_through(0)

    def write_rows(self, table: str, batch: Sequence[Row]) -> None:
        self._table_file(table).write(batch)

    def _table_file(self, table: str) -> _TableFile:
        if self._current is None or self._current.table.name != table:
            self._start_through(self._index_of(table))
        assert self._current is not None
        return self._current

    def write_lines(self, table: str, lines: Sequence[str]) -> None:
        """Lines the database rendered as this writer would (`LineWriter`), line ends included."""
        self._table_file(table).write_lines(lines)

    def line_dialect(self) -> LineDialect:
        return LineDialect(
            self._options.delimiter.value,
            self._options.decimal_separator is DecimalSeparator.COMMA,
            self._cell_text,
        )

    def _cell_text(self, column: ExportColumn) -> CellText:
        """One value as this writer spells it (unquoted): the same code as its rows, made when
        first asked for (a value's text may need the export's zone, known once open)."""
        decimal_comma = self._options.decimal_separator is DecimalSeparator.COMMA
        cell = TableSpec("cell", "cell", (column,))
        made: list[Callable[[Sequence[Row]], Any] | None] = []

        def text(value: Any) -> str:
            if not made:
                made.append(_compile_preparer(cell, self._require_info(), decimal_comma))
            prepared = value if made[0] is None else made[0](((value,),))[0][0]
            return "" if prepared is None else str(prepared)

        return text

    def close(self, outcome: ExportOutcome) -> WriteSummary:
        # Tables that never received a row still get their header-only file.
        self._start_through(len(self._tables) - 1)
        self._finish_current()
        files: tuple[str, ...] = ()
        if self._archive is not None:
            files = tuple(self._archive.namelist())
            self._archive.close()
            self._archive = None
        assert self._path is not None
        return WriteSummary(self._path.stat().st_size, dict(self._rows), files)

    def abort(self) -> None:
        if self._current is not None:
            self._current.stream.close()
            self._current = None
        if self._archive is not None:
            self._archive.close()
            self._archive = None

    def _index_of(self, table: str) -> int:
        for index, spec in enumerate(self._tables):
            if spec.name == table:
                if index < self._next_table - 1:
                    raise ValueError(f"rows of table {table!r} arrived after a later table")
                return index
        raise ValueError(f"table {table!r} was not announced when the writer opened")

    def _start_through(self, last: int) -> None:
        """Start every table up to `last`, finishing the ones before it (tables come in order)."""
        while self._next_table <= last:
            self._finish_current()
            table = self._tables[self._next_table]
            self._next_table += 1
            self._current = _TableFile(
                self._open_stream(table),
                table,
                self._require_info(),
                self._options,
                bytes_beneath=self._archive is not None or not self._gzip,
            )

    def _open_stream(self, table: TableSpec) -> io.TextIOWrapper:
        if self._archive is None:
            assert self._path is not None
            stream = (
                io.TextIOWrapper(gzip_file(self._path), encoding="utf-8", newline="")
                if self._gzip
                else self._path.open("w", encoding="utf-8", newline="")
            )
            stream.write(self._byte_order_mark)
            return stream
        # force_zip64: the size is unknown while streaming, and a table may pass 2 GiB.
        entry = self._archive.open(f"{table.name}.csv", "w", force_zip64=True)
        member = io.TextIOWrapper(entry, encoding="utf-8", newline="")
        member.write(self._byte_order_mark)
        return member

    def _finish_current(self) -> None:
        if self._current is not None:
            self._rows[self._current.table.name] = self._current.rows
            self._current.stream.close()
            self._current = None

    def _require_info(self) -> ExportInfo:
        assert self._info is not None, "open() first"
        return self._info
