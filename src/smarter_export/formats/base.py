"""The writer protocol every format implements.

A writer is opened once with the tables it will receive, is fed batches of typed rows table by
table (all rows of the first table, then all of the next), and is closed with the outcome. It
writes only to the path it was given; publishing the file is someone else's job. Writers know
nothing of SQL, HTTP or jobs.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar, Protocol

from smarter_export.tabular import ExportInfo, ExportOutcome, Row, TableSpec, WriteSummary


class ExportWriter(Protocol):
    format_name: ClassVar[str]  # "csv", "excel", "pdf"

    def file_extension(self, tables: Sequence[TableSpec]) -> str:
        """ ".csv", ".xlsx", ".pdf"; CSV gives ".zip" when there is more than one table."""
        ...

    def content_type(self, tables: Sequence[TableSpec]) -> str: ...

    def open(self, path: Path, info: ExportInfo, tables: Sequence[TableSpec]) -> None: ...

    def write_rows(self, table: str, batch: Sequence[Row]) -> None: ...

    def close(self, outcome: ExportOutcome) -> WriteSummary: ...

    def abort(self) -> None:
        """Release files and memory after a failure; deleting the partial file is the caller's."""
        ...
