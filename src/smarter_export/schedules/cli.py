"""`smarter-export schedules list` and `schedules run NAME_OR_ID`: a firm's schedules from the
command line, for an operator (a run still needs the owner's newest grants).

Registered on every CLI run, so what its commands alone need is imported inside them."""

from __future__ import annotations

from typing import Annotated

import typer

from smarter_export.clock import utcnow
from smarter_export.domain.tenants import find_firm
from smarter_export.errors import Forbidden, NotFound, ValidationFailed
from smarter_export.schedules import store
from smarter_export.schedules.store import Schedule
from smarter_export.settings import get_settings

schedules_app = typer.Typer(no_args_is_help=True, help="A firm's scheduled exports.")
Tenant = Annotated[str, typer.Option(help="The firm: its id or subdomain.")]


@schedules_app.command("list")
def list_schedules(tenant: Tenant) -> None:
    """Every schedule of the firm: id, name, cron and zone, next run, last run."""
    from smarter_export.runtime import build_runtime

    runtime = build_runtime(get_settings())
    with runtime.engine.connect() as connection:
        firm = find_firm(connection, tenant)
        for schedule in store.list_for(connection, firm.id, None):
            last = store.last_run(connection, schedule.id)
            state = "active" if schedule.active else "paused"
            next_run = schedule.next_run_at.isoformat() if schedule.next_run_at else "-"
            last_run = f"{last.outcome} {last.due_at.isoformat()}" if last else "never"
            typer.echo(
                f"{schedule.id}  {schedule.name}  [{schedule.cron}] {schedule.timezone}  "
                f"{state}  next {next_run}  last {last_run}"
            )


@schedules_app.command("run")
def run_schedule(
    name_or_id: Annotated[str, typer.Argument(help="The schedule's id or its exact name.")],
    tenant: Tenant,
) -> None:
    """Make the schedule's export now, as its owner's newest grants allow; prints the export id."""
    from smarter_export.log import configure_logging
    from smarter_export.runtime import build_runtime
    from smarter_export.schedules.runs import run_once

    configure_logging()  # to stderr: stdout is the export id alone
    runtime = build_runtime(get_settings())
    now = utcnow()
    with runtime.engine.begin() as connection:
        firm = find_firm(connection, tenant)
        schedule = _one(store.list_for(connection, firm.id, None), name_or_id)
        outcome = run_once(runtime.settings, connection, schedule, due_at=now, now=now, actor="cli")
    if outcome.export_id is None:
        raise Forbidden(f"This schedule cannot run: {outcome.reason}.")
    runtime.queue.enqueue(outcome.export_id)
    typer.echo(outcome.export_id)


def _one(schedules: list[Schedule], name_or_id: str) -> Schedule:
    found = [s for s in schedules if name_or_id in (s.id, s.name)]
    if not found:
        raise NotFound(f"The firm has no schedule with the id or name {name_or_id!r}.")
    if len(found) > 1:
        raise ValidationFailed.one("NAME_OR_ID", "several schedules have this name; give the id")
    return found[0]
