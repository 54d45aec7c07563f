"""The queue that delivers export ids to workers: Huey, on SQLite by default or on Redis.

The queue only delivers; the job row decides. A delivery that finds nothing to do is a no-op,
so the reaper may re-deliver freely.
"""

from __future__ import annotations

import os
import random
import signal
import socket
from collections.abc import Callable

from huey import Huey, RedisHuey, SqliteHuey
from huey.api import TaskWrapper
from huey.consumer import Consumer

from smarter_export.settings import Settings

TASK_NAME = "smarter_export.run_export"


def make_huey(settings: Settings) -> Huey:
    url = settings.queue_url
    if url and url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey("smarter-export", url=url)
    if url:
        raise ValueError(
            f"SMARTER_EXPORT_QUEUE_URL={url!r} is not supported: give redis://... or leave it unset"
        )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("smarter-export", filename=str(settings.data_dir / "queue.db"))


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{random.randrange(16**6):06x}"


class ExportQueue:
    """Enqueue export ids; in a consumer process, hand each delivery to `handler`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.huey = make_huey(settings)
        self._handler: Callable[[str], None] | None = None
        self._task: TaskWrapper = self.huey.task(name=TASK_NAME)(self._deliver)

    def enqueue(self, export_id: str, delay: float = 0.0) -> None:
        if delay > 0:
            self._task.schedule(args=(export_id,), delay=delay)
        else:
            self._task(export_id)

    def pending_deliveries(self) -> int:
        return int(self.huey.pending_count())

    def check(self) -> None:
        """Raise if the queue cannot be reached (readiness)."""
        self.huey.pending_count()

    def consumer(self, handler: Callable[[str], None]) -> Consumer:
        self._handler = handler
        return self.huey.create_consumer(
            workers=self.settings.workers,
            worker_type="thread",
            periodic=False,  # maintenance runs on its own clock, see jobs/maintenance.py
            initial_delay=0.05,
            backoff=1.5,
            # The SQLite queue is polled (Redis blocks on its list and needs none of this): at
            # most 0.1 s apart, so an export starts within 200 ms even after a quiet spell; a
            # poll is one small query on the queue file.
            max_delay=0.1,
            check_worker_health=True,
        )

    def _deliver(self, export_id: str) -> None:
        if self._handler is None:
            raise RuntimeError("this process enqueues exports but does not run them")
        self._handler(export_id)


def start_beside(consumer: Consumer) -> None:
    """Start `consumer`'s threads inside a host process (uvicorn) that owns the signals.

    Huey's `start()` installs its own SIGINT/SIGTERM/SIGHUP handlers; left in place they would
    swallow the host's shutdown signal, so the host's handlers are put back. The host then stops
    the consumer itself (`consumer.stop(graceful=True)`).
    """
    names = ("SIGINT", "SIGTERM", "SIGHUP")
    signums = [getattr(signal, name) for name in names if hasattr(signal, name)]
    previous = {signum: signal.getsignal(signum) for signum in signums}
    consumer.start()
    for signum, handler in previous.items():
        if handler is not None:  # None: installed outside Python, nothing of ours to restore
            signal.signal(signum, handler)
