"""Fixtures for tests that drive the real service over HTTP (a plugin: see tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from smarter_export.domain.demo_data import DemoSize
from tests.live import LiveFactory, LiveService, make_template


def factory_over(template: Path, folder: Path) -> Iterator[LiveFactory]:
    factory = LiveFactory(template, folder)
    try:
        yield factory
    finally:
        factory.close()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One small demo database (two firms) for the whole session; every test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "smarter_export.db"
    return make_template(path, DemoSize(tenants=2, time_entries=3_000, seed=11))


@pytest.fixture
def live(demo_template: Path, tmp_path: Path) -> Iterator[LiveFactory]:
    yield from factory_over(demo_template, tmp_path)


@pytest.fixture(scope="module")
def shared_service(
    demo_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveService]:
    """One running API with its in-process worker, shared by a module's tests."""
    factory = LiveFactory(demo_template, tmp_path_factory.mktemp("shared"))
    service = factory("shared")
    service.start_api()
    try:
        yield service
    finally:
        factory.close()


@pytest.fixture(scope="session")
def large_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo firm big enough that an Excel export of its time entries takes a few seconds
    (the streamed writer does 50,000 to 100,000 rows a second on a busy test machine)."""
    path = tmp_path_factory.mktemp("large") / "smarter_export.db"
    return make_template(path, DemoSize(tenants=1, time_entries=150_000, seed=5))


@pytest.fixture
def live_large(large_template: Path, tmp_path: Path) -> Iterator[LiveFactory]:
    yield from factory_over(large_template, tmp_path)
