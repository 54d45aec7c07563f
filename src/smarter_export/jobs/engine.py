"""The export engine: rows stream from a source's query, batch by batch, into a format's writer.

Called as is by the one-shot CLI export and by the worker. It holds one read transaction while
it counts and streams (a consistent snapshot), decides once how many rows of each table go into
the file (`limits.py`), and watches every step: after each batch of main and child rows, and
every second of the writer's close, it reports progress (with the phase) and asks whether to
stop, so the caller can renew its lease, honour a cancel and enforce its time limit. It writes
only to the path it is given; publishing is the caller's job. A writer that takes lines (CSV)
is given, for each table the database can render exactly, the lines the database wrote
(`csv_lines.py`) instead of rows, watched and counted the same way, and the lines written must
be the rows counted.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Generator, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine

from smarter_export.domain.database import read_snapshot
from smarter_export.errors import ExportCancelled
from smarter_export.formats.base import ExportWriter, LineWriter
from smarter_export.jobs.batches import keyed_batches, typed_batches
from smarter_export.jobs.chart_figures import chart_figures
from smarter_export.jobs.csv_lines import line_batches, table_lines
from smarter_export.jobs.limits import (
    TableRows,
    left_out_warnings,
    refuse_incomplete,
    table_rows,
)
from smarter_export.jobs.plan import ExportPlan
from smarter_export.jobs.step_watch import watched_steps
from smarter_export.tabular import ExportOutcome, Row, WriteSummary

WRITING = "writing"  # rows of any table going into the file
# The writer's close: a ZIP's directory, a workbook's assembly, a PDF's save.
FINISHING = "finishing"
CLOSE_TICK_SECONDS = 1.0  # how often a slow close is watched


@dataclass(frozen=True)
class Progress:
    rows_processed: int  # rows written so far, every table counted
    rows_total: int  # rows the file will hold, every table counted
    elapsed_seconds: float
    phase: str = WRITING
    rows_sorted: int = 0  # rows the database sorts once read, through its temporary files


@dataclass(frozen=True)
class ExportResult:
    rows_total: int  # rows the filters matched in the main table
    rows_written: dict[str, int]  # rows the file holds, by table
    partial: bool  # some row that matched, in any table, is not in the file
    warnings: tuple[str, ...]  # what is missing and why
    size_bytes: int
    seconds: float
    rows_matched: dict[str, int]  # rows the filters matched, by table
    withheld_rows: int = 0  # rows left out because they sit under confidential matters
    chart: dict[str, Any] | None = None  # the figures of the file's chart (chart_figures.py)


ProgressCallback = Callable[[Progress], None]
StopCheck = Callable[[], bool]


class _Watch:
    """Reports progress and asks whether to stop: after every batch and while the file closes."""

    def __init__(
        self,
        total: int,
        on_progress: ProgressCallback | None,
        should_stop: StopCheck | None,
        *,
        started: float,
        sorted_rows: int = 0,
    ) -> None:
        self.total, self.done, self._sorted = total, 0, sorted_rows
        self._on_progress, self._should_stop = on_progress, should_stop
        self._started = started  # the export's start, counting included

    def __call__(self, phase: str = WRITING) -> None:
        if self._should_stop is not None and self._should_stop():
            raise ExportCancelled("The export was cancelled.")
        if self._on_progress is not None:
            elapsed = time.monotonic() - self._started
            self._on_progress(Progress(self.done, self.total, elapsed, phase, self._sorted))

    @property
    def seconds(self) -> float:
        return time.monotonic() - self._started


def run_export(
    engine: Engine,
    plan: ExportPlan,
    path: Path,
    *,
    on_progress: ProgressCallback | None = None,
    should_stop: StopCheck | None = None,
) -> ExportResult:
    started, writer = time.monotonic(), plan.writer
    with read_snapshot(engine) as connection:
        tables = table_rows(connection, plan)
        if not plan.format.partial_allowed:
            refuse_incomplete(plan.row_limit, tables)
        total = sum(table.rows for table in tables)
        sorted_rows = sum(table.sorted_apart for table in tables)
        watch = _Watch(total, on_progress, should_stop, started=started, sorted_rows=sorted_rows)
        written: dict[str, int] = {}
        charted: dict[str, list[Row]] = {t.spec.name: [] for t in tables if t.spec.chart}
        watch()  # the first report, rows counted and no byte written yet (the runner checks space)
        writer.open(path, plan.info, plan.tables)
        try:
            with watched_steps(connection, watch):  # a sort before the first row is watched too
                for table in tables:
                    written[table.spec.name] = _stream(
                        connection,
                        table,
                        writer,
                        batch_size=plan.batch_size,
                        watch=watch,
                        keep=charted.get(table.spec.name),
                    )
        except BaseException:
            writer.abort()
            raise
    # The snapshot is let go before the close: it needs no database, and may take a while.
    warnings = left_out_warnings(plan.row_limit, tables, written)
    matched = {table.spec.name: table.matched for table in tables}
    withheld = sum(table.withheld for table in tables)
    outcome = ExportOutcome(
        written,
        partial=bool(withheld) or any(written[name] < matched[name] for name in matched),
        warnings=tuple(warnings),
        rows_matched=matched,
    )
    summary = _close(writer, outcome, watch, path)
    rows_in_file = {name: summary.rows_written.get(name, count) for name, count in written.items()}
    warnings += _writer_warnings(plan, summary, written, rows_in_file)
    return ExportResult(
        rows_total=tables[0].matched,
        rows_written=rows_in_file,
        partial=outcome.partial or any(rows_in_file[n] < written[n] for n in written),
        warnings=tuple(warnings),
        size_bytes=summary.path_size_bytes,
        seconds=watch.seconds,
        rows_matched=matched,
        withheld_rows=withheld,
        chart=_chart(tables, charted, plan.info.currency),
    )


def _stream(
    connection: Connection,
    table: TableRows,
    writer: ExportWriter,
    *,
    batch_size: int,
    watch: _Watch,
    keep: list[Row] | None = None,
) -> int:
    """Write the table's rows; `keep` gathers them too (a charted table: a few hundred groups)."""
    if table.rows == 0:
        return 0
    lines = table_lines(connection, table, writer) if keep is None else None
    if lines is not None:
        assert isinstance(writer, LineWriter)
        return _stream_lines(line_batches(connection, lines, batch_size), table, writer, watch)
    done = 0
    batches = (
        typed_batches(connection, table.statement, batch_size)
        if table.keyed is None
        else keyed_batches(connection, table.keyed, batch_size)
    )
    # Closed here, not when the garbage collector gets to it: a writer's error (a full disk)
    # keeps this frame, and so the cursor, alive in its traceback while the runner records the
    # failure, and SQLite refused that write ("database is locked") to a connection whose read
    # statement was never reset.
    with closing(batches):
        for batch in batches:
            writer.write_rows(table.spec.name, batch)
            if keep is not None:
                keep.extend(batch)
            done += len(batch)
            watch.done += len(batch)
            watch()
    return done


def _stream_lines(
    batches: Generator[Sequence[str], None, None],
    table: TableRows,
    writer: LineWriter,
    watch: _Watch,
) -> int:
    """Write the table's lines as the database rendered them (CSV: `jobs/csv_sql.py`), and
    fail unless they are the rows counted: statements made of the counted one (a database's
    own COPY) must give its rows, and a file short of them, or
    holding some twice, must not pass for whole."""
    done = 0
    with closing(batches):  # as `_stream`'s: the cursor is reset before a failure is recorded
        for batch in batches:
            writer.write_lines(table.spec.name, batch)
            done += len(batch)
            watch.done += len(batch)
            watch()
    if done != table.rows:
        raise RuntimeError(
            f"{done:,} lines of {table.spec.title} were read where {table.rows:,} rows were "
            "counted in the same snapshot: the file is not written."
        )
    return done


def _chart(
    tables: Sequence[TableRows], charted: dict[str, list[Row]], currency: str
) -> dict[str, Any] | None:
    """The figures of the first table drawn as a chart (a source has at most one)."""
    for table in tables:
        if table.spec.name in charted:
            return chart_figures(table.spec, charted[table.spec.name], currency)
    return None


def _close(writer: ExportWriter, outcome: ExportOutcome, watch: _Watch, path: Path) -> WriteSummary:
    """The writer's close, run beside a watch that ticks every second until it is done.

    A close is one call into a library (XlsxWriter zipping its sheets, ReportLab saving every
    page) that cannot be asked to report, so it runs in a thread while this one keeps renewing
    the lease and checking for a cancel or the time limit. When the watch says stop, the export
    stops at once. The close cannot be interrupted (aborting under it would race it), so it
    runs to its end in the background and then deletes the file it made, which may have been
    created after the caller deleted the unfinished one.
    """
    try:
        watch(FINISHING)
    except BaseException:
        writer.abort()
        raise
    finished: list[WriteSummary] = []
    failed: list[BaseException] = []
    abandoned = threading.Event()

    def close() -> None:
        try:
            finished.append(writer.close(outcome))
        except BaseException as error:  # handed to the waiting thread, which raises it
            failed.append(error)
            if abandoned.is_set():
                writer.abort()
        if abandoned.is_set():
            path.unlink(missing_ok=True)

    closing = threading.Thread(target=close, name="export-close", daemon=True)
    closing.start()
    closing.join(CLOSE_TICK_SECONDS)
    while closing.is_alive():
        try:
            watch(FINISHING)
        except BaseException:
            abandoned.set()
            raise
        closing.join(CLOSE_TICK_SECONDS)
    if failed:
        writer.abort()
        raise failed[0]
    return finished[0]


def _writer_warnings(
    plan: ExportPlan, summary: WriteSummary, given: dict[str, int], held: dict[str, int]
) -> list[str]:
    """What the writer reports it could not hold, in the result as in the file."""
    warnings = list(summary.warnings)
    titles = {spec.name: spec.title for spec in plan.tables}
    for name, count in given.items():
        if held[name] < count:
            warnings.append(
                f"{count - held[name]:,} of {count:,} rows of {titles[name]} could not be "
                f"written to the {plan.format.title} file."
            )
    return warnings
