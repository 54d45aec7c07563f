"""Shared fixtures: a real SQLite file with the real schema, made by the real migrations."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from smarter_export.domain.database import make_engine
from smarter_export.domain.schema import upgrade

# The live-service fixtures (demo databases, real `serve`/`worker` processes) for every folder.
pytest_plugins = ["tests.live_fixtures"]


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    db = make_engine(f"sqlite:///{tmp_path / 'firm.db'}")
    upgrade(db)
    yield db
    db.dispose()
