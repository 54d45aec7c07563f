"""The vocabulary shared by sources and writers: typed columns, tables, what a file says.

Sources describe their rows with these; writers render them. Neither knows the other.
Values arrive typed by the column's kind:

| kind     | Python value                       |
|----------|------------------------------------|
| TEXT, ID | str                                |
| INTEGER  | int                                |
| DECIMAL, MONEY, PERCENT | decimal.Decimal (PERCENT is a ratio: 0.75 is 75 %) |
| DATE     | datetime.date                      |
| DATETIME | datetime.datetime with a zone      |
| BOOLEAN  | bool                               |

and any value may be None.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class ColumnKind(StrEnum):
    TEXT = "text"  # free text a person typed: neutralised against formula injection
    ID = "id"  # identifiers and codes: always text, so leading zeros survive
    INTEGER = "integer"
    DECIMAL = "decimal"  # hours, quantities
    MONEY = "money"
    PERCENT = "percent"
    DATE = "date"
    DATETIME = "datetime"
    BOOLEAN = "boolean"


NUMERIC_KINDS = frozenset(
    {ColumnKind.INTEGER, ColumnKind.DECIMAL, ColumnKind.MONEY, ColumnKind.PERCENT}
)
TEXT_KINDS = frozenset({ColumnKind.TEXT, ColumnKind.ID})


@dataclass(frozen=True)
class ExportColumn:
    """One column of an exported table."""

    name: str  # the API name, camelCase: "matterNumber"
    label: str  # the header a person reads: "Matter number"
    kind: ColumnKind
    width: float = 14.0  # in characters: Excel column width, PDF share of the page
    total: bool = False  # summed on a totals row (money, hours)
    excel_format: str | None = None  # overrides the kind's default number format
    description: str = ""
    # Years and numeric ids read without digit grouping (bar admission 1991, not 1,991).
    grouped: bool = True
    # Text read as one piece, such as an e-mail address: a PDF wraps it, never cuts it short.
    # Identifiers, numbers and dates are kept whole by their kind.
    whole: bool = False


Row = Sequence[object]


class ChartKind(StrEnum):
    BARS = "bars"  # a bar per group for each value column, side by side
    STACKED = "stacked"  # the value columns stacked into one bar per group (aging buckets)
    LINE = "line"  # a line per value column across the groups in their order (months)


@dataclass(frozen=True)
class ChartSpec:
    """The chart drawn from a table's own cells (Excel: a native chart on them; PDF: above it).

    Columns are named as in the table; the writers decide only how it looks.
    """

    kind: ChartKind
    title: str  # says the metric and the period
    category: str  # the column whose values name the groups
    values: tuple[str, ...]  # the columns drawn, in one unit
    axis_title: str  # that unit, as a person reads it: "Hours", "Percent"; money adds currency
    target: str | None = None  # a column drawn as a mark against each group's bar
    leave_out: str | None = None  # a group not drawn, such as the firm's total row
    extremes: int = 0  # when more groups than twice this: only the highest and lowest this many


@dataclass(frozen=True)
class TableSpec:
    """One table of an export: the main rows, or a child table such as invoice line items."""

    name: str  # file- and sheet-safe: "time_entries", "line_items"
    title: str  # "Time entries"
    columns: tuple[ExportColumn, ...]
    chart: ChartSpec | None = None


@dataclass(frozen=True)
class ExportInfo:
    """What a file says about itself: title block, info sheet, footer."""

    title: str
    source: str
    firm_name: str
    generated_at: datetime  # aware, in the firm's zone
    generated_by: str
    currency: str = "USD"
    timezone: str = "UTC"
    filters: tuple[tuple[str, str], ...] = ()  # (label, value) as a person reads them
    notes: tuple[str, ...] = ()  # definitions, e.g. of an analytics metric


@dataclass(frozen=True)
class ExportOutcome:
    """What happened, known only at the end: handed to the writer when it closes."""

    rows_by_table: dict[str, int]  # rows the writer was given, by table
    partial: bool = False  # some rows that matched are not in the file
    warnings: tuple[str, ...] = ()  # what is missing and why, in words a reader acts on
    # Rows the filters matched, by table: more than the writer was given where a cap cut them.
    rows_matched: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class WriteSummary:
    """What a writer reports once its file is complete."""

    path_size_bytes: int
    rows_written: dict[str, int] = field(default_factory=dict)  # rows the file holds, by table
    files: tuple[str, ...] = ()  # names inside an archive, when there are several
    warnings: tuple[str, ...] = ()  # what the writer itself could not put in the file
