"""The progress bar of a one-shot export on a terminal (Rich).

Imported by `cli.py` only when stderr is a terminal: an export run by a script or a benchmark
loads no Rich (`tests/test_cli_imports.py`).
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text
from sqlalchemy import Engine

from smarter_export.jobs.engine import ExportResult, run_export
from smarter_export.jobs.engine import Progress as EngineProgress
from smarter_export.jobs.plan import ExportPlan


class _RateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f} rows/s" if speed else "- rows/s")


def export_with_bar(engine: Engine, plan: ExportPlan, path: Path, console: Console) -> ExportResult:
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        _RateColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(plan.source.title, total=None)

        def on_progress(progress: EngineProgress) -> None:
            bar.update(task, completed=progress.rows_processed, total=progress.rows_total)

        return run_export(engine, plan, path, on_progress=on_progress)
