"""Alembic environment: runs against the connection handed over by `upgrade`, or the URL given."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from smarter_export.domain.database import make_engine
from smarter_export.domain.tables import metadata
from smarter_export.firm_settings import tables as _firm_tables  # noqa: F401 - firm settings
from smarter_export.jobs import tables as _job_tables  # noqa: F401 - registers the job tables
from smarter_export.mail import tables as _mail_tables  # noqa: F401 - and e-mail
from smarter_export.schedules import tables as _schedule_tables  # noqa: F401 - and schedules
from smarter_export.webhooks import tables as _webhook_tables  # noqa: F401 - and webhooks

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    with make_engine(config.get_main_option("sqlalchemy.url") or "").connect() as conn:
        _run(conn)
