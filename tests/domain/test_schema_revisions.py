"""The schema check every CLI export runs reads the revisions without Alembic: it must give
Alembic's own answer, on an empty database, part way and at the head, on SQLite and PostgreSQL,
and for scripts written as newer Alembic templates write them (annotated, merge tuples)."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from smarter_export.domain import schema
from smarter_export.domain.schema import alembic_config, newest_revision, schema_revisions
from tests.domain.test_migrations import empty_engine, migrate_to

__all__ = ["empty_engine"]  # the fixture, shared with the migration tests


def alembic_revisions(engine: Engine) -> tuple[str | None, str | None]:
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    return current, ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_the_head_read_from_the_scripts_is_alembics() -> None:
    assert newest_revision() == ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_the_database_revision_is_alembics_empty_part_way_and_at_head(empty_engine: Engine) -> None:
    assert schema_revisions(empty_engine) == alembic_revisions(empty_engine)
    assert schema_revisions(empty_engine)[0] is None
    migrate_to(empty_engine, "0003")
    assert schema_revisions(empty_engine) == alembic_revisions(empty_engine)
    assert schema_revisions(empty_engine)[0] == "0003"
    migrate_to(empty_engine, "head")
    current, head = schema_revisions(empty_engine)
    assert (current, head) == alembic_revisions(empty_engine)
    assert current == head


def test_annotated_and_merged_scripts_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    versions = tmp_path / "versions"
    versions.mkdir()
    (versions / "a.py").write_text('revision: str = "a"\ndown_revision: str | None = None\n')
    (versions / "b.py").write_text('revision = "b"\ndown_revision = "a"\n')
    (versions / "c.py").write_text("revision = 'c'\ndown_revision = 'a'\n")
    (versions / "d.py").write_text('"""merge"""\nrevision = "d"\ndown_revision = ("b", "c")\n')
    (versions / "__init__.py").write_text("")
    monkeypatch.setattr(schema, "MIGRATIONS", tmp_path)
    assert newest_revision() == "d"
