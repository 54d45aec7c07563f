"""The shape of a data source: declared columns, a typed filter model, a tenant-bound query.

A source turns (scope, validated query) into SQLAlchemy Core selects whose result columns are
exactly the chosen columns, in order, typed as `tabular` promises. Sources know nothing of files.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.alias_generators import to_camel
from sqlalchemy import ColumnElement, Select, func, select

from smarter_export.errors import FieldProblem, ValidationFailed
from smarter_export.settings import Settings
from smarter_export.sources.keyed import Counter, KeyedRows
from smarter_export.sources.sql import INCLUDE_CONFIDENTIAL
from smarter_export.tabular import ExportColumn, TableSpec


class Filters(BaseModel):
    """Base of every source's filter model: camelCase names, unknown names refused, frozen."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=False, extra="forbid", frozen=True
    )

    def described(self) -> tuple[tuple[str, str], ...]:
        """The filters that are set, as (camelCase name, value) for the file's title block."""
        return tuple((name, str(value)) for name, value in self.set_values())

    def set_values(self) -> tuple[tuple[str, object], ...]:
        """The filters that are set, as (camelCase name, typed value), in the model's order."""
        return tuple(
            (to_camel(name), value)
            for name, value in self.model_dump(exclude_none=True, exclude_defaults=True).items()
        )


@dataclass(frozen=True)
class Scope:
    """Who the rows are for. Every query builder takes one: there is no query without a tenant."""

    tenant_id: str
    include_confidential: bool = False


@dataclass(frozen=True)
class SourceColumn:
    column: ExportColumn
    expression: ColumnElement[Any]
    default: bool = True  # part of the export when the caller names no columns


@dataclass(frozen=True)
class SortKey:
    name: str
    descending: bool = False

    def __str__(self) -> str:
        return f"-{self.name}" if self.descending else self.name


@dataclass(frozen=True)
class ExportQuery:
    """A validated request against one source: filters, chosen columns, sort."""

    source: str
    filters: Filters
    columns: tuple[str, ...]
    sort: tuple[SortKey, ...]
    options: Mapping[str, object] = field(default_factory=dict)

    def frozen(self) -> dict[str, Any]:
        """The query as plain JSON that `DataSource.parse` turns back into this very query."""
        return {
            **self.filters.model_dump(by_alias=True, mode="json", exclude_none=True),
            **dict(self.options),
            "columns": list(self.columns),
            "sort": [str(key) for key in self.sort],
        }


@dataclass(frozen=True)
class MetricChoice:
    """A metric a source computes (analytics): what the source listing tells a caller."""

    name: str
    title: str
    definition: str
    group_by: tuple[str, ...]
    columns: tuple[ExportColumn, ...]


@dataclass(frozen=True)
class ChildTable:
    """Rows hanging off the main rows: invoice line items, a client's matters."""

    spec: TableSpec
    statement: Select[Any]


class DataSource:
    """One exportable data source. Subclasses declare and build; this class validates."""

    name: ClassVar[str]
    title: ClassVar[str]
    description: ClassVar[str]
    filters_model: ClassVar[type[Filters]]
    default_sort: ClassVar[tuple[SortKey, ...]]
    available: ClassVar[bool] = True  # False: known by name, not exportable yet
    # Rows are records, so rows left out for confidentiality can be counted and reported; a
    # source of aggregates (analytics) says so in its notes instead.
    counts_withheld_rows: ClassVar[bool] = True
    # The fields are a standard's (a LEDES file's): a caller chooses neither columns nor order.
    fixed_columns: ClassVar[bool] = False

    def source_columns(self) -> tuple[SourceColumn, ...]:
        raise NotImplementedError

    def base_query(self, scope: Scope, filters: Filters) -> Select[Any]:
        """FROM, JOINs and WHERE (tenant, soft deletes, filters); no columns chosen yet."""
        raise NotImplementedError

    def tiebreaker(self) -> ColumnElement[Any]:
        """A unique key appended to every sort so that the order is total and repeatable."""
        raise NotImplementedError

    def child_tables(
        self, scope: Scope, query: ExportQuery, parents: int | None = None
    ) -> tuple[ChildTable, ...]:
        """Rows hanging off the first `parents` main rows in the export's order (None: all).

        The engine says how many main rows made it into the file, so that a child table never
        holds rows of a parent left out; `keys(scope, query, parents)` selects those parents.
        """
        return ()

    # -- validation --------------------------------------------------------------------------

    def parse(self, raw: Mapping[str, object], settings: Settings | None = None) -> ExportQuery:
        """Validate filters, `columns` and `sort` given as on the CLI or in an HTTP body, under
        the limits of `settings` (the defaults without)."""
        params = dict(raw)
        raw_columns, raw_sort = params.pop("columns", None), params.pop("sort", None)
        options = {key: params.pop(key) for key in self.option_names() if key in params}
        filters: Filters | None = None
        filter_problems: list[FieldProblem] = []
        try:
            filters = self.filters_model.model_validate(params, context={"settings": settings})
        except ValidationError as exc:
            filter_problems = [_problem(error) for error in exc.errors()]
        available = self.source_columns() if filters is None else self.columns_for(filters)
        problems: list[FieldProblem] = []
        columns: tuple[str, ...] = ()
        sort: tuple[SortKey, ...] = ()
        if available:  # columns that depend on the filters are judged once the filters are valid
            columns = self._parse_columns(raw_columns, problems, available)
            sort = self._parse_sort(raw_sort, problems, available)
        problems += filter_problems
        if problems or filters is None:
            raise ValidationFailed(problems)
        return ExportQuery(self.name, filters, columns, sort, options)

    def option_names(self) -> tuple[str, ...]:
        """Parameters beyond filters that a source takes and keeps as given."""
        return ()

    def columns_for(self, filters: Filters) -> tuple[SourceColumn, ...]:
        """The columns a request may choose from; a source whose rows change shape overrides it."""
        return self.source_columns()

    def filter_names(self) -> tuple[str, ...]:
        """The camelCase names of the filters this source takes."""
        return tuple(f.alias or n for n, f in self.filters_model.model_fields.items())

    def column_names(self) -> tuple[str, ...]:
        return tuple(c.column.name for c in self.source_columns())

    def child_table_names(self) -> tuple[str, ...]:
        """The names of the child tables an unfiltered export has (for the source listing)."""
        return tuple(child.spec.name for child in self.child_tables(Scope("-"), self.parse({})))

    def metrics(self) -> tuple[MetricChoice, ...]:
        """The metrics a caller chooses among with `metric`; none for a plain table source."""
        return ()

    def title_for(self, query: ExportQuery) -> str:
        """The export's title on the file."""
        return self.title

    def file_subject(self, query: ExportQuery) -> tuple[str, ...]:
        """What the file holds, the first words of its name: the source's name by default."""
        return (self.name,)

    def file_filters(self, query: ExportQuery) -> tuple[tuple[str, object], ...]:
        """The filters that narrow the rows, named in the file name after the subject."""
        return query.filters.set_values()

    def notes(self, query: ExportQuery) -> tuple[str, ...]:
        """Definitions a reader of the file needs (the info sheet, the PDF's title block)."""
        return ()

    def _parse_columns(
        self, value: object, problems: list[FieldProblem], available: Sequence[SourceColumn]
    ) -> tuple[str, ...]:
        known = tuple(c.column.name for c in available)
        if value is None:
            return tuple(c.column.name for c in available if c.default)
        names = _name_list(value)
        if names is None or not names:
            problems.append(FieldProblem("columns", "give a non-empty list of column names"))
            return ()
        unknown = [n for n in names if n not in known]
        if unknown:
            problems.append(
                FieldProblem(
                    "columns",
                    f"unknown column(s) {', '.join(unknown)}; known: {', '.join(known)}",
                )
            )
        if len(set(names)) != len(names):
            problems.append(FieldProblem("columns", "a column is named twice"))
        return tuple(names)

    def _parse_sort(
        self, value: object, problems: list[FieldProblem], available: Sequence[SourceColumn]
    ) -> tuple[SortKey, ...]:
        # An empty list is "no sort given": a frozen request of a source without a default
        # sort (analytics) carries one, and must parse back in the worker as it did at creation.
        if value is None or value == []:
            return self.default_sort
        names = _name_list(value)
        if not names:
            problems.append(FieldProblem("sort", "give a column name, '-' in front for descending"))
            return ()
        keys = tuple(SortKey(n.lstrip("-"), n.startswith("-")) for n in names)
        known = tuple(c.column.name for c in available)
        unknown = [k.name for k in keys if k.name not in known]
        if unknown:
            problems.append(
                FieldProblem(
                    "sort", f"cannot sort by {', '.join(unknown)}; known: {', '.join(known)}"
                )
            )
        return keys

    # -- building ----------------------------------------------------------------------------

    def table_spec(self, query: ExportQuery) -> TableSpec:
        by_name = {c.column.name: c for c in self.columns_for(query.filters)}
        return TableSpec(self.name, self.title, tuple(by_name[n].column for n in query.columns))

    def statement(self, scope: Scope, query: ExportQuery) -> Select[Any]:
        by_name = {c.column.name: c for c in self.source_columns()}
        chosen = [by_name[n].expression.label(n) for n in query.columns]
        statement = (
            self.base_query(scope, query.filters)
            .with_only_columns(*chosen, maintain_column_froms=True)
            .order_by(*self._order(query))
        )
        return self.bind_scope(statement, scope, query)

    def keyed_rows(
        self, scope: Scope, query: ExportQuery, count: Counter, most_rows: int | None = None
    ) -> KeyedRows | None:
        """The same rows as `statement`, read from the main table alone with the small tables'
        values joined by key in Python (`sources/keyed.py`; `count` runs a bounded lookup's
        COUNT; `most_rows`: the main rows the export reads, if known); None where a source has
        no such form, or not for this query."""
        return None

    def keys(self, scope: Scope, query: ExportQuery, first: int | None = None) -> Select[Any]:
        """The keys (tiebreakers) of the main rows, or of the first ones in the export's order."""
        statement = self.base_query(scope, query.filters).with_only_columns(
            self.tiebreaker(), maintain_column_froms=True
        )
        if first is not None:  # the order matters only to a cut, and costs a sort
            statement = statement.order_by(*self._order(query)).limit(first)
        return self.bind_scope(statement, scope, query)

    def _order(self, query: ExportQuery) -> list[ColumnElement[Any]]:
        by_name = {c.column.name: c.expression for c in self.source_columns()}
        order = [by_name[k.name].desc() if k.descending else by_name[k.name] for k in query.sort]
        return [*order, self.tiebreaker()]

    def count_statement(self, scope: Scope, query: ExportQuery) -> Select[Any]:
        inner = self.base_query(scope, query.filters).with_only_columns(
            self.tiebreaker(), maintain_column_froms=True
        )
        return self.bind_scope(select(func.count()).select_from(inner.subquery()), scope, query)

    def bind_scope(self, statement: Select[Any], scope: Scope, query: ExportQuery) -> Select[Any]:
        """Give values to the parameters that columns declared without a scope refer to."""
        return statement.params(
            {INCLUDE_CONFIDENTIAL: scope.include_confidential, **self.parameters(query)}
        )

    def parameters(self, query: ExportQuery) -> dict[str, object]:
        """Values for named parameters a source's columns use (e.g. the invoices' as-of date)."""
        return {}


def _name_list(value: object) -> list[str] | None:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, Sequence) and all(isinstance(v, str) for v in value):
        return [str(v).strip() for v in value]
    return None


def _problem(error: Mapping[str, Any]) -> FieldProblem:
    location = ".".join(str(part) for part in error.get("loc", ())) or "body"
    if error.get("type") == "extra_forbidden":
        return FieldProblem(location, "unknown filter for this data source")
    # A rule of ours (dateTo before dateFrom) reads "Value error, must be ..." in Pydantic's words.
    message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
    return FieldProblem(location, message)
