"""What a person may pick for an id filter (`clientId`, `matterId`, ...): the firm's own records.

Filters that take an id are typed as UUIDs, which nobody can type from memory; the web page
offers these records in a select instead. One lookup per filter name, every query bound to the
caller's tenant, soft-deleted records left out, confidential matters only for those who may see
them (the same rule as the exports themselves).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, Table, select

from smarter_export.domain.tables import client, matter, practice_area, timekeeper
from smarter_export.sources.base import Scope
from smarter_export.sources.sql import live


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class Choices:
    filter_name: str
    choices: tuple[Choice, ...]
    truncated: bool  # more records than the limit: the page then lets the id be typed too


@dataclass(frozen=True)
class Lookup:
    """The records behind one id filter and how each is labelled."""

    table: Table
    label: ColumnElement[Any]
    confidential_matters: bool = False

    def statement(self, scope: Scope, limit: int) -> Select[Any]:
        query = (
            select(self.table.c.id, self.label.label("label"))
            .where(self.table.c.tenant_id == scope.tenant_id, live(self.table))
            .order_by(self.label, self.table.c.id)
            .limit(limit + 1)
        )
        if self.confidential_matters and not scope.include_confidential:
            query = query.where(self.table.c.is_confidential.is_(False))
        return query


LOOKUPS: dict[str, Lookup] = {
    "practiceAreaId": Lookup(practice_area, practice_area.c.name),
    "clientId": Lookup(client, client.c.name),
    "timekeeperId": Lookup(timekeeper, timekeeper.c.name),
    "matterId": Lookup(
        matter, matter.c.matter_number + " " + matter.c.name, confidential_matters=True
    ),
}


def fetch_choices(connection: Connection, filter_name: str, scope: Scope, limit: int) -> Choices:
    """Up to `limit` records of the tenant for `filter_name`, by label; a known name only."""
    rows = connection.execute(LOOKUPS[filter_name].statement(scope, limit)).all()
    return Choices(
        filter_name,
        tuple(Choice(str(row.id), str(row.label)) for row in rows[:limit]),
        truncated=len(rows) > limit,
    )


def record_labels(
    connection: Connection, scope: Scope, filters: Sequence[tuple[str, object]]
) -> dict[str, str]:
    """{id filter: the label of the record it names}, for the filters among `filters` that name
    one the caller may see; a record that is gone or hidden is left out (the id stands)."""
    labels = {}
    for name, value in filters:
        lookup = LOOKUPS.get(name)
        if lookup is None:
            continue
        statement = lookup.statement(scope, 1).where(lookup.table.c.id == str(value))
        row = connection.execute(statement).first()
        if row is not None:
            labels[name] = str(row.label)
    return labels
