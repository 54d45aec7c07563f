"""Run a source's statements directly, as the engine would, and hand back plain rows."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Engine

from smarter_export.domain.database import read_snapshot
from smarter_export.sources.base import Scope
from smarter_export.sources.registry import get_source


def export_rows(
    engine: Engine,
    source_name: str,
    tenant_id: str,
    params: Mapping[str, object] | None = None,
    *,
    include_confidential: bool = False,
) -> list[dict[str, object]]:
    source = get_source(source_name)
    query = source.parse(params or {})
    scope = Scope(tenant_id, include_confidential=include_confidential)
    with read_snapshot(engine) as connection:
        rows = connection.execute(source.statement(scope, query)).all()
        count = connection.execute(source.count_statement(scope, query)).scalar_one()
    assert count == len(rows)
    return [dict(zip(query.columns, row, strict=True)) for row in rows]


def child_rows(
    engine: Engine, source_name: str, tenant_id: str, params: Mapping[str, object] | None = None
) -> dict[str, list[tuple[object, ...]]]:
    source = get_source(source_name)
    query = source.parse(params or {})
    with read_snapshot(engine) as connection:
        return {
            child.spec.name: [tuple(r) for r in connection.execute(child.statement).all()]
            for child in source.child_tables(Scope(tenant_id), query)
        }
