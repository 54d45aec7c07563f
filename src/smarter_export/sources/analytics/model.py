"""What a metric is: integer facts summed per group, and the figures made from those sums.

Every metric adds up integers (minutes, cents, cent-minutes, hour-days) per group in SQL, and
only then turns the sums into Decimals: hours and money to two places, ratios to three (a tenth
of a percent), each rounded once, half away from zero, from the exact integers
(`sql.decimal_ratio`). Because the sums are integers, the firm-wide total row is the exact sum
of the facts (for money, the ledger's own total: invoices are counted whole or in exact parts,
see `shares`), never a sum of rounded rows, and its ratio is computed from those sums, never
averaged from the rows'.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select

from smarter_export.sources.analytics.filters import AnalyticsFilters
from smarter_export.sources.base import Scope
from smarter_export.sources.sql import decimal_ratio
from smarter_export.tabular import ColumnKind, ExportColumn

Units = Mapping[str, ColumnElement[Any]]
"""Summed integer facts by name, as SQL: a group's sums, or the firm's."""

CENT_MINUTES_PER_DOLLAR = 6_000  # 100 cents x 60 minutes
RATIO_PLACES = 3  # 0.751 is 75.1 %: what Excel (0.0%) and the PDF show, so no figure is re-rounded


@dataclass(frozen=True)
class Figure:
    """One column of a metric's rows and how it is computed from the summed units."""

    column: ExportColumn
    value: Callable[[Units], ColumnElement[Any]]


FactsBuilder = Callable[[Scope, AnalyticsFilters], Select[Any]]


@dataclass(frozen=True)
class Metric:
    name: str
    title: str
    definition: str  # for the info sheet and the PDF's title block
    units: tuple[str, ...]  # integer facts, summed per group
    figures: tuple[Figure, ...]  # the row's columns after the group's own
    facts: FactsBuilder  # rows of (group_id, group_label, *units); several rows per group allowed


@dataclass(frozen=True)
class Measure:
    """A summed unit shown as a two-place figure: `per` units make one (60 minutes an hour,
    100 cents a dollar, 365 hour-days an hour of a yearly target)."""

    unit: str
    column: ExportColumn
    per: int

    def value(self, units: Units) -> ColumnElement[Any]:
        return decimal_ratio(units[self.unit], self.per, 2)

    def figure(self) -> Figure:
        return Figure(self.column, self.value)


def hours(unit: str, name: str, label: str) -> Measure:
    """Minutes shown as hours."""
    return Measure(unit, hours_column(name, label), 60)


def money(unit: str, name: str, label: str) -> Measure:
    """Cents shown as money."""
    return Measure(unit, money_column(name, label), 100)


def amount(unit: str, name: str, label: str) -> Measure:
    """Cent-minutes (a rate in cents x minutes, exact) shown as money."""
    return Measure(unit, money_column(name, label), CENT_MINUTES_PER_DOLLAR)


def ratio_metric(
    *,
    name: str,
    title: str,
    definition: str,
    facts: FactsBuilder,
    numerator: Measure,
    denominator: Measure,
    ratio_column: ExportColumn,
    before: tuple[Measure, ...] = (),
) -> Metric:
    """A metric whose row is [before...], numerator, denominator, numerator / denominator.

    The ratio is taken from the exact sums, brought to one unit by the measures' `per`; a
    percentage to three places (a tenth of a percent), anything else (money per hour) to two.
    """
    places = RATIO_PLACES if ratio_column.kind == ColumnKind.PERCENT else 2

    def ratio(units: Units) -> ColumnElement[Any]:
        return decimal_ratio(
            units[numerator.unit] * denominator.per,
            units[denominator.unit] * numerator.per,
            places,
        )

    return Metric(
        name=name,
        title=title,
        definition=definition,
        units=(*(measure.unit for measure in before), numerator.unit, denominator.unit),
        figures=(
            *(measure.figure() for measure in before),
            numerator.figure(),
            denominator.figure(),
            Figure(ratio_column, ratio),
        ),
        facts=facts,
    )


def percent_column(name: str, label: str, description: str) -> ExportColumn:
    return ExportColumn(name, label, ColumnKind.PERCENT, 11, description=description)


def money_column(name: str, label: str, description: str = "") -> ExportColumn:
    return ExportColumn(name, label, ColumnKind.MONEY, 14, description=description)


def hours_column(name: str, label: str, description: str = "") -> ExportColumn:
    return ExportColumn(name, label, ColumnKind.DECIMAL, 11, description=description)
