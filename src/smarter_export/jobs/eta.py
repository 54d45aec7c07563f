"""The estimated completion time of a running export, from its own pace so far."""

from __future__ import annotations

from datetime import datetime, timedelta

from smarter_export.jobs.records import ExportJob, JobStatus

# Writers finish files after the last row (Excel zips its sheets, PDF resolves page numbers):
# a small allowance keeps the estimate from landing early.
FINISHING_ALLOWANCE = 0.05


def estimated_completion(job: ExportJob) -> datetime | None:
    """Rows still to go at the pace of this attempt's rows so far: from its first row (counting
    the rows and opening the file are not rows' time) to its last report."""
    if job.status is JobStatus.COMPLETED:
        return job.completed_at
    if job.status is not JobStatus.PROCESSING or job.started_at is None or job.progress_at is None:
        return None
    total, done = job.rows_total, job.rows_processed
    if total is None or done <= 0:
        return None
    elapsed = (job.progress_at - (job.rows_started_at or job.started_at)).total_seconds()
    if elapsed <= 0:
        return None
    remaining = max(total - done, 0) * elapsed / done
    return job.progress_at + timedelta(
        seconds=remaining + FINISHING_ALLOWANCE * elapsed * total / done
    )


def percent(job: ExportJob) -> float:
    if job.status is JobStatus.COMPLETED:
        return 100.0
    if not job.rows_total:
        return 0.0
    return round(min(100.0, 100.0 * job.rows_processed / job.rows_total), 1)
