"""Bring a database to the newest schema with Alembic (the only way tables are created), and
tell whether it is there.

The check runs before every CLI export and needs only the revision ids, so it reads them
without Alembic: importing Alembic and its migration scripts would add about 11 MB and a tenth of
a second to an export that never migrates (`tests/domain/test_migrations.py` holds the check to
Alembic's own answer).
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
VERSION_TABLE = "alembic_version"  # Alembic's default, which `env.py` keeps


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


# Any fixed number: the key of the advisory lock that serialises migrations on PostgreSQL.
MIGRATION_LOCK_KEY = 0x5E_E4_90_27


def upgrade(engine: Engine) -> None:
    """Migrate to head. Several processes may start at once (two API processes of a deploy):
    on PostgreSQL they queue on an advisory lock held to the end of the migration's
    transaction, and the later ones find nothing left to do. SQLite serialises writers itself."""
    from alembic import command

    config = alembic_config()
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
            )
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def schema_revisions(engine: Engine) -> tuple[str | None, str | None]:
    """(the database's migration revision, or None if it has no schema; the newest one)."""
    with engine.connect() as connection:
        current = None
        if inspect(connection).has_table(VERSION_TABLE):
            current = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
    return current, newest_revision()


def newest_revision() -> str | None:
    """The head of the migration scripts, read from their `revision` and `down_revision` lines
    without running them. Anything but one plain chain (a merge still to be made) is left to
    Alembic, which names the heads in its error."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        found = _revision_lines(script)
        if "revision" not in found:
            continue
        revision, down = found["revision"], found.get("down_revision")
        if not isinstance(revision, str):
            return _alembic_head()
        revisions.add(revision)
        parents.update(down if isinstance(down, tuple) else (down,) if down else ())
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else _alembic_head()


def _revision_lines(script: Path) -> dict[str, object]:
    found: dict[str, object] = {}
    for statement in ast.parse(script.read_text(encoding="utf-8")).body:
        target: ast.expr
        if isinstance(statement, ast.AnnAssign) and statement.value is not None:
            target, value = statement.target, statement.value
        elif isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target, value = statement.targets[0], statement.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
            found[target.id] = ast.literal_eval(value)
    return found


def _alembic_head() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()
