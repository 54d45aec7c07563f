"""The export engine: rows stream from a source's query, batch by batch, into a format's writer.

Called as is by the one-shot CLI export and by the worker. It holds one read transaction for the
whole export (a consistent snapshot), reports progress after every batch, and asks between
batches whether to stop. It writes only to the path it is given; publishing is the caller's job.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Select

from smarter_export.domain.database import read_snapshot
from smarter_export.errors import ExportCancelled
from smarter_export.formats.base import ExportWriter
from smarter_export.jobs.batches import typed_batches
from smarter_export.sources.base import DataSource, ExportQuery, Scope
from smarter_export.tabular import ExportInfo, ExportOutcome, TableSpec


@dataclass(frozen=True)
class Progress:
    rows_processed: int
    rows_total: int
    elapsed_seconds: float


@dataclass(frozen=True)
class ExportPlan:
    """Everything the engine needs, decided before it starts."""

    source: DataSource
    scope: Scope
    query: ExportQuery
    info: ExportInfo
    max_rows: int
    batch_size: int = 5_000


@dataclass(frozen=True)
class ExportResult:
    rows_total: int  # rows the filters matched in the main table
    rows_written: dict[str, int]
    partial: bool
    warnings: tuple[str, ...]
    size_bytes: int
    seconds: float
    tables: tuple[TableSpec, ...] = field(default=())
    withheld_rows: int = 0  # main-table rows left out because they sit under confidential matters


ProgressCallback = Callable[[Progress], None]
StopCheck = Callable[[], bool]


def run_export(
    engine: Engine,
    plan: ExportPlan,
    writer: ExportWriter,
    path: Path,
    *,
    on_progress: ProgressCallback | None = None,
    should_stop: StopCheck | None = None,
) -> ExportResult:
    started = time.monotonic()
    main_spec = plan.source.table_spec(plan.query)
    with read_snapshot(engine) as connection:
        rows_total = int(
            connection.execute(plan.source.count_statement(plan.scope, plan.query)).scalar_one()
        )
        children = plan.source.child_tables(plan.scope, plan.query)
        tables = (main_spec, *(child.spec for child in children))
        warnings: list[str] = []
        withheld = _withheld(connection, plan, rows_total)
        if withheld:
            warnings.append(
                f"{withheld:,} rows under confidential matters were withheld: exporting them "
                "needs the matters:confidential permission."
            )
        partial = rows_total > plan.max_rows
        if partial:
            warnings.append(
                f"Partial export: {plan.max_rows:,} of {rows_total:,} rows; the limit for this "
                "format was reached. Narrow the filters, or choose CSV for larger exports."
            )
        main_rows = min(rows_total, plan.max_rows)
        written: dict[str, int] = {}
        writer.open(path, plan.info, tables)
        try:
            statement = plan.source.statement(plan.scope, plan.query).limit(plan.max_rows)

            def report(done: int) -> None:
                if should_stop is not None and should_stop():
                    raise ExportCancelled("The export was cancelled.")
                if on_progress is not None:
                    on_progress(Progress(done, main_rows, time.monotonic() - started))

            written[main_spec.name] = _stream(
                connection,
                statement=statement,
                table=main_spec.name,
                writer=writer,
                batch_size=plan.batch_size,
                report=report,
            )
            for child in children:
                written[child.spec.name] = _stream(
                    connection,
                    statement=child.statement,
                    table=child.spec.name,
                    writer=writer,
                    batch_size=plan.batch_size,
                    report=None,
                )
            summary = writer.close(ExportOutcome(written, partial, tuple(warnings)))
        except BaseException:
            writer.abort()
            raise
    return ExportResult(
        rows_total=rows_total,
        withheld_rows=withheld,
        rows_written=written,
        partial=partial,
        warnings=tuple(warnings),
        size_bytes=summary.path_size_bytes,
        seconds=time.monotonic() - started,
        tables=tables,
    )


def _withheld(connection: Connection, plan: ExportPlan, rows_total: int) -> int:
    """How many more rows the filters match when confidential matters are included."""
    if plan.scope.include_confidential or not plan.source.counts_withheld_rows:
        return 0
    everything = replace(plan.scope, include_confidential=True)
    counted = connection.execute(plan.source.count_statement(everything, plan.query)).scalar_one()
    return int(counted) - rows_total


def _stream(
    connection: Connection,
    *,
    statement: Select[Any],
    table: str,
    writer: ExportWriter,
    batch_size: int,
    report: Callable[[int], None] | None,
) -> int:
    done = 0
    if report is not None:
        report(done)
    for batch in typed_batches(connection, statement, batch_size):
        writer.write_rows(table, batch)
        done += len(batch)
        if report is not None:
            report(done)
    return done
