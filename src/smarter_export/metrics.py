"""The service's Prometheus metrics, every label bounded (source, format, outcome, route
template, method, status class): never an id, a firm, a user or a message.

Each process counts what happens in it: an API process the exports created and its HTTP
requests, a worker the exports it picked up and finished (a cancel before the start is counted
by the API that made it). Prometheus scrapes every process and adds them up: the API at
`/metrics`, a `worker` at `SMARTER_EXPORT_METRICS_PORT`; `serve` with its in-process worker has
both in one. What is true of the whole fleet at once (exports waiting, running) is read from the
job table when an API process is scraped, so each API reports the same figure: take the max.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path

from prometheus_client import Counter, Gauge, Histogram
from sqlalchemy import Engine

from smarter_export.jobs import store

EXPORTS_CREATED = Counter(
    "smarter_export_exports_created",
    "Exports accepted (not counting repeats answered with the existing export).",
    ["source", "format"],
)
EXPORTS_FINISHED = Counter(
    "smarter_export_exports_finished",
    "Exports that reached an end: completed, partial (completed without every row), failed, "
    "cancelled.",
    ["outcome", "format"],
)
EXPORT_DURATION = Histogram(
    "smarter_export_export_duration_seconds",
    "Wall time of the attempt that completed the export, from its claim to its file published.",
    ["format"],
    buckets=(0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600),
)
EXPORT_ROWS = Histogram(
    "smarter_export_export_rows",
    "Rows of the main table in a completed export's file.",
    ["format"],
    buckets=(10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000),
)
PICKUP_DELAY = Histogram(
    "smarter_export_pickup_delay_seconds",
    "From an export's creation to its first claim by a worker.",
    buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 3600),
)
JOBS = Gauge(
    "smarter_export_jobs",
    "Exports not finished, by state, read from the job table at scrape: waiting (pending) or "
    "running (claimed, lease alive).",
    ["state"],
)
FREE_BYTES = Gauge(
    "smarter_export_free_bytes",
    "Free bytes of the file system holding each folder the service writes: data (database and "
    "queue when SQLite), tmp (files being written), files (published files, local storage).",
    ["folder"],
)
HTTP_DURATION = Histogram(
    "smarter_export_http_request_duration_seconds",
    "HTTP requests by route template, method and status class.",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


def export_created(source: str, format_name: str) -> None:
    EXPORTS_CREATED.labels(source=source, format=format_name).inc()


def export_picked_up(created_at: datetime, claimed_at: datetime) -> None:
    PICKUP_DELAY.observe(max((claimed_at - created_at).total_seconds(), 0.0))


def export_finished(outcome: str, format_name: str) -> None:
    EXPORTS_FINISHED.labels(outcome=outcome, format=format_name).inc()


def export_completed(format_name: str, *, partial: bool, rows: int, seconds: float) -> None:
    export_finished("partial" if partial else "completed", format_name)
    EXPORT_DURATION.labels(format=format_name).observe(seconds)
    EXPORT_ROWS.labels(format=format_name).observe(rows)


def read_job_states(engine: Engine, now: datetime) -> None:
    """Set the fleet-wide gauges from the job table (called when /metrics is scraped)."""
    with engine.connect() as connection:
        waiting, running = store.count_unfinished(connection, now=now)
    JOBS.labels(state="waiting").set(waiting)
    JOBS.labels(state="running").set(running)


def watch_free_space(folders: Mapping[str, Path], free_bytes: Callable[[Path], int | None]) -> None:
    """Read each folder's free bytes whenever this process is scraped (API or worker alike)."""
    for name, path in folders.items():
        FREE_BYTES.labels(folder=name).set_function(functools.partial(_free, free_bytes, path))


def _free(free_bytes: Callable[[Path], int | None], path: Path) -> float:
    """A folder's free bytes; NaN where its file system cannot be read (None), so that the
    scrape goes on and the other folders are still seen."""
    free = free_bytes(path)
    return math.nan if free is None else float(free)


def http_request(route: str, method: str, status: int, seconds: float) -> None:
    HTTP_DURATION.labels(route=route, method=method, status=f"{status // 100}xx").observe(seconds)
