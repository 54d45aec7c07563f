"""Clients: one row per client, contacts and matter history; their matters as a child table."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field
from sqlalchemy import ColumnElement, Select, func, select

from smarter_export.domain.tables import client, invoice, matter, payment, practice_area, timekeeper
from smarter_export.sources.base import (
    ChildTable,
    DataSource,
    ExportQuery,
    Filters,
    Scope,
    SortKey,
    SourceColumn,
)
from smarter_export.sources.common import DateRange, EntityId
from smarter_export.sources.sql import live, money_sum, visible_matter
from smarter_export.tabular import ColumnKind as K
from smarter_export.tabular import ExportColumn as C
from smarter_export.tabular import TableSpec

BILLED_STATUSES = ("sent", "paid", "partially_paid", "written_off")
OPEN_STATUSES = ("sent", "partially_paid")


class ClientFilters(DateRange):
    """dateFrom/dateTo select clients by their onboarding date."""

    timekeeper_id: EntityId | None = Field(None, description="Clients of this primary attorney.")
    type: Literal["individual", "company", "government", "nonprofit"] | None = None
    status: Literal["active", "inactive", "lead"] | None = None
    active_only: bool = Field(False, description="Only active clients.")


c = client
att = timekeeper.alias("att")
m = matter.alias("m")
inv = invoice.alias("inv")
pay = payment.alias("pay")


def _of_client(table: Any) -> list[ColumnElement[bool]]:
    return [table.c.client_id == c.c.id, table.c.tenant_id == c.c.tenant_id, live(table)]


def _matters(value: ColumnElement[Any], *extra: ColumnElement[bool]) -> ColumnElement[Any]:
    return select(value).where(*_of_client(m), visible_matter(m), *extra).scalar_subquery()


def _invoices(value: ColumnElement[Any], statuses: tuple[str, ...]) -> ColumnElement[Any]:
    return select(value).where(*_of_client(inv), inv.c.status.in_(statuses)).scalar_subquery()


_collected = (
    select(money_sum(pay.c.amount))
    .select_from(pay.join(inv, inv.c.id == pay.c.invoice_id))
    .where(*_of_client(inv), live(pay), inv.c.status != "void")
    .scalar_subquery()
)


class Clients(DataSource):
    name = "clients"
    title = "Clients"
    description = "Client details, contacts, primary attorney and matter history."
    filters_model: ClassVar[type[Filters]] = ClientFilters
    default_sort = (SortKey("name"),)

    def source_columns(self) -> tuple[SourceColumn, ...]:
        return (
            SourceColumn(C("name", "Client", K.TEXT, 28), c.c.name),
            SourceColumn(C("type", "Type", K.ID, 11), c.c.type),
            SourceColumn(C("status", "Status", K.ID, 9), c.c.status),
            SourceColumn(C("contactPerson", "Contact", K.TEXT, 20), c.c.contact_person_name),
            SourceColumn(C("email", "Email", K.TEXT, 26, whole=True), c.c.email),
            SourceColumn(C("phone", "Phone", K.ID, 15), c.c.phone),
            SourceColumn(C("address", "Address", K.TEXT, 26), c.c.address),
            SourceColumn(C("city", "City", K.TEXT, 14), c.c.city),
            SourceColumn(C("state", "State", K.TEXT, 8), c.c.state),
            SourceColumn(C("zipCode", "ZIP", K.ID, 8), c.c.zip_code),
            SourceColumn(C("country", "Country", K.TEXT, 12), c.c.country),
            SourceColumn(C("primaryAttorney", "Primary attorney", K.TEXT, 22), att.c.name),
            SourceColumn(C("onboardingDate", "Onboarded", K.DATE, 11), c.c.onboarding_date),
            SourceColumn(C("mattersTotal", "Matters", K.INTEGER, 8), _matters(func.count())),
            SourceColumn(
                C("mattersOpen", "Open matters", K.INTEGER, 8),
                _matters(func.count(), m.c.status == "active"),
            ),
            SourceColumn(
                C("firstMatterDate", "First matter", K.DATE, 11), _matters(func.min(m.c.open_date))
            ),
            SourceColumn(
                C("latestMatterDate", "Latest matter", K.DATE, 11),
                _matters(func.max(m.c.open_date)),
            ),
            SourceColumn(
                C("lifetimeBilled", "Billed", K.MONEY, 13, total=True),
                _invoices(money_sum(inv.c.total), BILLED_STATUSES),
            ),
            SourceColumn(C("lifetimeCollected", "Collected", K.MONEY, 13, total=True), _collected),
            SourceColumn(
                C("outstanding", "Outstanding", K.MONEY, 13, total=True),
                _invoices(money_sum(inv.c.balance), OPEN_STATUSES),
            ),
            SourceColumn(C("clientId", "Client id", K.ID, 36), c.c.id, default=False),
        )

    def base_query(self, scope: Scope, filters: Filters) -> Select[Any]:
        assert isinstance(filters, ClientFilters)
        joined = c.outerjoin(att, att.c.id == c.c.primary_attorney_id)
        query = select(c.c.id).select_from(joined).where(c.c.tenant_id == scope.tenant_id, live(c))
        f = filters
        if f.date_from:
            query = query.where(c.c.onboarding_date >= f.date_from)
        if f.date_to:
            query = query.where(c.c.onboarding_date <= f.date_to)
        if f.timekeeper_id:
            query = query.where(c.c.primary_attorney_id == f.timekeeper_id)
        if f.type:
            query = query.where(c.c.type == f.type)
        if f.status:
            query = query.where(c.c.status == f.status)
        if f.active_only:
            query = query.where(c.c.status == "active")
        return query

    def tiebreaker(self) -> ColumnElement[Any]:
        return c.c.id

    def child_tables(
        self, scope: Scope, query: ExportQuery, parents: int | None = None
    ) -> tuple[ChildTable, ...]:
        chosen = self.keys(scope, query, parents)
        matter_client = client.alias("mc")
        pa = practice_area.alias("pa")
        resp = timekeeper.alias("resp")
        spec = TableSpec(
            "client_matters",
            "Client matters",
            (
                C("client", "Client", K.TEXT, 28),
                C("matterNumber", "Matter number", K.ID, 13),
                C("matter", "Matter", K.TEXT, 30),
                C("practiceArea", "Practice area", K.TEXT, 18),
                C("status", "Status", K.ID, 9),
                C("responsibleAttorney", "Responsible attorney", K.TEXT, 22),
                C("openDate", "Opened", K.DATE, 11),
                C("closeDate", "Closed", K.DATE, 11),
            ),
        )
        statement = (
            select(
                matter_client.c.name,
                m.c.matter_number,
                m.c.name,
                pa.c.name,
                m.c.status,
                resp.c.name,
                m.c.open_date,
                m.c.close_date,
            )
            .select_from(
                m.join(matter_client, matter_client.c.id == m.c.client_id)
                .outerjoin(pa, pa.c.id == m.c.practice_area_id)
                .outerjoin(resp, resp.c.id == m.c.responsible_attorney_id)
            )
            .where(
                m.c.tenant_id == scope.tenant_id,
                live(m),
                visible_matter(m),
                m.c.client_id.in_(chosen),
            )
            .order_by(matter_client.c.name, matter_client.c.id, m.c.matter_number)
        )
        return (ChildTable(spec, self.bind_scope(statement, scope, query)),)
