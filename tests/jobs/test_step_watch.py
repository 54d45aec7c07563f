"""`watched_steps`: the watch ticks inside one long SQLite step (a sort before the first row),
and what it raises stops the statement and is what the export raises."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from smarter_export.domain.database import make_engine, read_snapshot
from smarter_export.errors import ExportCancelled
from smarter_export.formats.csv_writer import CsvWriter
from smarter_export.jobs import step_watch
from smarter_export.jobs.engine import run_export
from smarter_export.jobs.step_watch import watched_steps
from smarter_export.tabular import Row
from tests.jobs.test_fidelity import plan, salted_engine, with_writer

__all__ = ["salted_engine"]

# A million numbers, sorted: SQLite returns the first row only after every one is sorted.
SORTED = (
    "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 1000000) "
    "SELECT x FROM n ORDER BY -x"
)


class CountingWriter(CsvWriter):
    """The CSV writer, counting the rows and lines it is given."""

    given = 0

    def write_rows(self, table: str, batch: Sequence[Row]) -> None:
        self.given += len(batch)
        super().write_rows(table, batch)

    def write_lines(self, table: str, lines: Sequence[str]) -> None:
        self.given += len(lines)
        super().write_lines(table, lines)


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    return make_engine(f"sqlite:///{tmp_path / 'steps.db'}")


@pytest.fixture
def every_look(monkeypatch: pytest.MonkeyPatch) -> None:
    """The clock allows a tick at every look: no test waits on a second to pass."""
    monkeypatch.setattr(step_watch, "TICK_SECONDS", 0.0)


@pytest.mark.usefixtures("every_look")
def test_the_watch_ticks_before_a_sorted_statements_first_row(engine: Engine) -> None:
    ticks: list[int] = []
    with read_snapshot(engine) as connection, watched_steps(connection, lambda: ticks.append(1)):
        result = connection.execute(text(SORTED))
        before_first_row = len(ticks)
        assert result.first() == (1_000_000,)
    assert before_first_row > 10


@pytest.mark.usefixtures("every_look")
def test_what_the_watch_raises_stops_the_statement(engine: Engine) -> None:
    def cancelled() -> None:
        raise ExportCancelled("The export was cancelled.")

    with read_snapshot(engine) as connection:
        with pytest.raises(ExportCancelled), watched_steps(connection, cancelled):
            connection.execute(text(SORTED)).all()
        # The handler is gone: the connection steps on, unwatched.
        assert connection.execute(text("SELECT count(*) FROM (" + SORTED + ")")).scalar() == (
            1_000_000
        )


def test_an_error_of_sqlites_own_is_raised_as_it_is(engine: Engine) -> None:
    with (
        read_snapshot(engine) as connection,
        pytest.raises(Exception, match="no such table"),
        watched_steps(connection, lambda: None),
    ):
        connection.execute(text("SELECT * FROM nowhere"))


@pytest.mark.usefixtures("every_look")
@pytest.mark.parametrize("demo_engine", ["sqlite"], indirect=True)
def test_an_export_is_cancelled_inside_its_first_step(
    salted_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The engine's watch runs inside the statement's steps: the cancel, asked for at the
    second look (the first is the count's report), lands before any row was written."""
    monkeypatch.setattr(step_watch, "INSTRUCTIONS", 100)
    writer = CountingWriter()
    planned = with_writer(plan(salted_engine, tmp_path, "time_entries", {}), writer)
    looks: list[int] = []

    def should_stop() -> bool:
        looks.append(1)
        return len(looks) >= 2

    with pytest.raises(ExportCancelled):
        run_export(
            salted_engine,
            planned,
            tmp_path / "out.csv",
            should_stop=should_stop,
        )
    assert len(looks) == 2 and writer.given == 0  # no batch reached the file
