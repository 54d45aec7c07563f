"""Engines for the firm database: SQLite in WAL mode by default, any SQLAlchemy URL otherwise."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

from smarter_export.settings import Settings

# Helper threads SQLite's sorter may start for one sort larger than its cache: it sorts and
# merges its runs on them while the statement's own thread goes on reading. A firm's table read
# in storage order is sorted so (`jobs/read_order.py`): a million time entries' CSV took 5.1 s
# with two against 5.55 s with none (5.2 s with one; medians of four alternate runs on two
# cores), the file byte for byte the same.
SORTER_THREADS = 2


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute(f"PRAGMA threads={SORTER_THREADS}")
    cursor.close()


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # The API answers on up to 40 threads: with the default 5 pooled connections, every
        # busy moment opened and closed connections (and re-ran the pragmas below) per request.
        engine = create_engine(url, connect_args={"timeout": 30}, pool_size=20, max_overflow=20)
        event.listen(engine, "connect", _on_sqlite_connect)
        return engine
    return create_engine(url, pool_pre_ping=True)


def engine_for(settings: Settings) -> Engine:
    return make_engine(settings.resolved_database_url)


@contextmanager
def read_snapshot(engine: Engine) -> Iterator[Connection]:
    """One read-only transaction, so that a count and the rows it counts agree.

    SQLite's driver opens no transaction for a SELECT, so one is begun by hand (WAL gives the
    snapshot); PostgreSQL gets REPEATABLE READ, READ ONLY.
    """
    with engine.connect() as opened:
        connection = opened
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN")
        else:
            connection = opened.execution_options(isolation_level="REPEATABLE READ")
            connection.exec_driver_sql("SET TRANSACTION READ ONLY")
        try:
            yield connection
        finally:
            connection.rollback()
