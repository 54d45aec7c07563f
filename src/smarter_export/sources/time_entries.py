"""Time entries: one row per recorded piece of work, with its timekeeper, matter and client."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field
from sqlalchemy import ColumnElement, Select, and_, select

from smarter_export.domain.tables import (
    client,
    invoice,
    matter,
    practice_area,
    time_entry,
    timekeeper,
)
from smarter_export.sources.base import (
    DataSource,
    ExportQuery,
    Filters,
    Scope,
    SortKey,
    SourceColumn,
)
from smarter_export.sources.common import DateRange, EntityId
from smarter_export.sources.keyed import Counter, KeyedRows, Lookup, keyed_rows
from smarter_export.sources.sql import amount, hours, live, visible_matter
from smarter_export.tabular import ColumnKind as K
from smarter_export.tabular import ExportColumn as C


class TimeEntryFilters(DateRange):
    practice_area_id: EntityId | None = Field(None, description="Matters of this practice area.")
    client_id: EntityId | None = None
    matter_id: EntityId | None = None
    timekeeper_id: EntityId | None = None
    status: Literal["draft", "submitted", "approved", "billed"] | None = None
    billable_status: Literal["billable", "non_billable", "no_charge"] | None = None


te = time_entry
tk = timekeeper.alias("tk")
m = matter.alias("m")
c = client.alias("c")
pa = practice_area.alias("pa")
inv = invoice.alias("inv")


# The entry's invoice, if the firm's: an entry pointing at another firm's invoice shows none,
# never that firm's number (the keyed rows' dict of the firm's invoices fails such an export).
_its_invoice = and_(inv.c.id == te.c.invoice_id, inv.c.tenant_id == te.c.tenant_id)


class TimeEntries(DataSource):
    name = "time_entries"
    title = "Time entries"
    description = "Billable and non-billable time records."
    filters_model: ClassVar[type[Filters]] = TimeEntryFilters
    default_sort = (SortKey("date"),)

    def source_columns(self) -> tuple[SourceColumn, ...]:
        return (
            SourceColumn(C("date", "Date", K.DATE, 11), te.c.date),
            SourceColumn(C("timekeeper", "Timekeeper", K.TEXT, 22), tk.c.name),
            SourceColumn(C("client", "Client", K.TEXT, 28), c.c.name),
            SourceColumn(C("matterNumber", "Matter number", K.ID, 14), m.c.matter_number),
            SourceColumn(C("matter", "Matter", K.TEXT, 30), m.c.name),
            SourceColumn(C("activityCode", "Activity code", K.ID, 9), te.c.activity_code),
            SourceColumn(C("description", "Description", K.TEXT, 40), te.c.description),
            SourceColumn(
                C("hours", "Hours", K.DECIMAL, 8, total=True), hours(te.c.duration_minutes)
            ),
            SourceColumn(C("rate", "Rate", K.MONEY, 10), te.c.rate),
            SourceColumn(
                C("amount", "Amount", K.MONEY, 12, total=True),
                amount(te.c.rate, te.c.duration_minutes),
            ),
            SourceColumn(C("billableStatus", "Billable status", K.ID, 12), te.c.billable_status),
            SourceColumn(C("status", "Status", K.ID, 10), te.c.status),
            SourceColumn(C("invoiceNumber", "Invoice number", K.ID, 14), inv.c.invoice_number),
            SourceColumn(C("practiceArea", "Practice area", K.TEXT, 18), pa.c.name, default=False),
            SourceColumn(
                C("minutes", "Minutes", K.INTEGER, 8), te.c.duration_minutes, default=False
            ),
            SourceColumn(C("timeEntryId", "Time entry id", K.ID, 36), te.c.id, default=False),
            SourceColumn(C("timekeeperId", "Timekeeper id", K.ID, 36), tk.c.id, default=False),
            SourceColumn(C("matterId", "Matter id", K.ID, 36), m.c.id, default=False),
            SourceColumn(C("clientId", "Client id", K.ID, 36), c.c.id, default=False),
        )

    def base_query(self, scope: Scope, filters: Filters) -> Select[Any]:
        assert isinstance(filters, TimeEntryFilters)
        joined = (
            te.join(tk, tk.c.id == te.c.timekeeper_id)
            .join(m, m.c.id == te.c.matter_id)
            .join(c, c.c.id == m.c.client_id)
            .outerjoin(pa, pa.c.id == m.c.practice_area_id)
            .outerjoin(inv, _its_invoice)
        )
        # Only the time entry itself must be live: its timekeeper or matter may have been
        # archived since, and the work still happened.
        return (
            select(te.c.id)
            .select_from(joined)
            .where(*_entry_conditions(scope, filters), visible_matter(m))
            .where(*_matter_conditions(filters))
        )

    def keyed_rows(
        self, scope: Scope, query: ExportQuery, count: Counter, most_rows: int | None = None
    ) -> KeyedRows | None:
        """The time entries with the names of their people, matters and invoices looked up by
        key (see `sources/keyed.py`); the matters they may show are a list the database checks
        each entry against."""
        filters = query.filters
        assert isinstance(filters, TimeEntryFilters)
        entries = select(te.c.id).select_from(te).where(*_entry_conditions(scope, filters))
        matter_conditions = _matter_conditions(filters)
        if matter_conditions or not scope.include_confidential:
            shown = select(m.c.id).where(
                m.c.tenant_id == scope.tenant_id, visible_matter(m), *matter_conditions
            )
            entries = entries.where(te.c.matter_id.in_(shown))
        by_name = {column.column.name: column.expression for column in self.source_columns()}
        tenant = scope.tenant_id
        lookups = (
            Lookup(
                te.c.timekeeper_id, select(tk.c.id).where(tk.c.tenant_id == tenant), frozenset({tk})
            ),
            Lookup(
                te.c.matter_id,
                select(m.c.id)
                .select_from(
                    m.join(c, c.c.id == m.c.client_id).outerjoin(
                        pa, pa.c.id == m.c.practice_area_id
                    )
                )
                .where(m.c.tenant_id == tenant),
                frozenset({m, c, pa}),
            ),
            # An entry not yet billed has none; a firm's invoices grow with its years of billing.
            Lookup(
                te.c.invoice_id,
                select(inv.c.id).where(inv.c.tenant_id == tenant),
                frozenset({inv}),
                nullable=True,
                joined_on=_its_invoice,
            ),
        )
        return keyed_rows(
            [by_name[name] for name in query.columns],
            self.bind_scope(entries, scope, query),
            frozenset({te}),
            lookups,
            self._order(query),
            count=count,
            most_rows=most_rows,
        )

    def tiebreaker(self) -> ColumnElement[Any]:
        return te.c.id


def _entry_conditions(scope: Scope, filters: Filters) -> list[ColumnElement[bool]]:
    """The conditions on the time entry itself: the firm's, live, and the filters on it."""
    assert isinstance(filters, TimeEntryFilters)
    f = filters
    conditions: list[ColumnElement[bool]] = [te.c.tenant_id == scope.tenant_id, live(te)]
    if f.date_from:
        conditions.append(te.c.date >= f.date_from)
    if f.date_to:
        conditions.append(te.c.date <= f.date_to)
    if f.matter_id:
        conditions.append(te.c.matter_id == f.matter_id)
    if f.timekeeper_id:
        conditions.append(te.c.timekeeper_id == f.timekeeper_id)
    if f.status:
        conditions.append(te.c.status == f.status)
    if f.billable_status:
        conditions.append(te.c.billable_status == f.billable_status)
    return conditions


def _matter_conditions(filters: Filters) -> list[ColumnElement[bool]]:
    """The filters on the entry's matter."""
    assert isinstance(filters, TimeEntryFilters)
    conditions: list[ColumnElement[bool]] = []
    if filters.practice_area_id:
        conditions.append(m.c.practice_area_id == filters.practice_area_id)
    if filters.client_id:
        conditions.append(m.c.client_id == filters.client_id)
    return conditions
