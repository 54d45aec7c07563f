"""Matters: one row per matter, with its people, dates, terms and the time worked and billed."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field
from sqlalchemy import ColumnElement, Select, func, select

from smarter_export.domain.tables import client, matter, practice_area, time_entry, timekeeper
from smarter_export.sources.base import DataSource, Filters, Scope, SortKey, SourceColumn
from smarter_export.sources.common import DateRange, EntityId
from smarter_export.sources.sql import amount, hours, live, money_sum, visible_matter
from smarter_export.tabular import ColumnKind as K
from smarter_export.tabular import ExportColumn as C


class MatterFilters(DateRange):
    """dateFrom/dateTo select matters by their open date."""

    practice_area_id: EntityId | None = None
    client_id: EntityId | None = None
    timekeeper_id: EntityId | None = Field(
        None, description="Matters this timekeeper is responsible for or originated."
    )
    status: Literal["active", "inactive", "closed"] | None = None
    billing_type: Literal["hourly", "fixed", "contingency"] | None = None
    active_only: bool = Field(False, description="Only active matters.")


m = matter
c = client.alias("c")
pa = practice_area.alias("pa")
resp = timekeeper.alias("resp")
orig = timekeeper.alias("orig")
te = time_entry.alias("te")


def _worked(*, billed_only: bool, measure: str) -> ColumnElement[Any]:
    """Hours or amount of the matter's live time entries, all of them or only those billed."""
    value = (
        hours(func.coalesce(func.sum(te.c.duration_minutes), 0))
        if measure == "hours"
        else money_sum(amount(te.c.rate, te.c.duration_minutes))
    )
    query = select(value).where(te.c.matter_id == m.c.id, te.c.tenant_id == m.c.tenant_id, live(te))
    if billed_only:
        query = query.where(te.c.status == "billed")
    return query.scalar_subquery()


class Matters(DataSource):
    name = "matters"
    title = "Matters"
    description = "Matter details, status, practice area, attorneys, hours and amounts to date."
    filters_model: ClassVar[type[Filters]] = MatterFilters
    default_sort = (SortKey("matterNumber"),)

    def source_columns(self) -> tuple[SourceColumn, ...]:
        return (
            SourceColumn(C("matterNumber", "Matter number", K.ID, 13), m.c.matter_number),
            SourceColumn(C("name", "Matter", K.TEXT, 30), m.c.name),
            SourceColumn(C("client", "Client", K.TEXT, 26), c.c.name),
            SourceColumn(C("practiceArea", "Practice area", K.TEXT, 18), pa.c.name),
            SourceColumn(C("status", "Status", K.ID, 9), m.c.status),
            SourceColumn(C("billingType", "Billing type", K.ID, 11), m.c.billing_type),
            SourceColumn(C("responsibleAttorney", "Responsible attorney", K.TEXT, 22), resp.c.name),
            SourceColumn(C("originatingAttorney", "Originating attorney", K.TEXT, 22), orig.c.name),
            SourceColumn(C("openDate", "Opened", K.DATE, 11), m.c.open_date),
            SourceColumn(C("closeDate", "Closed", K.DATE, 11), m.c.close_date),
            SourceColumn(C("hourlyRate", "Hourly rate", K.MONEY, 11), m.c.hourly_rate),
            SourceColumn(C("fixedFee", "Fixed fee", K.MONEY, 12), m.c.fixed_fee_amount),
            SourceColumn(
                C("hoursWorked", "Hours worked", K.DECIMAL, 10, total=True),
                _worked(billed_only=False, measure="hours"),
            ),
            SourceColumn(
                C("amountWorked", "Amount worked", K.MONEY, 13, total=True),
                _worked(billed_only=False, measure="amount"),
            ),
            SourceColumn(
                C("hoursBilled", "Hours billed", K.DECIMAL, 10, total=True),
                _worked(billed_only=True, measure="hours"),
            ),
            SourceColumn(
                C("amountBilled", "Amount billed", K.MONEY, 13, total=True),
                _worked(billed_only=True, measure="amount"),
            ),
            SourceColumn(
                C("description", "Description", K.TEXT, 40), m.c.description, default=False
            ),
            SourceColumn(C("matterId", "Matter id", K.ID, 36), m.c.id, default=False),
            SourceColumn(C("clientId", "Client id", K.ID, 36), c.c.id, default=False),
        )

    def base_query(self, scope: Scope, filters: Filters) -> Select[Any]:
        assert isinstance(filters, MatterFilters)
        joined = (
            m.join(c, c.c.id == m.c.client_id)
            .outerjoin(pa, pa.c.id == m.c.practice_area_id)
            .outerjoin(resp, resp.c.id == m.c.responsible_attorney_id)
            .outerjoin(orig, orig.c.id == m.c.originating_attorney_id)
        )
        query = (
            select(m.c.id)
            .select_from(joined)
            .where(m.c.tenant_id == scope.tenant_id, live(m), visible_matter(m))
        )
        f = filters
        if f.date_from:
            query = query.where(m.c.open_date >= f.date_from)
        if f.date_to:
            query = query.where(m.c.open_date <= f.date_to)
        if f.practice_area_id:
            query = query.where(m.c.practice_area_id == f.practice_area_id)
        if f.client_id:
            query = query.where(m.c.client_id == f.client_id)
        if f.timekeeper_id:
            query = query.where(
                (m.c.responsible_attorney_id == f.timekeeper_id)
                | (m.c.originating_attorney_id == f.timekeeper_id)
            )
        if f.status:
            query = query.where(m.c.status == f.status)
        if f.billing_type:
            query = query.where(m.c.billing_type == f.billing_type)
        if f.active_only:
            query = query.where(m.c.status == "active")
        return query

    def tiebreaker(self) -> ColumnElement[Any]:
        return m.c.id
