"""One export of the demo firm, planned and run as the CLI does, to a file in a test's folder."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from smarter_export.domain.tenants import find_firm
from smarter_export.jobs.engine import run_export
from smarter_export.jobs.plan import ExportPlan, plan_export
from smarter_export.settings import Settings


def export_demo(
    engine: Engine,
    folder: Path,
    *,
    source: str,
    format_name: str,
    params: Mapping[str, object],
    include_confidential: bool = False,
    now: datetime | None = None,
) -> tuple[ExportPlan, Path]:
    """The plan and the file it made, named after the source, the format and the plan's file."""
    with engine.connect() as connection:
        firm = find_firm(connection, "demo")
    planned = plan_export(
        Settings(data_dir=folder),
        firm=firm,
        source_name=source,
        format_name=format_name,
        params=params,
        requested_by="tester@example.com",
        include_confidential=include_confidential,
        now=now,
    )
    path = folder / f"{source}-{format_name}-{len(list(folder.iterdir()))}{planned.file_extension}"
    run_export(engine, planned, path)
    return planned, path
