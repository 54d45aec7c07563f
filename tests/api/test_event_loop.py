"""A request that waits for the database holds no other request up: the API answers on one
event loop, so whatever may wait (a write, for SQLite's lock or PostgreSQL) runs off it."""

from __future__ import annotations

import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor

from tests.live import LiveFactory

LOCK_SECONDS = 4.0


def test_a_creation_waiting_for_the_write_lock_holds_no_poll_up(live: LiveFactory) -> None:
    service = live("loop")
    service.start_api(worker=False)
    token = service.token()
    database = sqlite3.connect(service.data_dir / "smarter_export.db", isolation_level=None)
    with service.client(token) as poller, ThreadPoolExecutor(1) as pool:
        export_id = poller.post("/api/v1/export/csv", json={"dataSource": "matters"}).json()
        status_url = f"/api/v1/export/status/{export_id['data']['exportId']}"
        # Another process holds the write lock, as a long write does.
        database.execute("BEGIN IMMEDIATE")
        locked = time.monotonic()

        def create() -> int:
            with service.client(token) as creator:
                body = {"dataSource": "timekeepers"}
                return creator.post("/api/v1/export/csv", json=body).status_code

        creating = pool.submit(create)
        time.sleep(1.0)  # the creation has reached the database and waits for the lock
        started = time.monotonic()
        assert poller.get(status_url).status_code == 200
        waited = time.monotonic() - started
        still_waiting = not creating.done()
        time.sleep(max(0.0, LOCK_SECONDS - (time.monotonic() - locked)))
        database.execute("ROLLBACK")
        assert creating.result(timeout=30) == 202, "the creation goes through once the lock is free"
    assert still_waiting, "the creation was waiting for the lock while the poll was answered"
    assert waited < 1.0, f"a status poll waited {waited:.1f} s behind a creation"
