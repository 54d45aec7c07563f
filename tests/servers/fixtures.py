"""Session fixtures for the real servers: each starts once, or skips saying what is missing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from smarter_export.domain.database import make_engine
from smarter_export.domain.demo_data import DemoSize
from smarter_export.domain.schema import upgrade
from tests.servers.postgres import PostgresServer, find_pg_bin
from tests.servers.redis import find_redis_server
from tests.servers.s3 import S3Server, find_moto_server
from tests.servers.stack import ScaledStack


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    bin_dir = find_pg_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL is not installed (no pg_ctl/initdb): apt-get install postgresql")
    server = PostgresServer(bin_dir)
    try:
        server.start()
    except KeyError:
        pytest.skip("running as root and there is no `postgres` account to run PostgreSQL as")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def migrated_pg_template(postgres_server: PostgresServer) -> str:
    """A PostgreSQL database at the newest schema, migrated once, copied by each test."""
    name = postgres_server.create_database(name="template_migrated")
    engine = make_engine(postgres_server.url(name))
    upgrade(engine)
    engine.dispose()
    return name


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    program = find_moto_server()
    if program is None:
        pytest.skip("moto_server is not installed: pip install 'moto[server]'")
    server = S3Server(program)
    server.start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="session")
def demo_pg_template(postgres_server: PostgresServer, migrated_pg_template: str) -> str:
    """The live tests' small demo firm (as `demo_template`), on PostgreSQL."""
    return postgres_server.demo_template(
        "template_demo",
        migrated=migrated_pg_template,
        size=DemoSize(tenants=2, time_entries=3_000, seed=11),
    )


@pytest.fixture(scope="session")
def scaled_stack(
    postgres_server: PostgresServer, demo_pg_template: str, s3_server: S3Server
) -> Iterator[ScaledStack]:
    """PostgreSQL + Redis + S3 for live services (skips, saying why, if a program is missing)."""
    program = find_redis_server()
    if program is None:
        pytest.skip("redis-server is not installed: apt-get install redis-server")
    stack = ScaledStack(postgres_server, demo_pg_template, program, s3_server)
    try:
        yield stack
    finally:
        stack.close()
