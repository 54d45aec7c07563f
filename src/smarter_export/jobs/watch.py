"""Watching one running attempt: every step reports here, and here the attempt may be stopped.

The engine's rows (main and child tables, the writer's close) and the publishing of the file
(a rename, a copy, an S3 upload) all call `report`. At most once a second it writes progress and
the phase, renews the lease, and reads the cancel flag; on every call it checks the time limit,
counted from the export's first start. It raises `ExportCancelled`, `TimeLimitExceeded`, or
`LeaseLost` when another worker took the job over. Thread-safe: S3 uploads report from their
transfer threads.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import Engine

from smarter_export.clock import utcnow
from smarter_export.errors import ExportCancelled, TimeLimitExceeded
from smarter_export.jobs import store
from smarter_export.jobs.records import ExportJob

PROGRESS_INTERVAL_SECONDS = 1.0


class LeaseLost(Exception):
    """Another worker took the job over (this one was presumed dead): stop without a trace."""


@dataclass
class AttemptWatch:
    engine: Engine
    job: ExportJob
    worker: str
    lease_seconds: int
    time_limit_seconds: int
    _deadline: float = 0.0
    _last_write: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        first_start = self.job.first_started_at or self.job.started_at or utcnow()
        left = first_start + timedelta(seconds=self.time_limit_seconds) - utcnow()
        self._deadline = time.monotonic() + left.total_seconds()

    def report(
        self,
        phase: str,
        done: int | None = None,
        total: int | None = None,
        *,
        force: bool = False,
        rows_start: bool = False,
    ) -> None:
        """`done` of `total` rows (None: leave the counts as they are) in `phase`; `rows_start`
        marks the moment the first row is about to be written (always written down)."""
        clock = time.monotonic()
        if clock > self._deadline:
            raise TimeLimitExceeded.after(self.time_limit_seconds)
        with self._lock:
            if not (force or rows_start) and clock - self._last_write < PROGRESS_INTERVAL_SECONDS:
                return
            self._last_write = clock
            self._write(phase, done, total, rows_start)

    def _write(self, phase: str, done: int | None, total: int | None, rows_start: bool) -> None:
        now = utcnow()
        values: dict[str, object] = {
            "phase": phase,
            "progress_at": now,
            "updated_at": now,
            "lease_expires_at": now + timedelta(seconds=self.lease_seconds),
        }
        if done is not None:
            values["rows_processed"] = done
        if total is not None:
            values["rows_total"] = total
        if rows_start:
            values["rows_started_at"] = now
        with self.engine.begin() as connection:
            held = store.update_held(connection, self.job.id, worker=self.worker, values=values)
            cancelled = store.is_cancel_requested(connection, self.job.id)
        if cancelled:
            raise ExportCancelled("The export was cancelled.")
        if not held:
            raise LeaseLost(self.job.id)
