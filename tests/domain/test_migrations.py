"""Migration 0004 on a database that already holds exports: keys repeated before the unique index
(a lost check-then-insert race) are cleared on all but the oldest, so the index can be built."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import IntegrityError

from smarter_export.domain.database import make_engine
from smarter_export.domain.schema import alembic_config, upgrade
from smarter_export.jobs.tables import export_job, user_grant
from smarter_export.mail.tables import mail_delivery
from tests.conftest import DATABASES
from tests.factories import make_tenant, new_id
from tests.servers.postgres import PostgresServer


@pytest.fixture(params=DATABASES)
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
        yield engine
        engine.dispose()
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = server.create_database()
    engine = make_engine(server.url(name))
    yield engine
    engine.dispose()
    server.drop_database(name)


def migrate_to(engine: Engine, revision: str) -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def test_repeated_keys_are_cleared_and_then_refused(empty_engine: Engine) -> None:
    migrate_to(empty_engine, "0003")
    start = datetime(2026, 11, 1, tzinfo=UTC)
    ids = [new_id() for _ in range(3)]
    with empty_engine.begin() as connection:
        tenant = make_tenant(connection)
        for n, export_id in enumerate(ids):
            connection.execute(
                export_job.insert(), _old_row(export_id, tenant, start + timedelta(seconds=n))
            )
    upgrade(empty_engine)
    with empty_engine.connect() as connection:
        keys = dict(connection.execute(select(export_job.c.id, export_job.c.idempotency_key)).all())
    assert keys == {ids[0]: "twice", ids[1]: None, ids[2]: None}, "the oldest keeps its key"
    with pytest.raises(IntegrityError), empty_engine.begin() as connection:
        connection.execute(export_job.insert(), _old_row(new_id(), tenant, start))


def _old_row(export_id: str, tenant: str, created_at: datetime) -> dict[str, object]:
    """An export_job row with the columns of schema 0003, keyed "twice"."""
    return {
        "id": export_id,
        "tenant_id": tenant,
        "user_id": "u",
        "source": "matters",
        "format": "csv",
        "parameters": {},
        "status": "completed",
        "warnings": [],
        "idempotency_key": "twice",
        "request_fingerprint": "f",
        "created_at": created_at,
        "updated_at": created_at,
    }


def test_0007_keeps_the_mail_and_grants_and_takes_a_skipped_runs_notice(
    empty_engine: Engine,
) -> None:
    migrate_to(empty_engine, "0006")
    at = datetime(2026, 11, 1, tzinfo=UTC)
    export_id, mail_id = new_id(), new_id()
    with empty_engine.begin() as connection:
        tenant = make_tenant(connection)
        connection.execute(
            export_job.insert(), {**_old_row(export_id, tenant, at), "idempotency_key": None}
        )
        connection.execute(
            mail_delivery.insert(),
            {**_mail_row(mail_id, tenant, at), "export_id": export_id},
        )
        connection.execute(
            user_grant.insert(),
            {
                "tenant_id": tenant,
                "user_id": "u",
                "role": "admin",
                "permissions": [],
                "issued_at": 1,
                "seen_at": at,
            },
        )
    upgrade(empty_engine)
    notice = {"schedule_id": new_id(), "due_at": at}
    with empty_engine.begin() as connection:
        assert connection.execute(select(mail_delivery.c.export_id)).scalar_one() == export_id
        assert connection.execute(select(user_grant.c.email)).scalar_one() is None
        connection.execute(mail_delivery.insert(), {**_mail_row(new_id(), tenant, at), **notice})
    with pytest.raises(IntegrityError), empty_engine.begin() as connection:  # one per due time
        connection.execute(mail_delivery.insert(), {**_mail_row(new_id(), tenant, at), **notice})
    migrate_to_down(empty_engine, "0006")
    with empty_engine.connect() as connection:
        ids = connection.execute(select(text("id")).select_from(text("mail_delivery"))).scalars()
        assert list(ids) == [mail_id]  # the notice without an export could not stay


def migrate_to_down(engine: Engine, revision: str) -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def _mail_row(mail_id: str, tenant: str, at: datetime) -> dict[str, object]:
    return {
        "id": mail_id,
        "tenant_id": tenant,
        "recipients": ["a@firm.example"],
        "status": "sent",
        "attempts": 1,
        "created_at": at,
        "updated_at": at,
    }
