"""A small demo firm, made once per session per database, copied for each test that exports it.

`demo_engine` runs its tests on a SQLite file and on a real PostgreSQL database.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from smarter_export.domain.database import make_engine
from smarter_export.domain.demo_data import DemoSize
from tests.conftest import DATABASES
from tests.live import make_template
from tests.servers.postgres import PostgresServer

SMALL_FIRM = DemoSize(tenants=2, time_entries=2_000, seed=3)


@pytest.fixture(scope="session")
def small_firm_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_template(tmp_path_factory.mktemp("small") / "smarter_export.db", SMALL_FIRM)


@pytest.fixture(scope="session")
def small_firm_pg_template(postgres_server: PostgresServer, migrated_pg_template: str) -> str:
    return postgres_server.demo_template(
        "template_small", migrated=migrated_pg_template, size=SMALL_FIRM
    )


@pytest.fixture(params=DATABASES)
def demo_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        path = tmp_path / "smarter_export.db"
        shutil.copy(request.getfixturevalue("small_firm_template"), path)
        engine = make_engine(f"sqlite:///{path}")
        yield engine
        engine.dispose()
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = server.create_database(template=request.getfixturevalue("small_firm_pg_template"))
    engine = make_engine(server.url(name))
    yield engine
    engine.dispose()
    server.drop_database(name)


from tests.jobs.world import mailing, world  # noqa: E402, F401 - the fixtures, for every test here
