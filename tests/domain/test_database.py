"""The read snapshot: one repeatable-read, read-only transaction; rows stream from the cursor."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError

from smarter_export.domain import tables
from smarter_export.domain.database import SORTER_THREADS, make_engine, read_snapshot
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


def test_a_sort_larger_than_sqlites_cache_is_sorted_on_helper_threads_in_the_same_order(
    tmp_path: Path,
) -> None:
    """Some 12 MB of rows against a cache of 2 MB: SQLite's sorter writes runs and merges them,
    on `SORTER_THREADS` helpers. What this holds is our setting and SQLite's promise under it
    (the order is the one Python gives, ties decided by `id`); any correct SQLite would pass
    the order without helpers too."""
    engine = make_engine(f"sqlite:///{tmp_path / 'sort.db'}")
    rows = [(n, (n * 7_919) % 1_000, f"{n:06d} " + "x" * 90) for n in range(120_000)]
    with engine.begin() as connection:
        assert connection.exec_driver_sql("PRAGMA threads").scalar_one() == SORTER_THREADS > 0
        connection.exec_driver_sql("CREATE TABLE wide (id INTEGER, day INTEGER, text TEXT)")
        connection.exec_driver_sql("INSERT INTO wide VALUES (?, ?, ?)", rows)
    with engine.connect() as connection:
        got = connection.exec_driver_sql("SELECT * FROM wide ORDER BY day DESC, id").all()
    engine.dispose()
    assert [tuple(row) for row in got] == sorted(rows, key=lambda row: (-row[1], row[0]))
