"""Where a one-file-per-table format puts its bytes: the path itself, or members of a ZIP.

CSV and JSON Lines write one file per table, streamed: a single table is the file at the path
(gzip-compressed when asked), several tables are members of a ZIP at the path (deflated by the
ZIP, so a gzip inside would be compressed twice). Tables come in order, each opened once.
"""

from __future__ import annotations

import gzip
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from smarter_export.tabular import TableSpec

# Level 6 (gzip's own default): nearly the size of 9 at a fraction of its time on export text.
GZIP_LEVEL = 6


def gzip_file(path: Path) -> IO[bytes]:
    """A new gzip file with no name or time inside: the same rows make the same bytes."""
    raw = path.open("wb")
    packed = gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=GZIP_LEVEL, mtime=0)
    # GzipFile closes only a file it opened itself, which it keeps here: so it closes this one.
    packed.myfileobj = raw  # type: ignore[assignment]
    return packed  # type: ignore[return-value]


class TableFiles:
    def __init__(self, path: Path, *, table_count: int, extension: str, gzip: bool) -> None:
        self._path = path
        self._extension = extension  # ".csv"
        self._gzip = gzip and table_count == 1
        self._archive: zipfile.ZipFile | None = None
        if table_count > 1:
            self._archive = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED)
        self._current: IO[bytes] | None = None

    def open(self, table_name: str) -> IO[bytes]:
        """The binary stream of the next table; the previous one must be closed first."""
        assert self._current is None, "close the previous table first"
        if self._archive is not None:
            # force_zip64: the size is unknown while streaming, and a table may pass 2 GiB.
            member = f"{table_name}{self._extension}"
            self._current = self._archive.open(member, "w", force_zip64=True)
        elif self._gzip:
            self._current = gzip_file(self._path)
        else:
            self._current = self._path.open("wb")
        return self._current

    def close_table(self) -> None:
        if self._current is not None:
            self._current.close()
            self._current = None

    def close(self) -> tuple[str, ...]:
        """Finish every file; the names inside the archive, when there is one."""
        self.close_table()
        if self._archive is None:
            return ()
        names = tuple(self._archive.namelist())
        self._archive.close()
        self._archive = None
        return names

    def abort(self) -> None:
        try:
            self.close_table()
        except OSError:
            self._current = None  # the caller deletes the partial file; nothing more to do
        if self._archive is not None:
            self._archive.close()
            self._archive = None


class TableOrder:
    """Tables arrive in the order announced; one skipped by the rows still gets its (empty) file."""

    def __init__(self, tables: Sequence[TableSpec]) -> None:
        if not tables:
            raise ValueError("an export has at least one table")
        self._tables = tuple(tables)
        self._next = 0  # index of the first table not yet started

    def through(self, table: str) -> list[TableSpec]:
        """The tables to start, in order, so that `table` is the current one."""
        for index, spec in enumerate(self._tables):
            if spec.name == table:
                if index < self._next - 1:
                    raise ValueError(f"rows of table {table!r} arrived after a later table")
                return self._take(index)
        raise ValueError(f"table {table!r} was not announced when the writer opened")

    def rest(self) -> list[TableSpec]:
        """The tables not started yet: at close, each still gets its file."""
        return self._take(len(self._tables) - 1)

    def _take(self, last: int) -> list[TableSpec]:
        started = list(self._tables[self._next : last + 1])
        self._next = max(self._next, last + 1)
        return started
