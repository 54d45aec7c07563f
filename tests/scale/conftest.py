"""Fixtures of the load test, and the report printed at the end of the run."""

from __future__ import annotations

import pytest

from smarter_export.domain.demo_data import DemoSize
from tests.scale.report import REPORTS
from tests.servers.postgres import PostgresServer

# Ten firms; the first has the large exports (its time entries), the others a tenth of them.
LOAD_FIRMS = DemoSize(tenants=10, time_entries=30_000, seed=21)


@pytest.fixture(scope="session")
def load_pg_template(postgres_server: PostgresServer, migrated_pg_template: str) -> str:
    return postgres_server.demo_template(
        "template_load", migrated=migrated_pg_template, size=LOAD_FIRMS
    )


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for title, lines in REPORTS.items():
        terminalreporter.section(title)
        for line in lines:
            terminalreporter.write_line(line)
