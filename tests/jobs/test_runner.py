"""The worker's run of one export, at its own level: publishing is watched like the rows are."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from smarter_export.jobs.records import ExportJob, JobStatus
from smarter_export.storage.base import PublishProgress, StoredFile
from smarter_export.storage.local import LocalStorage
from tests.jobs.world import World


class SlowStorage(LocalStorage):
    """The folder storage, slow to publish (a big file, a slow network), watched meanwhile."""

    def __init__(self, root: Path, during: Callable[[], None], seconds: float) -> None:
        super().__init__(root)
        self.during = during
        self.seconds = seconds

    def publish(
        self,
        local_file: Path,
        key: str,
        content_type: str,
        on_progress: PublishProgress | None = None,
    ) -> StoredFile:
        self.during()
        time.sleep(self.seconds)
        return super().publish(local_file, key, content_type, on_progress)


def test_publishing_reports_the_uploading_phase_and_renews_the_lease(world: World) -> None:
    export_id = world.create()
    seen: list[ExportJob] = []
    storage = SlowStorage(
        world.runtime.settings.data_dir / "files", lambda: seen.append(world.job(export_id)), 0
    )
    world.runner(storage=storage).process(export_id)
    assert seen[0].phase == "uploading"
    assert seen[0].rows_processed == seen[0].rows_total, "the rows were all written before"
    assert seen[0].lease_expires_at is not None and seen[0].progress_at is not None
    assert seen[0].lease_expires_at > seen[0].progress_at
    done = world.job(export_id)
    assert done.status is JobStatus.COMPLETED
    assert done.phase is None


def test_a_cancel_during_the_upload_stops_it(world: World) -> None:
    export_id = world.create()

    def cancel() -> None:
        world.runtime.service.cancel_or_delete(world.caller, export_id)

    storage = SlowStorage(world.runtime.settings.data_dir / "files", cancel, 1.1)
    world.runner(storage=storage).process(export_id)
    assert world.job(export_id).status is JobStatus.CANCELLED
    assert not list((world.runtime.settings.data_dir / "files").rglob("*.csv"))


def test_the_time_limit_holds_during_the_upload(world: World) -> None:
    export_id = world.create()
    world.runtime.settings.job_time_limit_seconds = 1
    storage = SlowStorage(world.runtime.settings.data_dir / "files", lambda: None, 1.2)
    world.runner(storage=storage).process(export_id)
    job = world.job(export_id)
    assert job.status is JobStatus.FAILED
    assert job.error_code == "time_limit_exceeded"
    assert not list((world.runtime.settings.data_dir / "files").rglob("*.csv"))


def test_a_cancel_after_the_last_check_still_wins(world: World) -> None:
    """Asked between the worker's last look and its completion: the export ends cancelled and
    its file is deleted, never completed with the cancel on it."""
    export_id = world.create()

    def cancel() -> None:
        world.runtime.service.cancel_or_delete(world.caller, export_id)

    storage = SlowStorage(world.runtime.settings.data_dir / "files", cancel, 0)
    world.runner(storage=storage).process(export_id)
    job = world.job(export_id)
    assert job.status is JobStatus.CANCELLED
    assert world.events(export_id)[-1] == "cancelled"
    assert not list((world.runtime.settings.data_dir / "files").rglob("*.csv"))
