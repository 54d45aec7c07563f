"""Shared fixtures: real databases with the real schema, made by the real migrations.

Tests that take `engine` run twice: on a SQLite file and on a real PostgreSQL server (skipped,
with the reason, where PostgreSQL's programs are not installed).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from smarter_export.domain.database import make_engine
from smarter_export.domain.schema import upgrade
from tests.servers.fixtures import (  # noqa: F401 - fixtures
    demo_pg_template,
    migrated_pg_template,
    postgres_server,
    s3_server,
    scaled_stack,
)
from tests.servers.postgres import PostgresServer
from tests.servers.smtp import smtp_server  # noqa: F401 - a fixture

DATABASES = ["sqlite", "postgresql"]


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of the newest schema: a SQLite file, or a PostgreSQL database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'firm.db'}"
        db = make_engine(url)
        upgrade(db)
        db.dispose()
        yield url
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = server.create_database(template=request.getfixturevalue("migrated_pg_template"))
    yield server.url(name)
    server.drop_database(name)


# The live-service fixtures (demo databases, real `serve`/`worker` processes) for every folder.
pytest_plugins = ["tests.live_fixtures"]


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    db = make_engine(database_url)
    yield db
    db.dispose()
