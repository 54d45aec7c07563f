"""A status poll with a token already recorded asks the database nothing about its grants;
a newer token of the same user is still recorded, and still withdraws what it leaves out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, select

from smarter_export.auth.principal import Principal
from smarter_export.jobs.service import ExportService
from smarter_export.jobs.tables import user_grant
from smarter_export.settings import Settings
from tests.factories import make_tenant


def statements_during(engine: Engine, action: Any) -> int:
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def test_a_token_seen_before_costs_no_query_and_a_newer_one_is_recorded(
    engine: Engine, tmp_path: Path
) -> None:
    with engine.begin() as connection:
        firm = make_tenant(connection)
    service = ExportService(Settings(data_dir=tmp_path), engine, None, None, ())  # type: ignore[arg-type]
    first = Principal("ada", firm, "admin", frozenset({"export:*"}), issued_at=100)
    newer = Principal("ada", firm, "member", frozenset({"export:matters"}), issued_at=200)

    assert statements_during(engine, lambda: service.observe(first)) > 0
    assert statements_during(engine, lambda: service.observe(first)) == 0
    assert statements_during(engine, lambda: service.observe(newer)) > 0
    service.observe(first)  # the older token, seen again, gives nothing back

    with engine.connect() as connection:
        row = connection.execute(select(user_grant.c.role, user_grant.c.permissions)).one()
    assert (row.role, list(row.permissions)) == ("member", ["export:matters"])
