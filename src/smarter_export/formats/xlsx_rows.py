"""Rows to SpreadsheetML, a batch at a time, by a function compiled once per table.

The function is generated from the table's columns: one local per cell, the column's letter and
style written into its template, and the value's conversion chosen by the column's kind. The
loop then does no type dispatch and no call per cell except where a value needs one: a text or
date cell is looked up, by its value, among the column's cells already spelled (`_tails`),
and spelled once when new. Only our own column letters and style numbers go into the generated
source; values never do.

Cells are spelled as `xlsx_xml` spells them, which is how XlsxWriter spells them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from smarter_export.formats.safety import neutralise
from smarter_export.formats.xlsx_xml import (
    column_letter,
    date_serial,
    datetime_serial,
    inline_text,
    plain_text,
)
from smarter_export.kept import KeptValues
from smarter_export.tabular import ColumnKind, Row

# (rows, XML number of the row before the first) -> the rows' XML
RowRenderer = Callable[[Sequence[Row], int], str]

_NUMBERS = (ColumnKind.INTEGER, ColumnKind.DECIMAL, ColumnKind.MONEY, ColumnKind.PERCENT)
# Distinct values of one column kept spelled (see `_tails`), and the longest text kept: names,
# codes, statuses and dates repeat from row to row; long free text seldom does. At most 16,384 x
# (64 characters and their XML) a column: some 4 MB of plain text, however many rows. A firm's
# matter names and numbers (7,265 and 8,505 distinct in the demo firm of a million entries) are
# all kept: against 4,096, the million rows' Excel export took 9.8 s instead of 10.3 s (medians
# of four alternate runs) and 116 MB at its peak instead of 111 MB.
TAILS_KEPT = 16_384
LONGEST_TEXT_KEPT = 64


def _text_tail(style: str) -> Callable[[str], str]:
    def spell(value: str) -> str:
        if plain_text(value):
            return f'{style} t="inlineStr"><is><t>{value}</t></is></c>'
        return f'{style} t="inlineStr">{inline_text(neutralise(value))}</c>'

    return spell


def _date_tail(style: str) -> Callable[[date], str]:
    def spell(value: date) -> str:
        return f"{style}><v>{date_serial(value)}</v></c>"

    return spell


@dataclass(frozen=True)
class CellPlan:
    kind: ColumnKind
    style: str  # ' s="4"', or "" for the default style


def _cell_expression(index: int, plan: CellPlan) -> str:
    value, letter, style = f"v{index}", column_letter(index), plan.style
    start = f'<c r="{letter}{{r}}"{style}'
    kind = plan.kind
    if kind in (ColumnKind.TEXT, ColumnKind.ID, ColumnKind.DATE):
        cell = f"f'<c r=\"{letter}{{r}}\"{{tails{index}[{value}]}}'"
    elif kind in _NUMBERS:
        # Decimals print as they are: a reader parses "1234.50" to the very float that
        # XlsxWriter's float(value) writes as "1234.5". `!s`: str() is what format() gives an
        # int, a float or a Decimal with no spec, without the formatting machinery.
        cell = f"f'{start}><v>{{{value}!s}}</v></c>'"
    elif kind == ColumnKind.DATETIME:
        serial = f"datetime_serial({value}.astimezone(zone))"
        cell = f"f'{start}><v>{{{serial}:.16G}}</v></c>'"
    else:  # BOOLEAN
        cell = f"(f'{start} t=\"b\"><v>1</v></c>' if {value} else f'{start} t=\"b\"><v>0</v></c>')"
    return f"'' if {value} is None else {cell}"


def _tails(plan: CellPlan) -> KeptValues | None:
    """A column's cells as XML after their reference (`' s="3" t="inlineStr">...</c>'`), by
    value: a value met again costs one dict lookup in C instead of the text checks (a regular
    expression over the whole text was some 40% of rendering a row) or a date's serial."""
    if plan.kind in (ColumnKind.TEXT, ColumnKind.ID):
        return KeptValues(_text_tail(plan.style), TAILS_KEPT, _short)
    if plan.kind == ColumnKind.DATE:
        return KeptValues(_date_tail(plan.style), TAILS_KEPT, lambda _value, _tail: True)
    return None


def _short(text: str, _tail: str) -> bool:
    return len(text) <= LONGEST_TEXT_KEPT


def compile_renderer(plans: Sequence[CellPlan], zone: tzinfo) -> RowRenderer:
    values = ", ".join(f"v{index}" for index in range(len(plans)))
    cells = "".join(f"{{c{index}}}" for index in range(len(plans)))
    source = [
        "def render(rows, number):",
        "    out = []",
        "    append = out.append",
        "    for row in rows:",
        "        number += 1",
        "        r = str(number)",
        f"        {values}, = row",
    ]
    source += [f"        c{i} = {_cell_expression(i, plan)}" for i, plan in enumerate(plans)]
    source += [f"        append(f'<row r=\"{{r}}\">{cells}</row>')", "    return ''.join(out)"]
    namespace: dict[str, object] = {
        "datetime_serial": datetime_serial,
        "zone": zone,
        "datetime": datetime,
    }
    # One dict of spelled cells per text or date column, for this renderer (this table) only.
    namespace.update(
        (f"tails{index}", tails)
        for index, plan in enumerate(plans)
        if (tails := _tails(plan)) is not None
    )
    # The source is built above from column letters, style numbers and fixed templates only.
    exec(compile("\n".join(source), "<xlsx rows>", "exec"), namespace)  # noqa: S102
    render = namespace["render"]
    assert callable(render)
    return render
