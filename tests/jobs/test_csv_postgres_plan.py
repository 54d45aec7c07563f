"""How PostgreSQL is asked to plan the COPY of a table (`jobs/csv_postgres.py`): its sort keys
selected first, and no incremental sort, for the same rows in the same order.

The bytes are held to the rows' path by `test_csv_postgres.py` and `test_csv_lines.py`; here,
the plan's shape that made the server cheaper, and that it changes no row.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import (
    Connection,
    Engine,
    Integer,
    String,
    column,
    literal,
    literal_column,
    select,
    text,
    values,
)

from smarter_export.formats.csv_writer import CsvWriter
from smarter_export.jobs import pg_copy
from smarter_export.jobs.csv_lines import table_lines
from smarter_export.jobs.csv_postgres import (
    CopyLines,
    _kept_order,
    copied_csv,
    sort_keys_first,
)
from smarter_export.jobs.limits import table_rows
from tests.jobs.test_csv_postgres import ON_POSTGRES
from tests.jobs.test_fidelity import plan, salted_engine

__all__ = ["salted_engine"]


def _copy_lines(connection: Connection, params: dict[str, object]) -> CopyLines:
    planned = plan(connection.engine, Path("/tmp"), "time_entries", params)
    (rows,) = table_rows(connection, planned)
    lines = table_lines(connection, rows, CsvWriter())
    assert isinstance(lines, CopyLines)
    return lines


def _nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", []):
        yield from _nodes(child)


@ON_POSTGRES
@pytest.mark.parametrize("sort", [None, "-amount,timekeeper"], ids=["default", "given"])
def test_the_copys_sort_finds_its_keys_first_in_each_row(
    salted_engine: Engine, sort: str | None
) -> None:
    """A key after the text columns is found by walking them in every comparison."""
    params: dict[str, object] = {} if sort is None else {"sort": sort}
    with salted_engine.connect() as connection:
        lines = _copy_lines(connection, params)
        explained = connection.exec_driver_sql(
            f"EXPLAIN (VERBOSE, FORMAT JSON) {lines.sql}", lines.params
        ).scalar_one()
    sorts = [node for node in _nodes(explained[0]["Plan"]) if "Sort Key" in node]
    # Sorted once: the outer query's ORDER BY (the order SQL promises) is the subquery's own.
    assert len(sorts) == 1, "the rows are sorted once"
    assert "ORDER BY csv_rows.csv_key_0" in lines.sql
    for node in sorts:
        keys = [key.removesuffix(" DESC").strip("()") for key in node["Sort Key"]]
        assert [output.strip("()") for output in node["Output"][: len(keys)]] == keys


@ON_POSTGRES
def test_keys_first_give_the_same_rows_in_the_same_order(salted_engine: Engine) -> None:
    rows = values(column("n", Integer), column("name", String), name="people").data(
        [(1, "b"), (2, None), (3, "a"), (4, "b"), (5, None)]
    )
    statement = select(rows.c.name, (rows.c.n * 10).label("tens")).order_by(
        rows.c.name.desc().nulls_last(), -rows.c.n
    )
    keyed = sort_keys_first(statement)
    subquery = keyed.subquery("csv_rows")
    kept = select(subquery.c.name, subquery.c.tens).order_by(*_kept_order(statement, subquery))
    with salted_engine.connect() as connection:
        expected = connection.execute(statement).all()
        got = connection.execute(keyed).all()
        assert connection.execute(kept).all() == expected  # the outer query's ORDER BY
    assert [tuple(row[2:]) for row in got] == [tuple(row) for row in expected]
    assert [tuple(row[:2]) for row in got] == [(r.name, -r.tens // 10) for r in expected]
    assert expected[-2:] == [(None, 50), (None, 20)]  # NULLs last, as asked
    # Extra columns would change which rows a DISTINCT keeps: left as it is.
    distinct = select(rows.c.name).distinct().order_by(rows.c.name)
    assert sort_keys_first(distinct) is distinct
    unordered = select(rows.c.name)
    assert sort_keys_first(unordered) is unordered
    # A key that names an output column or is a constant (a position, once bound) is left to
    # the statement as it is: put first, it would be what it points at.
    named = select(rows.c.name.label("who"), rows.c.n)
    for key in (text("who"), literal_column("2"), literal(2), rows.c.name.label("who")):
        pointing = named.order_by(key)
        assert sort_keys_first(pointing) is pointing
    with salted_engine.connect() as connection:
        by_position = named.order_by(literal_column("2").desc())
        assert (
            connection.execute(by_position).all()
            == connection.execute(sort_keys_first(by_position)).all()
        )


SETTINGS = "SELECT current_setting('enable_incremental_sort'), current_setting('jit')"


@ON_POSTGRES
def test_the_copy_is_planned_without_incremental_sort_or_jit_and_the_settings_put_back(
    salted_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[str, ...]] = []
    reading = pg_copy.copy_batches

    def spy(connection: Connection, *args: Any) -> Generator[list[bytes], None, None]:
        seen.append(tuple(connection.exec_driver_sql(SETTINGS).one()))
        yield from reading(connection, *args)

    monkeypatch.setattr(pg_copy, "copy_batches", spy)
    with salted_engine.connect() as connection, connection.begin():
        lines = _copy_lines(connection, {})
        connection.exec_driver_sql("SET LOCAL jit = on")  # the server's default
        before = tuple(connection.exec_driver_sql(SETTINGS).one())
        assert before == ("on", "on")
        read = sum(len(batch) for batch in copied_csv(connection, lines, 100))
        assert read > 0 and seen == [("off", "off")]
        assert tuple(connection.exec_driver_sql(SETTINGS).one()) == before
