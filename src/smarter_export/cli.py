"""The `smarter-export` command: migrate, demo data, one-shot exports (and, later, the service)."""

from __future__ import annotations

import sys
import time
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from pydantic import ValidationError
from pydantic_core import ErrorDetails
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from smarter_export.auth.secrets import (
    InsecureConfiguration,
    MintingUnavailable,
    resolve_secrets,
)
from smarter_export.domain.database import engine_for
from smarter_export.domain.tenants import find_firm
from smarter_export.errors import ExportError, SetupError, ValidationFailed
from smarter_export.formats.options import OPTIONS_KEY
from smarter_export.formats.registry import format_names
from smarter_export.jobs.engine import run_export
from smarter_export.jobs.files import atomic_output
from smarter_export.jobs.plan import plan_export
from smarter_export.preflight import (
    check_data_dir,
    check_database,
    check_output,
    check_service,
    explain_database,
    explain_fonts,
)
from smarter_export.schedules.cli import schedules_app
from smarter_export.settings import Settings, get_settings

if TYPE_CHECKING:
    from rich.console import Console

# What only some commands use is imported inside them: an export needs none of the HTTP API,
# the queue (Huey, Redis), Alembic, the token libraries or the logging setup, and importing them
# cost it about 45 MB and half a second; nor Rich, unless it draws a bar on a terminal or prints
# (`cli_progress.py`). `tests/test_cli_imports.py` keeps it so.

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
app.add_typer(schedules_app, name="schedules")


@cache
def console() -> Console:
    """The CLI's console on stderr: Rich is loaded when something is printed."""
    from rich.console import Console

    return Console(stderr=True)


def main() -> None:
    """The console script: what a person can act on is one line. Exit status 2 when the request
    was refused (a bad filter, an unknown firm), 1 when the setup is wrong (a database without
    its schema, an unreachable server, a folder that cannot be written)."""
    try:
        app()
    except SetupError as error:
        _refuse(error.message, status=1)
    except ValidationError as error:  # a setting out of its range, from the environment
        _refuse("; ".join(_setting_problem(problem) for problem in error.errors()), status=1)
    except (ExportError, InsecureConfiguration, MintingUnavailable) as error:
        _refuse(error.message if isinstance(error, ExportError) else str(error))
    except DBAPIError as error:  # the database went away, or lost its schema, mid-command
        _refuse(explain_database(get_settings().resolved_database_url, error).message, status=1)
    except _font_errors() as error:  # a PDF export met the missing font before any check did
        _refuse(explain_fonts(error).message, status=1)
    except OSError as error:
        where = f" {error.filename}" if error.filename else ""
        _refuse(f"Cannot go on:{where}: {error.strerror or error}.", status=1)


def _font_errors() -> tuple[type[Exception], ...]:
    """ReportLab's font error, once ReportLab is loaded: only a PDF loads it, so only then can
    the error have been raised (and an export of another format need not import ReportLab)."""
    fonts = sys.modules.get("reportlab.pdfbase.ttfonts")
    return (fonts.TTFError,) if fonts is not None else ()


def _setting_problem(problem: ErrorDetails) -> str:
    names = "_".join(str(part) for part in problem["loc"]).upper()
    return f"SMARTER_EXPORT_{names}={problem.get('input')!r}: {problem['msg']}"


def _refuse(message: str, status: int = 2) -> None:
    from rich.markup import escape

    console().print(f"[red]error[/red] {escape(message)}", highlight=False, soft_wrap=True)
    raise SystemExit(status)


def _database(settings: Settings, *, migrated: bool = True) -> Engine:
    """The configured database; with `migrated`, refused in one line unless at the newest schema."""
    if settings.database_url is None:
        check_data_dir(settings)  # the SQLite file lives there
    engine = engine_for(settings)
    if migrated:
        check_database(engine)
    return engine


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema (Alembic)."""
    from smarter_export.domain.schema import upgrade

    upgrade(_database(get_settings(), migrated=False))
    console().print("Database is at the newest schema.")


@app.command("demo-data")
def demo_data(
    tenants: Annotated[int, typer.Option(min=1, max=50, help="Firms to create.")] = 2,
    time_entries: Annotated[
        int, typer.Option(min=0, help="Time entries of the first firm; others get a tenth.")
    ] = 20_000,
    seed: Annotated[int, typer.Option(help="Same seed, same data.")] = 7,
) -> None:
    """Fill the database with realistic, deterministic law firms (creating the schema if new)."""
    from smarter_export.domain.demo_data import DemoSize, load_demo_data
    from smarter_export.domain.schema import upgrade

    engine = _database(get_settings(), migrated=False)
    upgrade(engine)
    summary = load_demo_data(
        engine, DemoSize(tenants=tenants, time_entries=time_entries, seed=seed)
    )
    rows = ", ".join(f"{count:,} {table}" for table, count in summary.rows.items())
    console().print(f"Loaded {rows} in {summary.seconds:.1f} s.")


def _parse_filters(pairs: list[str], field: str = "filter") -> dict[str, object]:
    params: dict[str, object] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ValidationFailed.one(field, f"{pair!r} is not key=value")
        # Kept as written: a delimiter may be a space or a tab.
        params[key.strip()] = value if field == OPTIONS_KEY else value.strip()
    return params


@app.command()
def export(
    source: Annotated[str, typer.Argument(help="matters, clients, timekeepers, time_entries, ...")],
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.")],
    tenant: Annotated[str, typer.Option(help="The firm: its id or subdomain.")],
    format_name: Annotated[
        str, typer.Option("--format", "-f", help=", ".join(format_names()) + ".")
    ] = "csv",
    filters: Annotated[
        list[str] | None, typer.Option("--filter", help="key=value, e.g. dateFrom=2024-01-01.")
    ] = None,
    options: Annotated[
        list[str] | None,
        typer.Option("--option", help="A format option, key=value, e.g. compression=gzip."),
    ] = None,
    columns: Annotated[str | None, typer.Option(help="Comma-separated column names.")] = None,
    sort: Annotated[str | None, typer.Option(help="Column name; '-' in front to descend.")] = None,
    user: Annotated[str, typer.Option(help="Who is exporting (for the file's info).")] = "cli",
    include_confidential: Annotated[
        bool, typer.Option(help="Include confidential matters and their time and invoices.")
    ] = False,
) -> None:
    """Export one data source of one firm to a file, now, with a progress bar."""
    settings = get_settings()
    engine = _database(settings)
    check_output(output)
    params = _parse_filters(filters or [])
    if columns is not None:
        params["columns"] = columns
    if sort is not None:
        params["sort"] = sort
    try:
        params[OPTIONS_KEY] = _parse_filters(options or [], OPTIONS_KEY)
        with engine.connect() as connection:
            firm = find_firm(connection, tenant)
        planned = plan_export(
            settings,
            firm=firm,
            source_name=source,
            format_name=format_name,
            params=params,
            requested_by=user,
            include_confidential=include_confidential,
        )
        started = time.monotonic()
        with atomic_output(output) as temporary:
            if sys.stderr.isatty():
                from smarter_export.cli_progress import export_with_bar

                result = export_with_bar(engine, planned, temporary, console())
            else:
                result = run_export(engine, planned, temporary)
    except ExportError as error:
        _refuse(f"({error.code}): {error.message}")
    seconds = time.monotonic() - started
    rows = sum(result.rows_written.values())
    note = " (partial: " + "; ".join(result.warnings) + ")" if result.partial else ""
    typer.echo(
        f"{output}: {result.rows_written.get(planned.source.name, 0):,} rows"
        f" ({rows:,} with child tables), {result.size_bytes:,} bytes, {seconds:.1f} s,"
        f" {rows / max(seconds, 1e-9):,.0f} rows/s{note}"
    )


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    demo: Annotated[
        bool, typer.Option(help="Development mode: demo data if empty, print a token.")
    ] = False,
    worker: Annotated[bool, typer.Option(help="Run export workers in this process.")] = True,
) -> None:
    """Serve the HTTP API (and, unless --no-worker, run exports in this process)."""
    import uvicorn

    from smarter_export.api.app import create_app
    from smarter_export.domain.demo_data import DemoSize, database_is_empty, load_demo_data
    from smarter_export.domain.schema import upgrade
    from smarter_export.log import configure_logging
    from smarter_export.runtime import build_runtime

    settings = get_settings()
    if demo:
        settings = settings.model_copy(update={"environment": "development"})
    configure_logging()
    engine = _database(settings, migrated=False)
    upgrade(engine)
    if demo and database_is_empty(engine):
        summary = load_demo_data(engine, DemoSize())
        console().print(f"Loaded demo data: {summary.rows.get('time_entry', 0):,} time entries.")
    check_data_dir(settings)
    runtime = build_runtime(settings)
    check_service(settings, runtime.engine, runtime.queue, runtime.storage)
    app_instance = create_app(settings, run_worker=worker, runtime=runtime)
    if demo:
        _print_demo_access(settings, engine, f"http://{host}:{port}")
    uvicorn.run(app_instance, host=host, port=port, log_level="warning")


def _print_demo_access(settings: Settings, engine: Engine, base_url: str) -> None:
    from smarter_export.auth.tokens import mint_token

    with engine.connect() as connection:
        firm = find_firm(connection, "demo")
    token = mint_token(
        settings,
        resolve_secrets(settings),
        tenant_id=firm.id,
        user_id="demo-admin",
        role="admin",
        permissions=("export:*", "matters:confidential"),
        ttl_seconds=8 * 3600,
    )
    console().print(f"\nSmarter Export is serving {firm.name} on {base_url}")
    console().print("Token (8 h, admin of the demo firm):")
    typer.echo(f"{token}\n")  # echo, not Rich: a token must never be wrapped across lines
    body = '{"dataSource": "timekeepers", "activeOnly": true}'
    typer.echo(
        f"curl -s -X POST {base_url}/api/v1/export/csv -H 'Authorization: Bearer {token}'"
        f" -H 'Content-Type: application/json' -d '{body}'"
    )
    console().print("\nExport Center (opens signed in; the token stays in the link's fragment):")
    # The fragment (#) never reaches a server or its access log; the page moves it into the
    # tab's session storage and clears it from the address bar.
    typer.echo(f"{base_url}/#token={token}")


@app.command("worker")
def run_worker() -> None:
    """Run export workers only (many hosts: point them at the same database, Redis and storage).

    Stop gracefully with SIGINT: running exports finish first. SIGTERM stops at once; the
    reaper re-delivers what was running.
    """
    from smarter_export.log import configure_logging
    from smarter_export.runtime import build_runtime

    configure_logging()
    settings = get_settings()
    check_data_dir(settings)
    runtime = build_runtime(settings)
    check_service(settings, runtime.engine, runtime.queue, runtime.storage)
    if settings.metrics_port is not None:
        from prometheus_client import start_http_server

        start_http_server(settings.metrics_port)
    upkeep = runtime.upkeep()
    upkeep.start()
    try:
        runtime.consumer().run()
    finally:
        upkeep.stop()


@app.command()
def token(
    tenant: Annotated[str, typer.Option(help="The firm: its id or subdomain.")],
    user: Annotated[str, typer.Option(help="The user id (sub).")],
    permission: Annotated[
        list[str] | None, typer.Option(help="export:SOURCE, export:*, matters:confidential.")
    ] = None,
    role: Annotated[str, typer.Option(help="admin or user.")] = "user",
    ttl: Annotated[int, typer.Option(min=60, max=7 * 86400, help="Seconds it lasts.")] = 3600,
) -> None:
    """Mint a development token (HS256 with the configured or development secret)."""
    from smarter_export.auth.tokens import mint_token

    settings = get_settings()
    with _database(settings).connect() as connection:
        firm = find_firm(connection, tenant)
    typer.echo(
        mint_token(
            settings,
            resolve_secrets(settings),
            tenant_id=firm.id,
            user_id=user,
            role=role,
            permissions=tuple(permission or ()),
            ttl_seconds=ttl,
        )
    )
