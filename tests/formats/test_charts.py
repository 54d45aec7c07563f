"""Charts in analytics exports, tested as the files are used.

Excel: the chart part (xl/charts/chart1.xml) names the table's own cells and the point count,
and LibreOffice opens the workbook and converts it to PDF. PDF: the chart is drawn above the
table and the page renders. The whole path runs once through the CLI on a real demo firm, where
`--filter chart=false` leaves the chart out.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from xlsxwriter.utility import quote_sheetname

from smarter_export.formats.excel import ExcelWriter
from smarter_export.formats.pdf import PdfWriter
from smarter_export.sources.analytics.catalog import METRICS
from smarter_export.tabular import ChartKind, ChartSpec, ExportColumn, Row, TableSpec
from tests.live import service_env

from .conftest import K, make_column, make_info, write_export
from .poppler import pdftotext, render_pages

TOTAL = "Total (firm)"
PEOPLE = ("José Núñez", "Renée O'Connor", "Søren Kierkegård", "Zoë Müller", "Ægir Ørsted",
          "Łukasz Wiśniewski", "山田太郎")  # fmt: skip


def utilization_table(*, chart: bool = True) -> TableSpec:
    columns = (
        make_column(name="timekeeper", label="Timekeeper", kind=K.TEXT),
        make_column(name="billableHours", label="Billable hours", kind=K.DECIMAL),
        make_column(name="targetHours", label="Target hours", kind=K.DECIMAL),
        make_column(name="utilization", label="Utilization", kind=K.PERCENT),
    )
    spec = ChartSpec(
        kind=ChartKind.BARS,
        title="Billable hours against target by timekeeper, 2024-01-01 to 2024-03-31",
        category="timekeeper",
        values=("billableHours",),
        axis_title="Hours",
        target="targetHours",
        leave_out=TOTAL,
    )
    return TableSpec("analytics", "Analytics", columns, spec if chart else None)


def utilization_rows() -> list[Row]:
    rows: list[Row] = []
    for number, person in enumerate(PEOPLE):
        billable, target = Decimal(300 + 40 * number), Decimal(450)
        rows.append((person, billable, target, (billable / target).quantize(Decimal("0.001"))))
    rows.append((TOTAL, Decimal(3000), Decimal(3150), Decimal("0.952")))
    return rows


def profitability_table() -> TableSpec:
    columns: tuple[ExportColumn, ...] = (
        make_column(name="matter", label="Matter", kind=K.TEXT),
        make_column(name="profit", label="Profit", kind=K.MONEY),
    )
    spec = ChartSpec(
        kind=ChartKind.BARS,
        title="Matter profitability by matter, 2024-01-01 to 2024-12-31",
        category="matter",
        values=("profit",),
        axis_title="Amount",
        leave_out=TOTAL,
        extremes=3,
    )
    return TableSpec("analytics", "Analytics", columns, spec)


def chart_part(path: Path, number: int = 1) -> str:
    with zipfile.ZipFile(path) as workbook:
        return workbook.read(f"xl/charts/chart{number}.xml").decode()


def series_ranges(xml: str) -> list[str]:
    return re.findall(r"<c:f>([^<]*)</c:f>", xml)


def point_counts(xml: str) -> list[int]:
    return [int(count) for count in re.findall(r'<c:ptCount val="(\d+)"/>', xml)]


def soffice_pdf(workbook: Path, out_dir: Path) -> Path:
    soffice = shutil.which("soffice")
    assert soffice, "soffice is missing: apt-get install -y libreoffice-calc-nogui"
    done = subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation=file://{out_dir}/profile",
         "--convert-to", "pdf", "--outdir", str(out_dir), str(workbook)],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    converted = out_dir / f"{workbook.stem}.pdf"
    assert done.returncode == 0 and converted.exists(), done.stdout + done.stderr
    return converted


def test_excel_chart_points_at_the_table_cells(tmp_path: Path) -> None:
    path = tmp_path / "utilization.xlsx"
    table = utilization_table()

    write_export(ExcelWriter(), path, tables=[table], rows={table.name: utilization_rows()})

    xml = chart_part(path)
    # Bars of billable hours, a line of target marks: both over the seven timekeepers, not the
    # total row (row 9), named by their header cells.
    assert series_ranges(xml) == [
        "Analytics!$B$1",
        "Analytics!$A$2:$A$8",
        "Analytics!$B$2:$B$8",
        "Analytics!$C$1",
        "Analytics!$A$2:$A$8",
        "Analytics!$C$2:$C$8",
    ]
    assert point_counts(xml) == [1, 7, 7, 1, 7, 7]
    assert "<c:barChart>" in xml and "<c:lineChart>" in xml
    assert "Billable hours against target by timekeeper, 2024-01-01 to 2024-03-31" in xml
    assert "<c:v>山田太郎</c:v>" in xml  # the cached category names, for readers that show them


def test_excel_chart_of_extremes_names_both_runs_of_rows(tmp_path: Path) -> None:
    path = tmp_path / "profitability.xlsx"
    table = profitability_table()
    # Profit falls from row to row, so the three best are rows 2-4 and the three worst 11-13.
    rows: list[Row] = [
        (f"Matter {number:02d}", Decimal(900 - 100 * number)) for number in range(12)
    ]
    rows.append((TOTAL, Decimal(4200)))

    write_export(ExcelWriter(), path, tables=[table], rows={table.name: rows})

    xml = chart_part(path)
    assert series_ranges(xml) == [
        "Analytics!$B$1",
        "(Analytics!$A$2:$A$4,Analytics!$A$11:$A$13)",
        "(Analytics!$B$2:$B$4,Analytics!$B$11:$B$13)",
    ]
    assert point_counts(xml) == [1, 6, 6]


def test_a_table_without_chart_has_no_chart_part(tmp_path: Path) -> None:
    path = tmp_path / "plain.xlsx"
    table = utilization_table(chart=False)

    write_export(ExcelWriter(), path, tables=[table], rows={table.name: utilization_rows()})

    with zipfile.ZipFile(path) as workbook:
        assert not [name for name in workbook.namelist() if name.startswith("xl/charts/")]


def test_libreoffice_opens_the_workbook_and_converts_it(tmp_path: Path) -> None:
    path = tmp_path / "utilization.xlsx"
    table = utilization_table()
    write_export(ExcelWriter(), path, tables=[table], rows={table.name: utilization_rows()})

    converted = soffice_pdf(path, tmp_path)

    text = pdftotext(converted)
    assert "Billable hours against target by timekeeper" in text
    assert "山田太郎" in text
    pages = int(re.search(r"Pages:\s+(\d+)", _pdfinfo(converted)).group(1))  # type: ignore[union-attr]
    render_pages(converted, "excel-chart-libreoffice", first=pages, last=pages)


def _pdfinfo(path: Path) -> str:
    tool = shutil.which("pdfinfo")
    assert tool, "pdfinfo is missing: apt-get install -y poppler-utils"
    return subprocess.run([tool, str(path)], capture_output=True, text=True, check=True).stdout


def test_pdf_chart_is_drawn_above_the_table(tmp_path: Path) -> None:
    path = tmp_path / "utilization.pdf"
    table = utilization_table()

    write_export(
        PdfWriter(),
        path,
        tables=[table],
        rows={table.name: utilization_rows()},
        info=make_info(title="Utilization by timekeeper", source="analytics"),
        batch_size=3,  # the chart waits for every batch
    )

    text = pdftotext(path)
    title = text.index("Billable hours against target by timekeeper, 2024-01-01 to 2024-03-31")
    assert title < text.index("Hours") < text.index("Target")  # the unit, then the legend
    assert text.index("Target") < text.index("Utilization\n")  # the table's header follows
    # Each timekeeper twice: beside a bar, and in the table; the total row in the table only.
    for person in PEOPLE:
        assert text.count(person) == 2, person
    assert text.count(TOTAL) == 1
    chart = text[title : text.index("Timekeeper")].split()
    assert {"0", "200", "400", "600"} <= set(chart)  # the axis ticks, in hours
    render_pages(path, "pdf-chart-utilization")


def test_pdf_chart_false_draws_the_table_alone(tmp_path: Path) -> None:
    path = tmp_path / "utilization.pdf"
    table = utilization_table(chart=False)

    write_export(PdfWriter(), path, tables=[table], rows={table.name: utilization_rows()})

    text = pdftotext(path)
    assert "against target" not in text
    assert text.count("山田太郎") == 1


CLI = [sys.executable, "-m", "smarter_export"]


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("charts")
    loaded = subprocess.run(
        [*CLI, "demo-data", "--tenants", "1", "--time-entries", "3000", "--seed", "5"],
        env=service_env(folder), capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert loaded.returncode == 0, loaded.stderr
    return folder


def export_analytics(folder: Path, output: Path, *filters: str) -> None:
    arguments = ["--filter=dateFrom=2023-01-01", "--filter=dateTo=2024-12-31"]
    arguments += [f"--filter={item}" for item in filters]
    done = subprocess.run(
        [*CLI, "export", "analytics", "--tenant", "demo", "--format", output.suffix.lstrip("."),
         *arguments, "--output", str(output)],
        env=service_env(folder), capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    ("metric", "group_by", "chart_type"),
    [
        ("utilization", "timekeeper", "<c:barChart>"),
        ("realization", "practice_area", "<c:barChart>"),
        ("collection", "client", "<c:barChart>"),
        ("ar_aging", "client", '<c:grouping val="stacked"/>'),
        ("collection", "month", "<c:lineChart>"),
        ("matter_profitability", "matter", "<c:barChart>"),
    ],
)
def test_each_metric_gets_its_chart_through_the_cli(
    demo_dir: Path, metric: str, group_by: str, chart_type: str
) -> None:
    workbook = demo_dir / f"{metric}-{group_by}.xlsx"
    export_analytics(demo_dir, workbook, f"metric={metric}", f"groupBy={group_by}")

    xml = chart_part(workbook)
    assert chart_type in xml
    assert "2024-12-31" in xml  # the period is in the title
    ranges = series_ranges(xml)
    # The data sheet is named after the metric, opens first, and the series follow its name.
    sheet = METRICS[metric].title
    assert openpyxl.load_workbook(workbook).sheetnames == [sheet, "Export info"]
    assert ranges and all(
        reference.count(f"{quote_sheetname(sheet)}!") >= 1 for reference in ranges
    )

    report = demo_dir / f"{metric}-{group_by}.pdf"
    export_analytics(demo_dir, report, f"metric={metric}", f"groupBy={group_by}")
    assert "2024-12-31" in pdftotext(report).split("\n\n")[-1] or "2024-12-31" in pdftotext(report)
    render_pages(report, f"analytics-{metric}-{group_by}")


def test_chart_false_on_the_cli_leaves_the_chart_out(demo_dir: Path) -> None:
    workbook, report = demo_dir / "plain.xlsx", demo_dir / "plain.pdf"
    export_analytics(demo_dir, workbook, "metric=utilization", "chart=false")
    export_analytics(demo_dir, report, "metric=utilization", "chart=false")

    with zipfile.ZipFile(workbook) as archive:
        assert not [name for name in archive.namelist() if name.startswith("xl/charts/")]
    assert "against target" not in pdftotext(report)
