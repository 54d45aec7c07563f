"""The read snapshot: one repeatable-read, read-only transaction; rows stream from the cursor."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest
from sqlalchemy import Connection, Engine, create_engine, select, text
from sqlalchemy.exc import DBAPIError

from smarter_export.domain import tables
from smarter_export.domain.database import make_engine, read_snapshot, read_snapshots
from smarter_export.domain.schema import upgrade
from tests.factories import make_tenant
from tests.servers.postgres import PostgresServer


def test_snapshot_ignores_later_commits(engine: Engine) -> None:
    with engine.begin() as connection:
        make_tenant(connection)
    with read_snapshot(engine) as snapshot:
        before = snapshot.execute(text("SELECT count(*) FROM tenant")).scalar_one()
        with engine.begin() as connection:
            make_tenant(connection)
        assert snapshot.execute(text("SELECT count(*) FROM tenant")).scalar_one() == before
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM tenant")).scalar_one() == before + 1


def test_snapshot_is_read_only(engine: Engine) -> None:
    with read_snapshot(engine) as snapshot:
        if snapshot.dialect.name == "postgresql":
            assert (
                snapshot.execute(text("SHOW transaction_isolation")).scalar() == "repeatable read"
            )
            assert snapshot.execute(text("SHOW transaction_read_only")).scalar() == "on"
            with pytest.raises(DBAPIError, match="read-only"):
                snapshot.execute(text("UPDATE tenant SET name = 'x'"))


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)  # its cursors only
def test_postgresql_rows_stream_from_a_server_side_cursor(engine: Engine) -> None:
    assert engine.dialect.name == "postgresql"
    with engine.begin() as connection:
        for _ in range(30):
            make_tenant(connection)
    with read_snapshot(engine) as snapshot:
        # As the engine streams: the same options on the snapshot's connection.
        result = snapshot.execution_options(stream_results=True, yield_per=10).execute(
            select(tables.tenant.c.id)
        )
        first = next(result.partitions())
        assert len(first) == 10, "one batch at a time, not every row at once"
        cursors = snapshot.execute(
            text("SELECT count(*) FROM pg_cursors WHERE statement ILIKE '%FROM tenant%'")
        ).scalar_one()
        assert cursors >= 1, "the rows come from a named server-side cursor"
        result.close()


def test_migrations_are_idempotent(engine: Engine) -> None:
    upgrade(engine)  # already at head: nothing to do, nothing fails
    with engine.connect() as connection:
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    assert version is not None


def test_concurrent_migrations_of_a_new_postgresql_database_all_succeed(
    postgres_server: PostgresServer,
) -> None:
    """Two API processes of a deploy start at once on an empty database: no one trips."""
    url = postgres_server.url(postgres_server.create_database())
    errors: list[BaseException] = []

    def migrate() -> None:
        engine = make_engine(url)
        try:
            upgrade(engine)
        except BaseException as error:
            errors.append(error)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=migrate) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    engine = make_engine(url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM export_job")).scalar_one() == 0
    engine.dispose()


ON_SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def tenants_seen(connections: list[Connection]) -> list[int]:
    return [c.execute(text("SELECT count(*) FROM tenant")).scalar_one() for c in connections]


@ON_SQLITE
def test_several_readers_share_one_snapshot_that_ignores_later_commits(engine: Engine) -> None:
    with engine.begin() as connection:
        make_tenant(connection)
    with read_snapshots(engine, 3) as readers:
        assert len(readers) == 3 and len({id(reader) for reader in readers}) == 3
        with engine.begin() as connection:
            make_tenant(connection)  # after the snapshot opened, before anyone counted
        assert tenants_seen(readers) == [1, 1, 1]
    with engine.connect() as connection:
        assert tenants_seen([connection]) == [2]


@ON_SQLITE
def test_opening_waits_for_a_writer_holding_the_lock_and_sees_its_commit(engine: Engine) -> None:
    with engine.begin() as connection:
        make_tenant(connection)
    seen: list[list[int]] = []
    opened, done = threading.Event(), threading.Event()

    def export() -> None:
        with read_snapshots(engine, 2) as readers:
            opened.set()
            seen.append(tenants_seen(readers))
        done.set()

    with engine.connect() as writer:
        writer.exec_driver_sql("BEGIN IMMEDIATE")
        make_tenant(writer)
        opening = threading.Thread(target=export)
        opening.start()
        # The readers cannot fix their snapshot while the writer holds the lock: however long
        # we look, the opening has not happened (a state, not a timing: it waits on the lock).
        assert not opened.wait(0.5)
        writer.commit()
    opening.join()
    assert done.is_set()
    assert seen == [[2, 2]]


WRITER = """
import sqlite3, sys, time
connection = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
print("ready", flush=True)
while True:
    connection.execute("INSERT INTO tick DEFAULT VALUES")
    time.sleep(0.001)  # a busy service's writes, not one that never lets go of the lock
"""


@ON_SQLITE
def test_readers_agree_while_a_writer_commits_all_along(engine: Engine) -> None:
    """Without the lock, a commit landing between two readers' first reads splits them: a
    writer in another process commits about a thousand times a second while snapshots open."""
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE tick (n INTEGER PRIMARY KEY)")
    database = engine.url.database
    assert database is not None
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, database], stdout=subprocess.PIPE, text=True
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline() == "ready\n"
        seen = []
        for _ in range(200):
            with read_snapshots(engine, 3) as readers:
                seen.append(
                    [r.exec_driver_sql("SELECT count(*) FROM tick").scalar_one() for r in readers]
                )
    finally:
        writer.kill()
        writer.wait()
    assert seen[-1][0] > seen[0][0], "the writer committed all along"
    assert [counts for counts in seen if len(set(counts)) > 1] == []


def test_one_reader_where_no_second_connection_sees_the_same_database(engine: Engine) -> None:
    """PostgreSQL (not shared yet), and SQLite's private in-memory databases, get one."""
    expected = 2 if engine.dialect.name == "sqlite" else 1
    with read_snapshots(engine, 2) as readers:
        assert len(readers) == expected
    memory = create_engine("sqlite://")
    try:
        with read_snapshots(memory, 2) as readers:
            assert len(readers) == 1
    finally:
        memory.dispose()
