"""What a format is: the writer protocol every format implements, and the format's registration.

A writer is opened once with the tables it will receive, is fed batches of typed rows table by
table (all rows of the first table, then all of the next), and is closed with the outcome. It
writes only to the path it was given; publishing the file is someone else's job. Writers know
nothing of SQL, HTTP or jobs, and they draw every row they are given: how many rows an export
holds is the engine's decision (see `RowCap`), made once for every table.

Everything else about a format (its names, file type, row cap, options, how its writer is made)
is its `ExportFormat` registration, listed in `registry.py`; nothing else switches on a format's
name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar, overload, runtime_checkable

from smarter_export.errors import ValidationFailed
from smarter_export.formats.options import (
    CompressibleOptions,
    Compression,
    FormatOptions,
    parse_options,
)
from smarter_export.settings import Settings
from smarter_export.tabular import (
    ExportColumn,
    ExportInfo,
    ExportOutcome,
    Row,
    TableSpec,
    WriteSummary,
)

if TYPE_CHECKING:
    from smarter_export.sources.base import DataSource


class ExportWriter(Protocol):
    def open(self, path: Path, info: ExportInfo, tables: Sequence[TableSpec]) -> None: ...

    def write_rows(self, table: str, batch: Sequence[Row]) -> None: ...

    def close(self, outcome: ExportOutcome) -> WriteSummary:
        """Finish the file. The summary counts the rows the file holds; a writer that could not
        hold every row it was given says so in the file and in the summary's warnings."""
        ...

    def abort(self) -> None:
        """Release files and memory after a failure; deleting the partial file is the caller's."""
        ...


CellText = Callable[[Any], str]  # one typed value as its field's text, unquoted


@dataclass(frozen=True)
class LineDialect:
    """What a line writer's text looks like, for whoever renders its lines (the database)."""

    delimiter: str
    decimal_comma: bool
    cell_text: Callable[[ExportColumn], CellText]  # the writer's own text of one typed value


class EncodedLines(Sequence[str]):
    """A batch of lines held as one UTF-8 `bytes`, line ends included: the lines a database
    wrote (PostgreSQL's COPY) reach a UTF-8 file with no `str` made per line (CsvWriter writes
    the bytes as they are). Read as a sequence, it is the lines themselves, decoded when first
    asked for. No line holds `line_end` but at its end, so the bytes split back into lines."""

    __slots__ = ("_count", "_decoded", "data", "line_end")

    def __init__(self, data: bytes, count: int, line_end: str) -> None:
        self.data = data
        self.line_end = line_end
        self._count = count
        self._decoded: list[str] | None = None

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        return self._lines()[index]

    def __eq__(self, other: object) -> bool:
        """Equal to any sequence of the same lines (a list of them above all)."""
        if not isinstance(other, Sequence) or isinstance(other, str | bytes):
            return NotImplemented
        return len(other) == self._count and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]  # equal to a list, mutable like one: unhashable

    def _lines(self) -> list[str]:
        if self._decoded is None:
            pieces = self.data.decode().split(self.line_end)
            if pieces.pop() != "" or len(pieces) != self._count:
                raise ValueError("the bytes are not the lines counted, each with its line end")
            self._decoded = [piece + self.line_end for piece in pieces]
        return self._decoded


@runtime_checkable
class LineWriter(ExportWriter, Protocol):
    """A writer that also takes a table's lines ready made: CSV text rendered by the database
    (`jobs/csv_sql.py`). Each line is the exact text the writer would make of its row, line end
    included (a batch may be `EncodedLines`); a table is written either as rows or as lines."""

    def line_dialect(self) -> LineDialect: ...

    def write_lines(self, table: str, lines: Sequence[str]) -> None: ...


@dataclass(frozen=True)
class FileKind:
    extension: str  # ".xlsx"
    content_type: str


ZIP = FileKind(".zip", "application/zip")
# A gzip file is delivered as the bytes stored, with no Content-Encoding: a client (a browser
# above all) would otherwise unpack it on the way, and the file saved would no longer be the one
# whose size and SHA-256 the status gives.
GZIP_CONTENT_TYPE = "application/gzip"

Options = TypeVar("Options", bound=FormatOptions)


class RowCap(StrEnum):
    """What a format's row cap counts."""

    # The main table's rows; each written row keeps all of its child rows (an invoice with all
    # its line items), so a file for machines never holds half a record.
    MAIN_ROWS = "main rows"
    # Every row in the file, main and child alike: a document a person reads has a length.
    ALL_ROWS = "all rows"


@dataclass(frozen=True)
class ExportFormat(Generic[Options]):
    """One format, as the service offers it: everything about it in one place."""

    name: str  # "excel": the URL's and the CLI's name
    title: str  # "Excel": how a person calls it
    file: FileKind
    row_cap_setting: str  # the `Settings` field holding its row cap: "max_rows_excel"
    row_cap_counts: RowCap
    options: type[Options]  # what a caller may choose about the file: `"options": {...}`
    writer: Callable[[Settings, Options], ExportWriter]  # makes one writer per export
    # A generous size of one row in the file, for the free-space check before an export starts.
    bytes_per_row: int
    aliases: tuple[str, ...] = ()  # other names callers use: "xlsx"
    several_tables: FileKind | None = None  # the file when there are child tables, if another
    # The writer of aggregates (analytics), if another: small files that may need what the
    # record writer leaves out.
    aggregate_writer: Callable[[Settings, Options], ExportWriter] | None = None
    # The only sources it writes (empty: every one), and the rows it needs of them, if not the
    # source's own: LEDES is for invoices, seen with their e-billing facts.
    sources: tuple[str, ...] = ()
    view: Callable[[DataSource], DataSource] | None = None
    # False: a file that cannot hold every row matched is refused, never written short. For a
    # file with nowhere to say it is partial (a LEDES file is read by a machine, not a person).
    partial_allowed: bool = True
    # Rows a batch holds at most, if fewer than `Settings.batch_size`: for a writer so slow per
    # row that a smaller batch costs it nothing, while a batch of long rows is megabytes of its
    # peak memory (the rows as read and as typed are both alive while it is written).
    most_rows_per_batch: int | None = None

    def __post_init__(self) -> None:
        # A misnamed cap fails when the format is registered, at import, not in an export.
        field = Settings.model_fields.get(self.row_cap_setting)
        if field is None or field.annotation is not int:
            raise ValueError(
                f"format {self.name!r}: {self.row_cap_setting!r} is not a row cap of Settings"
            )

    def source_for(self, source: DataSource) -> DataSource:
        """The source as this format reads it; a 400 naming `dataSource` if it writes no such."""
        if self.sources and source.name not in self.sources:
            raise ValidationFailed.one(
                "dataSource",
                f"{self.title} files are made of {' or '.join(self.sources)} only, not "
                f"{source.name}",
            )
        return source if self.view is None else self.view(source)

    def parse_options(self, raw: object) -> Options:
        """The request's options for this format; a 400 naming each one that is wrong."""
        return parse_options(self.options, self.name, raw)

    def make_writer(self, settings: Settings, options: Options | None = None) -> ExportWriter:
        return self.writer(settings, self.options() if options is None else options)

    def file_for(
        self, tables: Sequence[TableSpec], options: FormatOptions | None = None
    ) -> FileKind:
        if len(tables) > 1 and self.several_tables is not None:
            # The archive's members are compressed already (deflate, or the format's own).
            return self.several_tables
        if isinstance(options, CompressibleOptions) and options.compression is Compression.GZIP:
            return FileKind(self.file.extension + ".gz", GZIP_CONTENT_TYPE)
        return self.file

    def writer_for(
        self, settings: Settings, options: Options | None = None, *, aggregate: bool
    ) -> ExportWriter:
        if aggregate and self.aggregate_writer is not None:
            return self.aggregate_writer(settings, self.options() if options is None else options)
        return self.make_writer(settings, options)

    def batch_size(self, settings: Settings) -> int:
        if self.most_rows_per_batch is None:
            return settings.batch_size
        return min(settings.batch_size, self.most_rows_per_batch)

    def row_cap(self, settings: Settings) -> int:
        return int(getattr(settings, self.row_cap_setting))
