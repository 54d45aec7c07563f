"""The streamed workbook's rows keep a column's cells already spelled, by value: a value met
again must come out exactly as the first time (neutralised, escaped, dated), and what is kept
is bounded however many distinct values stream past (the fidelity tests hold whole workbooks to
XlsxWriter's; these hold the cache's edges)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from smarter_export.formats import xlsx_rows
from smarter_export.formats.xlsx_rows import CellPlan, compile_renderer
from smarter_export.tabular import ColumnKind

PLANS = [
    CellPlan(ColumnKind.TEXT, ' s="1"'),
    CellPlan(ColumnKind.DATE, ' s="2"'),
    CellPlan(ColumnKind.MONEY, ' s="3"'),
]
ZONE = ZoneInfo("America/New_York")


def test_a_value_met_again_is_spelled_as_the_first_time() -> None:
    render = compile_renderer(PLANS, ZONE)
    awkward = ["=SUM(A1)", "+1", "-x", "@y", " lead", "tab\t", "a<b&c>", "_x0041_", "山田", "\x07"]
    rows: list[tuple[Any, ...]] = [(text, date(2024, 3, 10), Decimal("-0.50")) for text in awkward]
    first = render(rows, 0)
    again = render(rows, 0)  # every value now comes from the kept cells
    assert first == again
    assert compile_renderer(PLANS, ZONE)(rows, 0) == first  # as a renderer that never met them
    assert "<t>'=SUM(A1)</t>" in first and "<t>'+1</t>" in first and "a&lt;b&amp;c&gt;" in first
    assert "_x005F_x0041_" in first and "_x0007_" in first
    assert '<c r="B1" s="2"><v>45361</v></c>' in first and "<v>-0.50</v>" in first


def test_what_is_kept_is_bounded(monkeypatch: Any) -> None:
    monkeypatch.setattr(xlsx_rows, "TAILS_KEPT", 100)
    render = compile_renderer(PLANS, ZONE)
    long_text = "x" * (xlsx_rows.LONGEST_TEXT_KEPT + 1)
    rows = [(long_text, None, None), ("short", None, None)]  # met before the bound is reached
    rows += [(f"client {n}", date.fromordinal(730_000 + n), None) for n in range(500)]
    xml = render(rows, 0)
    tails = render.__globals__["tails0"], render.__globals__["tails1"]
    assert [len(kept) for kept in tails] == [100, 100]
    assert long_text not in tails[0] and "short" in tails[0]
    assert xml.count("<row ") == 502 and "client 499" in xml  # past the bound, still written
