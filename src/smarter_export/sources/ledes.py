"""The invoices as LEDES needs them: one row per invoice with what e-billing says of it (the
firm's tax id, the client's code), and every line with its matter, timekeeper, date and UTBMS
codes.

It is the invoices source seen by the LEDES format: the same filters, validated the same way,
under the same permission; its columns are fixed, since a LEDES file's fields are. Only invoices
sent to the client are e-billed: drafts and void invoices are not part of it (a `status` filter
asking for them is refused, naming it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from sqlalchemy import ColumnElement, Select, case, select

from smarter_export.domain.tables import invoice_line_item, matter, tenant, timekeeper
from smarter_export.errors import ValidationFailed
from smarter_export.settings import Settings
from smarter_export.sources.base import (
    ChildTable,
    ExportQuery,
    Filters,
    Scope,
    SourceColumn,
)
from smarter_export.sources.invoices import InvoiceFilters, Invoices, c, i
from smarter_export.sources.sql import live, visible_matter
from smarter_export.tabular import ColumnKind as K
from smarter_export.tabular import ExportColumn as C
from smarter_export.tabular import TableSpec

NOT_BILLED = ("draft", "void")  # never sent to the client, so never e-billed
LINES = "ledes_lines"

li = invoice_line_item.alias("li")
m = matter.alias("m")
tk = timekeeper.alias("tk")


def _firm(column: str) -> ColumnElement[Any]:
    return select(tenant.c[column]).where(tenant.c.id == i.c.tenant_id).scalar_subquery()


# A line's kind in the file's order: fees, then expenses, then adjustments.
_line_rank = case((li.c.type == "expense", 1), (li.c.type == "adjustment", 2), else_=0)

LINE_COLUMNS: tuple[tuple[C, ColumnElement[Any]], ...] = (
    (C("invoiceId", "Invoice id", K.ID), li.c.invoice_id),
    (C("type", "Type", K.ID), li.c.type),
    (C("matterNumber", "Matter number", K.ID), m.c.matter_number),
    (C("matterName", "Matter", K.TEXT), m.c.name),
    (C("clientMatterId", "Client matter id", K.ID), m.c.client_matter_id),
    (C("description", "Description", K.TEXT), li.c.description),
    (C("quantity", "Quantity", K.DECIMAL), li.c.quantity),
    (C("rate", "Rate", K.MONEY), li.c.rate),
    (C("amount", "Amount", K.MONEY), li.c.amount),
    (C("date", "Date", K.DATE), li.c.date),
    (C("taskCode", "Task code", K.ID), li.c.task_code),
    (C("activityCode", "Activity code", K.ID), li.c.activity_code),
    (C("expenseCode", "Expense code", K.ID), li.c.expense_code),
    (C("timekeeperNumber", "Timekeeper number", K.ID), tk.c.timekeeper_number),
    (C("timekeeperName", "Timekeeper", K.TEXT), tk.c.name),
    (C("timekeeperFirstName", "First name", K.TEXT), tk.c.first_name),
    (C("timekeeperLastName", "Last name", K.TEXT), tk.c.last_name),
    (C("timekeeperRole", "Role", K.ID), tk.c.role),
)


class LedesInvoices(Invoices):
    """The invoices source with the columns and line items a LEDES file is made of."""

    title = "LEDES invoices"
    fixed_columns = True
    filters_model: ClassVar[type[Filters]] = InvoiceFilters

    def source_columns(self) -> tuple[SourceColumn, ...]:
        return tuple(
            SourceColumn(column, expression)
            for column, expression in (
                (C("invoiceId", "Invoice id", K.ID), i.c.id),
                (C("invoiceNumber", "Invoice number", K.ID), i.c.invoice_number),
                (C("issueDate", "Issued", K.DATE), i.c.issue_date),
                (C("status", "Status", K.ID), i.c.status),
                (C("subtotal", "Subtotal", K.MONEY), i.c.subtotal),
                (C("discount", "Discount", K.MONEY), i.c.discount),
                (C("tax", "Tax", K.MONEY), i.c.tax_amount),
                (C("total", "Total", K.MONEY), i.c.total),
                (C("taxRate", "Tax rate", K.DECIMAL), i.c.tax_rate),
                (C("taxType", "Tax type", K.ID), i.c.tax_type),
                (C("clientCode", "Client code", K.ID), c.c.client_code),
                (C("clientName", "Client", K.TEXT), c.c.name),
                (C("clientTaxId", "Client tax id", K.ID), c.c.tax_id),
                (C("clientAddress", "Address", K.TEXT), c.c.address),
                (C("clientCity", "City", K.TEXT), c.c.city),
                (C("clientState", "State", K.TEXT), c.c.state),
                (C("clientPostcode", "Postcode", K.ID), c.c.zip_code),
                (C("utbmsRequired", "UTBMS codes required", K.BOOLEAN), c.c.utbms_required),
                (C("firmTaxId", "Firm tax id", K.ID), _firm("tax_id")),
                (C("firmName", "Firm", K.TEXT), _firm("name")),
                (C("currency", "Currency", K.ID), _firm("currency")),
            )
        )

    def parse(self, raw: Mapping[str, object], settings: Settings | None = None) -> ExportQuery:
        params = dict(raw)
        fixed = list(self.column_names())
        # A frozen request carries the fixed list back to the worker; a caller may not choose.
        if params.get("columns") not in (None, fixed):
            raise ValidationFailed.one(
                "columns", "a LEDES file has the fixed fields of its version; leave columns out"
            )
        if params.get("status") in NOT_BILLED:
            raise ValidationFailed.one(
                "status",
                f"{params['status']} invoices are never sent to a client, so never e-billed",
            )
        params.pop("columns", None)
        return super().parse(params, settings)

    def base_query(self, scope: Scope, filters: Filters) -> Select[Any]:
        return super().base_query(scope, filters).where(i.c.status.not_in(NOT_BILLED))

    def child_tables(
        self, scope: Scope, query: ExportQuery, parents: int | None = None
    ) -> tuple[ChildTable, ...]:
        chosen = self.keys(scope, query, parents)
        spec = TableSpec(LINES, "LEDES line items", tuple(column for column, _ in LINE_COLUMNS))
        statement = (
            select(*(expression.label(column.name) for column, expression in LINE_COLUMNS))
            .select_from(
                li.join(i, i.c.id == li.c.invoice_id)
                .outerjoin(m, m.c.id == li.c.matter_id)
                .outerjoin(tk, tk.c.id == li.c.timekeeper_id)
            )
            .where(
                li.c.tenant_id == scope.tenant_id,
                live(li),
                li.c.invoice_id.in_(chosen),
                (li.c.matter_id.is_(None)) | visible_matter(m),
            )
            # An invoice's lines together, in the order a reader expects them.
            .order_by(i.c.issue_date, i.c.invoice_number, i.c.id, _line_rank, li.c.date, li.c.id)
        )
        return (ChildTable(spec, self.bind_scope(statement, scope, query)),)


LEDES_INVOICES = LedesInvoices()
