"""Engines for the firm database: SQLite in WAL mode by default, any SQLAlchemy URL otherwise."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

from smarter_export.settings import Settings


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
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
    with read_snapshots(engine, 1) as (connection, *_):
        yield connection


@contextmanager
def read_snapshots(engine: Engine, readers: int) -> Iterator[list[Connection]]:
    """`read_snapshot` on up to `readers` connections that all see the same snapshot, so that
    rows read on several of them at once (`jobs/fan_in.py`) are the rows counted on the first.

    Only a SQLite file gets more than one: each reader's snapshot is fixed by its first read,
    so they begin and read while a third connection holds the write lock (BEGIN IMMEDIATE),
    which no commit can pass; a writer already holding it makes the opening wait (its
    `busy_timeout`), and its commit is then seen by every reader. Elsewhere one connection is
    given (a PostgreSQL snapshot could be shared with `pg_export_snapshot()`; nothing needs it
    yet).
    """
    shared = readers > 1 and _is_sqlite_file(engine)
    with ExitStack() as stack:
        opened = [stack.enter_context(engine.connect()) for _ in range(readers if shared else 1)]
        connections = [_begun(connection, stack) for connection in opened]
        if shared:
            with engine.connect() as lock:
                lock.exec_driver_sql("BEGIN IMMEDIATE")
                try:
                    for connection in connections:
                        # Any read of the file fixes the snapshot; the schema is always there.
                        connection.exec_driver_sql("SELECT count(*) FROM sqlite_master").all()
                finally:
                    lock.rollback()
        yield connections


def _begun(opened: Connection, stack: ExitStack) -> Connection:
    """The connection in a read-only transaction, rolled back when `stack` closes."""
    connection = opened
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN")
    else:
        connection = opened.execution_options(isolation_level="REPEATABLE READ")
        connection.exec_driver_sql("SET TRANSACTION READ ONLY")
    stack.callback(connection.rollback)
    return connection


def _is_sqlite_file(engine: Engine) -> bool:
    """Another connection of a SQLite engine opens the same database (not a private memory one)."""
    database = engine.url.database
    return (
        engine.dialect.name == "sqlite"
        and bool(database)
        and database != ":memory:"
        and ("mode=memory" not in str(engine.url))
    )
