"""ledes fields: what LEDES e-billing needs of the firm, its clients, matters, people and lines

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30

Existing rows are filled where the data already says it: a time entry's `activity_code` held
task and activity codes alike, so codes other than A1xx move to `task_code`; a line item takes
the timekeeper, date and codes of its time entry; a timekeeper's name splits at its first space
into first and last name (a firm corrects the few it gets wrong); an invoice without tax has a
tax rate of 0. What no row says (tax ids, client codes, timekeeper numbers, the client's matter
references) stays empty, and a LEDES export names it when it is needed.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMNs (no batch copy of the tables): SQLite adds them in place, so tables
    # other rows point at are never dropped and re-made under their foreign keys.
    op.add_column("tenant", sa.Column("tax_id", sa.String(length=50), nullable=True))
    op.add_column("timekeeper", sa.Column("timekeeper_number", sa.String(length=20)))
    op.add_column("timekeeper", sa.Column("first_name", sa.String(length=100)))
    op.add_column("timekeeper", sa.Column("last_name", sa.String(length=100)))
    op.add_column("client", sa.Column("client_code", sa.String(length=20)))
    op.add_column("client", sa.Column("tax_id", sa.String(length=50)))
    op.add_column(
        "client",
        sa.Column("utbms_required", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column("matter", sa.Column("client_matter_id", sa.String(length=50)))
    op.add_column("time_entry", sa.Column("task_code", sa.String(length=10)))
    op.add_column("invoice", sa.Column("tax_rate", sa.Numeric(10, 4)))
    op.add_column("invoice", sa.Column("tax_type", sa.String(length=20)))
    # No table points at the line items, so SQLite may copy theirs to add the foreign key.
    with op.batch_alter_table("invoice_line_item") as batch_op:
        batch_op.add_column(sa.Column("timekeeper_id", sa.String(length=36)))
        batch_op.add_column(sa.Column("date", sa.Date()))
        batch_op.add_column(sa.Column("task_code", sa.String(length=10)))
        batch_op.add_column(sa.Column("activity_code", sa.String(length=10)))
        batch_op.add_column(sa.Column("expense_code", sa.String(length=10)))
        batch_op.create_foreign_key(
            op.f("fk_invoice_line_item_timekeeper_id_timekeeper"),
            "timekeeper",
            ["timekeeper_id"],
            ["id"],
        )
    _fill_existing_rows()


def _fill_existing_rows() -> None:
    op.execute(
        "UPDATE time_entry SET task_code = activity_code, activity_code = NULL "
        "WHERE activity_code IS NOT NULL AND activity_code NOT LIKE 'A%'"
    )
    op.execute(
        "UPDATE invoice_line_item SET "
        "timekeeper_id = (SELECT t.timekeeper_id FROM time_entry t "
        "WHERE t.id = invoice_line_item.time_entry_id), "
        "date = (SELECT t.date FROM time_entry t WHERE t.id = invoice_line_item.time_entry_id), "
        "task_code = (SELECT t.task_code FROM time_entry t "
        "WHERE t.id = invoice_line_item.time_entry_id), "
        "activity_code = (SELECT t.activity_code FROM time_entry t "
        "WHERE t.id = invoice_line_item.time_entry_id) "
        "WHERE time_entry_id IS NOT NULL"
    )
    op.execute("UPDATE invoice SET tax_rate = 0 WHERE tax_amount = 0")
    timekeeper = sa.table(
        "timekeeper",
        sa.column("id", sa.String()),
        sa.column("name", sa.String()),
        sa.column("first_name", sa.String()),
        sa.column("last_name", sa.String()),
    )
    connection = op.get_bind()
    for row in connection.execute(sa.select(timekeeper.c.id, timekeeper.c.name)).all():
        first, _, last = row.name.partition(" ")
        connection.execute(
            timekeeper.update()
            .where(timekeeper.c.id == row.id)
            .values(first_name=first if last else None, last_name=last or first)
        )


def downgrade() -> None:
    op.execute(
        "UPDATE time_entry SET activity_code = task_code "
        "WHERE task_code IS NOT NULL AND activity_code IS NULL"
    )
    with op.batch_alter_table("invoice_line_item") as batch_op:
        batch_op.drop_constraint(
            op.f("fk_invoice_line_item_timekeeper_id_timekeeper"), type_="foreignkey"
        )
        for name in ("expense_code", "activity_code", "task_code", "date", "timekeeper_id"):
            batch_op.drop_column(name)
    for table, columns in (
        ("invoice", ("tax_type", "tax_rate")),
        ("time_entry", ("task_code",)),
        ("matter", ("client_matter_id",)),
        ("client", ("utbms_required", "tax_id", "client_code")),
        ("timekeeper", ("last_name", "first_name", "timekeeper_number")),
        ("tenant", ("tax_id",)),
    ):
        for name in columns:
            op.drop_column(table, name)
