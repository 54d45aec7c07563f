"""The export's watch kept ticking inside one long SQLite step.

The engine watches between batches: it renews the lease, honours a cancel, enforces the time
limit. But one step can be long: a sorted statement returns its first row only after SQLite has
read and sorted every row (3 s a million time entries, `read_order.py`; a sort on a column no
index holds, at any size). Without a watch inside it, a firm of twenty million entries would
outlive its lease (60 s) before the first row, be handed to another worker, and again, never
finishing; and a cancel would wait for the sort.

So, on SQLite, the export's connection has a progress handler while it streams: SQLite calls it
every `INSTRUCTIONS` virtual-machine steps, and at most once a second it calls the watch. When
the watch says stop (cancelled, out of time, the lease lost), the handler asks SQLite to
interrupt the statement, and the watch's own exception is raised in place of SQLite's
"interrupted". Other databases stream their first rows without such a wait in the driver.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import OperationalError

INSTRUCTIONS = 200_000  # about a millisecond of SQLite's work between two looks at the clock
TICK_SECONDS = 1.0


@contextmanager
def watched_steps(connection: Connection, tick: Callable[[], None]) -> Iterator[None]:
    """`tick` called at most once a second while SQLite steps a statement of `connection`;
    what it raises stops the statement and is raised here."""
    if connection.dialect.name != "sqlite":
        yield
        return
    driver: Any = connection.connection.driver_connection
    stopped: list[BaseException] = []
    last = [time.monotonic()]

    def handler() -> int:
        now = time.monotonic()
        if now - last[0] < TICK_SECONDS:
            return 0
        last[0] = now
        try:
            tick()
        except BaseException as error:
            stopped.append(error)
            return 1  # non-zero: SQLite interrupts the statement
        return 0

    driver.set_progress_handler(handler, INSTRUCTIONS)
    try:
        yield
    except (OperationalError, sqlite3.OperationalError):  # wrapped by SQLAlchemy, or the cursor's
        if stopped:
            raise stopped[0] from None
        raise
    finally:
        driver.set_progress_handler(None, 0)
