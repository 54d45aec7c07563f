"""How many rows of each table go into the file: the one place a row cap is applied.

Counted inside the export's read snapshot, before the first row is written, so the counts are
the rows the engine will stream. The main table is cut at the format's cap in the export's
order; child tables hold the rows of the parents that made it into the file and nothing else,
and, where the cap counts every row (`RowCap.ALL_ROWS`, a PDF), only what is left of it. What
is left out, for any reason, is counted here and said in words here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from sqlalchemy import Connection, Select, func, select

from smarter_export.errors import FileRefused
from smarter_export.formats.base import RowCap
from smarter_export.jobs.plan import ExportPlan, RowLimit
from smarter_export.jobs.read_order import in_storage_order
from smarter_export.sources.base import Scope
from smarter_export.sources.keyed import KeyedRows
from smarter_export.tabular import TableSpec


@dataclass(frozen=True)
class TableRows:
    """One table of the export: the rows to stream and how they compare with what matched."""

    spec: TableSpec
    statement: Select[Any]  # the rows that go into the file, in order, already cut
    rows: int  # rows the statement gives
    matched: int  # rows the filters matched (child rows: of every parent that matched)
    withheld: int = 0  # rows left out because they sit under confidential matters
    keyed: KeyedRows | None = None  # the same rows, names joined in Python (`sources/keyed.py`)
    sorted_apart: int = 0  # rows read in storage order, sorted by SQLite in its temporary files

    @property
    def capped(self) -> int:
        """Rows that matched but are not in the file because of the row cap."""
        return self.matched - self.rows


def table_rows(connection: Connection, plan: ExportPlan) -> tuple[TableRows, ...]:
    source, scope, query, limit = plan.source, plan.scope, plan.query, plan.row_limit
    matched = _count_main(connection, plan, scope)
    main_rows = min(matched, limit.rows)
    keyed = _keyed(connection, plan, scope, most_rows=main_rows)
    # Cut only when the cap cuts: in the export's snapshot the statement gives the rows counted,
    # and SQLite sorts a LIMITed statement's rows through a b-tree, not its external sorter
    # (0.8 s more per million time entries). Uncut, most of a firm's table is read in the order
    # it is stored, then sorted (`read_order.py`).
    statement = source.statement(scope, query)
    sorted_apart = 0
    if main_rows < matched:
        statement = statement.limit(main_rows)
        keyed = keyed.limited(main_rows) if keyed is not None else None
    else:
        plain = statement
        statement = in_storage_order(connection, statement, scope.tenant_id, main_rows)
        hinted = statement is not plain
        if keyed is not None:  # its statement is the one read
            read = in_storage_order(connection, keyed.statement, scope.tenant_id, main_rows)
            hinted = read is not keyed.statement
            keyed = keyed.reading(read)
        sorted_apart = main_rows if hinted else 0
    main = TableRows(
        plan.tables[0],
        statement,
        main_rows,
        matched,
        _withheld_main(connection, plan, matched),
        keyed,
        sorted_apart,
    )
    parents = main_rows if main_rows < matched else None
    withheld = _withheld_children(connection, plan)
    room = limit.rows - main_rows if limit.counts is RowCap.ALL_ROWS else None
    tables = [main]
    for child, of_every_parent in zip(
        source.child_tables(scope, query, parents),
        source.child_tables(scope, query),
        strict=True,
    ):
        child_matched = _count_rows(connection, of_every_parent.statement)
        rows = child_matched
        if room == 0:  # the cap is spent: none of these rows go in, whoever their parent
            rows = 0
        elif parents is not None:
            rows = _count_rows(connection, child.statement)
        statement = child.statement
        if room is not None:
            rows = min(rows, room)
            statement = statement.limit(rows)
            room -= rows
        tables.append(
            TableRows(
                child.spec,
                statement,
                rows,
                child_matched,
                withheld.get(child.spec.name, child_matched) - child_matched,
            )
        )
    return tuple(tables)


def left_out_warnings(
    limit: RowLimit, tables: Sequence[TableRows], written: dict[str, int]
) -> list[str]:
    """What is missing from the file and why, with counts: confidentiality, then the cap."""
    warnings = []
    withheld = sum(table.withheld for table in tables)
    if withheld:
        warnings.append(
            f"{withheld:,} rows under confidential matters were withheld: exporting them "
            "needs the matters:confidential permission."
        )
    matched = sum(table.matched for table in tables)
    missing = matched - sum(written.get(table.spec.name, 0) for table in tables)
    if any(table.capped for table in tables):
        warnings.append(_cap_warning(limit, tables, matched, missing))
    return warnings


def refuse_incomplete(limit: RowLimit, tables: Sequence[TableRows]) -> None:
    """For a format that may not be partial: every row matched goes into the file, or there is
    no file, and the refusal says why (before a byte is written)."""
    withheld = sum(table.withheld for table in tables)
    main = tables[0]
    reasons = []
    if any(table.capped for table in tables):
        reasons.append(
            f"{main.matched:,} {main.spec.title} match, and {limit.format_title} exports hold at "
            f"most {limit.rows:,}: narrow the filters (dates, client) and export in parts"
        )
    if withheld:
        reasons.append(
            f"{withheld:,} of their rows are under confidential matters: exporting them needs "
            "the matters:confidential permission"
        )
    if reasons:
        raise FileRefused(
            f"No {limit.format_title} file was written: it would not hold every row the "
            f"filters matched, and it has nowhere to say so. {'; '.join(reasons)}."
        )


def _cap_warning(limit: RowLimit, tables: Sequence[TableRows], matched: int, missing: int) -> str:
    by_table = ""
    if len(tables) > 1:
        cut = [f"{t.spec.title}: {t.capped:,} of {t.matched:,}" for t in tables if t.capped]
        by_table = f" ({'; '.join(cut)})"
    holds = f"{limit.format_title} exports hold at most {limit.rows:,} rows"
    if limit.counts is RowCap.ALL_ROWS:
        why = f"{holds} in all"
    else:
        why = f"{holds} of {tables[0].spec.title}"
        if len(tables) > 1:
            why += ", each with its rows in the other tables"
    advice = "Narrow the filters"
    if limit.larger_formats:
        advice += f", or choose {_either(limit.larger_formats)} for larger exports"
    return (
        f"Partial export: {missing:,} of {matched:,} rows are not in this file{by_table}: "
        f"{why}. {advice}."
    )


def _withheld_main(connection: Connection, plan: ExportPlan, matched: int) -> int:
    """How many more main rows the filters match when confidential matters are included."""
    everything = _everything(plan)
    if everything is None:
        return 0
    return _count_main(connection, plan, everything) - matched


def _keyed(
    connection: Connection, plan: ExportPlan, scope: Scope, most_rows: int | None = None
) -> KeyedRows | None:
    """The main rows with names joined in Python, on SQLite, where joins over text keys cost
    more than the rest of the export; PostgreSQL joins by hash and keeps its statement."""
    if connection.dialect.name != "sqlite":
        return None
    return plan.source.keyed_rows(scope, plan.query, partial(_count, connection), most_rows)


def _count_main(connection: Connection, plan: ExportPlan, scope: Scope) -> int:
    keyed = _keyed(connection, plan, scope)
    if keyed is not None:
        return _count(connection, keyed.count_statement())
    return _count(connection, plan.source.count_statement(scope, plan.query))


def _withheld_children(connection: Connection, plan: ExportPlan) -> dict[str, int]:
    """Child rows of every parent that matched, confidential matters included, by table."""
    everything = _everything(plan)
    if everything is None:
        return {}
    source, query = plan.source, plan.query
    children = source.child_tables(everything, query)
    return {child.spec.name: _count_rows(connection, child.statement) for child in children}


def _everything(plan: ExportPlan) -> Scope | None:
    """The scope that also sees confidential matters, when rows left out for them are counted."""
    if plan.scope.include_confidential or not plan.source.counts_withheld_rows:
        return None
    return replace(plan.scope, include_confidential=True)


def _count_rows(connection: Connection, statement: Select[Any]) -> int:
    return _count(connection, select(func.count()).select_from(statement.order_by(None).subquery()))


def _count(connection: Connection, statement: Select[Any]) -> int:
    return int(connection.execute(statement).scalar_one())


def _either(names: Sequence[str]) -> str:
    """ "Excel", "Excel or PDF", "Excel, PDF or Parquet"."""
    return " or ".join(names) if len(names) < 3 else f"{', '.join(names[:-1])} or {names[-1]}"
