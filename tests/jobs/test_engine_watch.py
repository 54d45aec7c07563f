"""Every step of an export is watched: main rows, child rows and the writer's close report
progress (with their phase) and honour a stop, so a worker can renew its lease, cancel and
enforce its time limit throughout.

On a real SQLite file of the small demo firm; the slow close is a real writer whose close is
held back, the one thing here that is not the production path.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy import Engine

from smarter_export.domain.database import make_engine
from smarter_export.errors import ExportCancelled, TimeLimitExceeded
from smarter_export.formats.base import ExportWriter
from smarter_export.jobs.engine import Progress, run_export
from smarter_export.jobs.plan import ExportPlan, plan_export
from smarter_export.settings import Settings
from smarter_export.tabular import ExportInfo, ExportOutcome, Row, TableSpec, WriteSummary
from tests.jobs.test_engine import demo_firm
from tests.readers import csv_tables

CLOSE_SECONDS = 2.5


@pytest.fixture
def firm_db(small_firm_template: Path, tmp_path: Path) -> Iterator[Engine]:
    path = tmp_path / "smarter_export.db"
    shutil.copy(small_firm_template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


def invoices_plan(engine: Engine, tmp_path: Path, format_name: str = "csv") -> ExportPlan:
    return plan_export(
        Settings(data_dir=tmp_path, batch_size=100),
        firm=demo_firm(engine),
        source_name="invoices",
        format_name=format_name,
        params={},
        requested_by="tester",
        include_confidential=True,
    )


@dataclass
class SlowClose:
    """A real writer whose close takes a while, as a big workbook's or PDF's does."""

    writer: ExportWriter
    closed: float | None = None

    def open(self, path: Path, info: ExportInfo, tables: Sequence[TableSpec]) -> None:
        self.writer.open(path, info, tables)

    def write_rows(self, table: str, batch: Sequence[Row]) -> None:
        self.writer.write_rows(table, batch)

    def close(self, outcome: ExportOutcome) -> WriteSummary:
        time.sleep(CLOSE_SECONDS)
        summary = self.writer.close(outcome)
        self.closed = time.monotonic()
        return summary

    def abort(self) -> None:
        self.writer.abort()


def test_child_rows_and_the_close_report_progress(firm_db: Engine, tmp_path: Path) -> None:
    plan = invoices_plan(firm_db, tmp_path)
    seen: list[Progress] = []

    result = run_export(firm_db, plan, tmp_path / "out.zip", on_progress=seen.append)

    main, lines = result.rows_written["invoices"], result.rows_written["line_items"]
    total = main + lines
    assert lines > 200  # several batches of 100
    writing = [p.rows_processed for p in seen if p.phase == "writing"]
    assert writing == sorted(writing) and writing[-1] == total
    assert len([done for done in writing if main < done < total]) >= 2  # inside the line items
    assert {p.rows_total for p in seen} == {total}
    assert seen[-1].phase == "finishing"
    assert [p.phase for p in seen].index("finishing") == len(writing)  # after the last row


def test_a_cancel_is_honoured_inside_a_child_table(firm_db: Engine, tmp_path: Path) -> None:
    plan = invoices_plan(firm_db, tmp_path)
    seen: list[Progress] = []
    main_rows = 152  # the small demo firm's invoices (since issue 20's pricing); checked below

    def cancelled() -> bool:
        return bool(seen) and seen[-1].rows_processed > main_rows

    with pytest.raises(ExportCancelled):
        run_export(
            firm_db, plan, tmp_path / "out.zip", on_progress=seen.append, should_stop=cancelled
        )

    assert seen[0].rows_total > seen[-1].rows_processed > main_rows
    whole = run_export(firm_db, invoices_plan(firm_db, tmp_path), tmp_path / "whole.zip")
    assert whole.rows_written["invoices"] == main_rows


def test_a_slow_close_keeps_reporting(firm_db: Engine, tmp_path: Path) -> None:
    plan = invoices_plan(firm_db, tmp_path)
    slow = SlowClose(plan.writer)
    seen: list[Progress] = []

    result = run_export(
        firm_db, replace(plan, writer=slow), tmp_path / "out.zip", on_progress=seen.append
    )

    finishing = [p for p in seen if p.phase == "finishing"]
    assert len(finishing) >= 3  # when the close starts, then each second it runs
    gaps = [b.elapsed_seconds - a.elapsed_seconds for a, b in pairwise(finishing)]
    assert all(0.5 < gap < 3.0 for gap in gaps), gaps  # a steady beat, not a busy loop
    assert result.rows_written["line_items"] > 0
    tables = csv_tables((tmp_path / "out.zip").read_bytes())
    assert len(tables["line_items"]) - 1 == result.rows_written["line_items"]


def test_a_cancel_is_honoured_while_the_file_closes(firm_db: Engine, tmp_path: Path) -> None:
    plan = invoices_plan(firm_db, tmp_path, "excel")
    slow = SlowClose(plan.writer)
    seen: list[Progress] = []

    def cancelled() -> bool:
        return [p.phase for p in seen].count("finishing") >= 2  # the close is under way

    path = tmp_path / "out.xlsx"
    with pytest.raises(ExportCancelled):
        run_export(
            firm_db,
            replace(plan, writer=slow),
            path,
            on_progress=seen.append,
            should_stop=cancelled,
        )

    assert slow.closed is None  # it stopped while the close ran, without waiting for it
    path.unlink(missing_ok=True)  # what the caller does with an unfinished file
    deadline = time.monotonic() + 4 * CLOSE_SECONDS
    while (slow.closed is None or path.exists()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert slow.closed is not None  # the close ran to its end in the background
    assert not path.exists()  # and the workbook it wrote after the caller let go is gone


def test_the_time_limit_is_enforced_while_the_file_closes(firm_db: Engine, tmp_path: Path) -> None:
    plan = invoices_plan(firm_db, tmp_path, "pdf")

    def on_progress(progress: Progress) -> None:
        if progress.phase == "finishing" and progress.elapsed_seconds > 1.0:
            raise TimeLimitExceeded("The export ran past its time limit of 1 s.")

    with pytest.raises(TimeLimitExceeded):
        run_export(
            firm_db,
            replace(plan, writer=SlowClose(plan.writer)),
            tmp_path / "out.pdf",
            on_progress=on_progress,
        )


def test_a_stop_as_the_close_begins_releases_the_writer(firm_db: Engine, tmp_path: Path) -> None:
    plan = invoices_plan(firm_db, tmp_path, "excel")
    aborted: list[bool] = []

    class Watched(SlowClose):
        def abort(self) -> None:
            aborted.append(True)
            super().abort()

    seen: list[Progress] = []
    with pytest.raises(ExportCancelled):
        run_export(
            firm_db,
            replace(plan, writer=Watched(plan.writer)),
            tmp_path / "out.xlsx",
            on_progress=seen.append,
            should_stop=lambda: bool(seen) and seen[-1].rows_processed == seen[-1].rows_total,
        )

    assert aborted == [True]
