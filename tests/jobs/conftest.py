"""A small demo firm, made once per session, copied for each test that exports from it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from smarter_export.domain.database import make_engine
from smarter_export.domain.demo_data import DemoSize
from tests.live import make_template


@pytest.fixture(scope="session")
def small_firm_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_template(
        tmp_path_factory.mktemp("small") / "smarter_export.db",
        DemoSize(tenants=2, time_entries=2_000, seed=3),
    )


@pytest.fixture
def demo_engine(small_firm_template: Path, tmp_path: Path) -> Iterator[Engine]:
    path = tmp_path / "smarter_export.db"
    shutil.copy(small_firm_template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()
