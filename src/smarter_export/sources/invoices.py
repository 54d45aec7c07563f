"""Invoices: one row per invoice with amounts and payment status; line items as a child table."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar, Literal

from pydantic import Field
from sqlalchemy import ColumnElement, Date, Select, bindparam, case, select

from smarter_export.domain.tables import client, invoice, invoice_line_item, matter
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
from smarter_export.sources.sql import days_between, live, money_from_cents, visible_matter
from smarter_export.tabular import ColumnKind as K
from smarter_export.tabular import ExportColumn as C
from smarter_export.tabular import TableSpec

AS_OF = "as_of"
PaymentStatus = Literal[
    "paid", "partially_paid", "unpaid", "overdue", "void", "written_off", "draft"
]


def _today() -> date:
    return datetime.now(UTC).date()


class InvoiceFilters(DateRange):
    """dateFrom/dateTo select invoices by their issue date."""

    client_id: EntityId | None = None
    status: Literal["draft", "sent", "paid", "partially_paid", "void", "written_off"] | None = None
    payment_status: PaymentStatus | None = Field(None, description="As of the asOf date.")
    as_of: date = Field(
        default_factory=_today,
        description="Day that payment status and days outstanding are reckoned at (default today).",
    )


i = invoice
c = client.alias("c")
li = invoice_line_item.alias("li")
_as_of = bindparam(AS_OF, type_=Date())
_open = i.c.status.in_(("sent", "partially_paid")) & (i.c.balance > 0)

payment_status = case(
    (i.c.status.in_(("void", "written_off", "draft")), i.c.status),
    (i.c.balance <= 0, "paid"),
    (i.c.due_date < _as_of, "overdue"),
    (i.c.balance < i.c.total, "partially_paid"),
    else_="unpaid",
)
days_outstanding = case(
    (_open, days_between(_as_of, i.c.issue_date)),
    (i.c.paid_date.is_not(None), days_between(i.c.paid_date, i.c.issue_date)),
    else_=None,
)
_paid = money_from_cents(case((i.c.status == "void", 0), else_=(i.c.total - i.c.balance) * 100))


class Invoices(DataSource):
    name = "invoices"
    title = "Invoices"
    description = "Invoice details, amounts, payment status; line items as a second table."
    filters_model: ClassVar[type[Filters]] = InvoiceFilters
    default_sort = (SortKey("issueDate"), SortKey("invoiceNumber"))

    def source_columns(self) -> tuple[SourceColumn, ...]:
        return (
            SourceColumn(C("invoiceNumber", "Invoice number", K.ID, 14), i.c.invoice_number),
            SourceColumn(C("client", "Client", K.TEXT, 28), c.c.name),
            SourceColumn(C("issueDate", "Issued", K.DATE, 11), i.c.issue_date),
            SourceColumn(C("dueDate", "Due", K.DATE, 11), i.c.due_date),
            SourceColumn(C("subtotal", "Subtotal", K.MONEY, 12, total=True), i.c.subtotal),
            SourceColumn(C("tax", "Tax", K.MONEY, 10, total=True), i.c.tax_amount),
            SourceColumn(C("discount", "Discount", K.MONEY, 10, total=True), i.c.discount),
            SourceColumn(C("total", "Total", K.MONEY, 12, total=True), i.c.total),
            SourceColumn(C("paid", "Paid", K.MONEY, 12, total=True), _paid),
            SourceColumn(C("balance", "Balance", K.MONEY, 12, total=True), i.c.balance),
            SourceColumn(C("paymentStatus", "Payment status", K.ID, 13), payment_status),
            SourceColumn(C("daysOutstanding", "Days outstanding", K.INTEGER, 10), days_outstanding),
            SourceColumn(C("status", "Status", K.ID, 12), i.c.status),
            SourceColumn(C("sentDate", "Sent", K.DATE, 11), i.c.sent_date, default=False),
            SourceColumn(C("paidDate", "Paid on", K.DATE, 11), i.c.paid_date, default=False),
            SourceColumn(C("notes", "Notes", K.TEXT, 30), i.c.notes, default=False),
            SourceColumn(C("invoiceId", "Invoice id", K.ID, 36), i.c.id, default=False),
            SourceColumn(C("clientId", "Client id", K.ID, 36), c.c.id, default=False),
        )

    def parameters(self, query: ExportQuery) -> dict[str, object]:
        assert isinstance(query.filters, InvoiceFilters)
        return {AS_OF: query.filters.as_of}

    def base_query(self, scope: Scope, filters: Filters) -> Select[Any]:
        assert isinstance(filters, InvoiceFilters)
        joined = i.join(c, c.c.id == i.c.client_id)
        query = select(i.c.id).select_from(joined).where(i.c.tenant_id == scope.tenant_id, live(i))
        f = filters
        if f.date_from:
            query = query.where(i.c.issue_date >= f.date_from)
        if f.date_to:
            query = query.where(i.c.issue_date <= f.date_to)
        if f.client_id:
            query = query.where(i.c.client_id == f.client_id)
        if f.status:
            query = query.where(i.c.status == f.status)
        if f.payment_status:
            query = query.where(payment_status == f.payment_status)
        return query

    def tiebreaker(self) -> ColumnElement[Any]:
        return i.c.id

    def child_tables(
        self, scope: Scope, query: ExportQuery, parents: int | None = None
    ) -> tuple[ChildTable, ...]:
        chosen = self.keys(scope, query, parents)
        m = matter.alias("m")
        spec = TableSpec(
            "line_items",
            "Invoice line items",
            (
                C("invoiceNumber", "Invoice number", K.ID, 14),
                C("matterNumber", "Matter number", K.ID, 13),
                C("type", "Type", K.ID, 10),
                C("description", "Description", K.TEXT, 40),
                C("quantity", "Quantity", K.DECIMAL, 9),
                C("rate", "Rate", K.MONEY, 10),
                C("amount", "Amount", K.MONEY, 12, total=True),
            ),
        )
        statement = (
            select(
                i.c.invoice_number,
                m.c.matter_number,
                li.c.type,
                li.c.description,
                li.c.quantity,
                li.c.rate,
                li.c.amount,
            )
            .select_from(
                li.join(i, i.c.id == li.c.invoice_id).outerjoin(m, m.c.id == li.c.matter_id)
            )
            .where(
                li.c.tenant_id == scope.tenant_id,
                live(li),
                li.c.invoice_id.in_(chosen),
                (li.c.matter_id.is_(None)) | visible_matter(m),
            )
            .order_by(i.c.issue_date, i.c.invoice_number, li.c.id)
        )
        return (ChildTable(spec, self.bind_scope(statement, scope, query)),)
