"""Rows to SpreadsheetML, a batch at a time, by a function compiled once per table.

The function is generated from the table's columns: one local per cell, the column's letter and
style written into its template, and the value's conversion chosen by the column's kind. The
loop then does no lookups, no type dispatch and no call per cell except where a value needs one
(a date's serial number; text that must be escaped or neutralised). Only our own column letters
and style numbers go into the generated source; values never do.

Cells are spelled as `xlsx_xml` spells them, which is how XlsxWriter spells them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from smarter_export.formats.safety import neutralise
from smarter_export.formats.xlsx_xml import (
    column_letter,
    date_serial,
    datetime_serial,
    plain_text,
    text_cell,
)
from smarter_export.tabular import ColumnKind, Row

# (rows, XML number of the row before the first) -> the rows' XML
RowRenderer = Callable[[Sequence[Row], int], str]

_NUMBERS = (ColumnKind.INTEGER, ColumnKind.DECIMAL, ColumnKind.MONEY, ColumnKind.PERCENT)


@dataclass(frozen=True)
class CellPlan:
    kind: ColumnKind
    style: str  # ' s="4"', or "" for the default style


def _cell_expression(index: int, plan: CellPlan) -> str:
    value, letter, style = f"v{index}", column_letter(index), plan.style
    start = f'<c r="{letter}{{r}}"{style}'
    kind = plan.kind
    if kind in (ColumnKind.TEXT, ColumnKind.ID):
        fast = f"f'{start} t=\"inlineStr\"><is><t>{{{value}}}</t></is></c>'"
        slow = f"text_cell('{letter}' + r, '{style}', neutralise({value}))"
        cell = f"({fast} if plain_text({value}) else {slow})"
    elif kind in _NUMBERS:
        # Decimals print as they are: a reader parses "1234.50" to the very float that
        # XlsxWriter's float(value) writes as "1234.5".
        cell = f"f'{start}><v>{{{value}}}</v></c>'"
    elif kind == ColumnKind.DATE:
        cell = f"f'{start}><v>{{date_serial({value})}}</v></c>'"
    elif kind == ColumnKind.DATETIME:
        serial = f"datetime_serial({value}.astimezone(zone))"
        cell = f"f'{start}><v>{{{serial}:.16G}}</v></c>'"
    else:  # BOOLEAN
        cell = f"(f'{start} t=\"b\"><v>1</v></c>' if {value} else f'{start} t=\"b\"><v>0</v></c>')"
    return f"'' if {value} is None else {cell}"


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
        "plain_text": plain_text,
        "text_cell": text_cell,
        "neutralise": neutralise,
        "date_serial": date_serial,
        "datetime_serial": datetime_serial,
        "zone": zone,
        "datetime": datetime,
    }
    # The source is built above from column letters, style numbers and fixed templates only.
    exec(compile("\n".join(source), "<xlsx rows>", "exec"), namespace)  # noqa: S102
    render = namespace["render"]
    assert callable(render)
    return render
