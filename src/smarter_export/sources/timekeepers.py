"""Timekeepers: one row per lawyer, paralegal or staff member who records time."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field
from sqlalchemy import ColumnElement, Select, literal, select

from smarter_export.domain.tables import practice_area, timekeeper, timekeeper_specialty
from smarter_export.sources.base import DataSource, Filters, Scope, SortKey, SourceColumn
from smarter_export.sources.common import EntityId
from smarter_export.sources.sql import live, text_list
from smarter_export.tabular import ColumnKind as K
from smarter_export.tabular import ExportColumn as C

Role = Literal["partner", "associate", "of_counsel", "paralegal", "staff"]


class TimekeeperFilters(Filters):
    practice_area_id: EntityId | None = None
    role: Role | None = None
    status: Literal["active", "inactive"] | None = None
    active_only: bool = Field(False, description="Only active timekeepers.")


tk = timekeeper
pa = practice_area.alias("pa")
sp = timekeeper_specialty.alias("sp")

_names = (
    select(sp.c.name)
    .where(sp.c.timekeeper_id == tk.c.id, sp.c.tenant_id == tk.c.tenant_id, live(sp))
    .order_by(sp.c.name)
    .correlate(tk)
    .subquery()
)
_specialties = select(text_list(_names.c.name, literal("; "))).scalar_subquery()


class Timekeepers(DataSource):
    name = "timekeepers"
    title = "Timekeepers"
    description = "Timekeeper profiles, rates, specialties and targets."
    filters_model: ClassVar[type[Filters]] = TimekeeperFilters
    default_sort = (SortKey("name"),)

    def source_columns(self) -> tuple[SourceColumn, ...]:
        return (
            SourceColumn(C("name", "Name", K.TEXT, 24), tk.c.name),
            SourceColumn(C("email", "Email", K.TEXT, 28, whole=True), tk.c.email),
            SourceColumn(C("role", "Role", K.ID, 11), tk.c.role),
            SourceColumn(C("title", "Title", K.TEXT, 20), tk.c.title),
            SourceColumn(C("practiceArea", "Practice area", K.TEXT, 18), pa.c.name),
            SourceColumn(C("status", "Status", K.ID, 9), tk.c.status),
            SourceColumn(
                C("barAdmissionYear", "Bar admission", K.INTEGER, 9, grouped=False),
                tk.c.bar_admission_year,
            ),
            SourceColumn(C("rate", "Standard rate", K.MONEY, 11), tk.c.rate),
            SourceColumn(C("costRate", "Cost rate", K.MONEY, 11), tk.c.cost_rate),
            SourceColumn(
                C("annualTargetHours", "Target hours", K.INTEGER, 9), tk.c.annual_target_hours
            ),
            SourceColumn(C("specialties", "Specialties", K.TEXT, 30), _specialties),
            SourceColumn(C("userId", "User id", K.ID, 14), tk.c.user_id, default=False),
            SourceColumn(C("timekeeperId", "Timekeeper id", K.ID, 36), tk.c.id, default=False),
        )

    def base_query(self, scope: Scope, filters: Filters) -> Select[Any]:
        assert isinstance(filters, TimekeeperFilters)
        joined = tk.outerjoin(pa, pa.c.id == tk.c.practice_area_id)
        query = (
            select(tk.c.id).select_from(joined).where(tk.c.tenant_id == scope.tenant_id, live(tk))
        )
        f = filters
        if f.practice_area_id:
            query = query.where(tk.c.practice_area_id == f.practice_area_id)
        if f.role:
            query = query.where(tk.c.role == f.role)
        if f.status:
            query = query.where(tk.c.status == f.status)
        if f.active_only:
            query = query.where(tk.c.status == "active")
        return query

    def tiebreaker(self) -> ColumnElement[Any]:
        return tk.c.id
