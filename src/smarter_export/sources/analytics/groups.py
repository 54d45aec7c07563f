"""The groupings of analytics rows: each dimension's key and the label a person reads.

A group is (group_id, group_label). Facts without the dimension (a line on no matter, a matter
in no practice area) form a group of their own with a NULL id and a label that says so.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, String, func, literal
from sqlalchemy.sql import FromClause

from smarter_export.sources.analytics.filters import Dimension
from smarter_export.sources.sql import month_key
from smarter_export.tabular import ColumnKind, ExportColumn

# The row's first column, named after the dimension.
GROUP_COLUMNS: dict[Dimension, ExportColumn] = {
    "timekeeper": ExportColumn("timekeeper", "Timekeeper", ColumnKind.TEXT, 24),
    "matter": ExportColumn("matter", "Matter", ColumnKind.TEXT, 34),
    "client": ExportColumn("client", "Client", ColumnKind.TEXT, 28),
    "practice_area": ExportColumn("practiceArea", "Practice area", ColumnKind.TEXT, 22),
    "month": ExportColumn("month", "Month", ColumnKind.ID, 9),
    "firm": ExportColumn("firm", "Firm", ColumnKind.TEXT, 14),
}
GROUP_ID_COLUMN = ExportColumn("groupId", "Group id", ColumnKind.ID, 36)
TOTAL_LABEL = "Total (firm)"

_NONE = {"timekeeper": "(no timekeeper)", "matter": "(no matter)", "practice_area": "(none)"}


def _text(value: str) -> ColumnElement[Any]:
    return literal(value, String())


def group_of(
    dimension: Dimension,
    *,
    timekeeper: FromClause | None = None,
    matter: FromClause | None = None,
    client: FromClause | None = None,
    practice_area: FromClause | None = None,
    day: ColumnElement[Any] | None = None,
    month: ColumnElement[Any] | None = None,
) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
    """(group_id, group_label) of a fact, from the tables it is joined to.

    The month is the month of `day`, or `month` when the fact already has one ("2024-03").
    """
    if dimension == "firm":
        return _text("firm").label("group_id"), _text("Firm").label("group_label")
    if dimension == "month":
        if month is None:
            assert day is not None
            month = month_key(day)
        return month.label("group_id"), month.label("group_label")
    table = {
        "timekeeper": timekeeper,
        "matter": matter,
        "client": client,
        "practice_area": practice_area,
    }[dimension]
    assert table is not None, f"these facts cannot be grouped by {dimension}"
    name: ColumnElement[Any] = table.c.name
    if dimension == "matter":
        name = table.c.matter_number + _text(" ") + table.c.name
    label = name if dimension == "client" else func.coalesce(name, _text(_NONE[dimension]))
    return table.c.id.label("group_id"), label.label("group_label")
