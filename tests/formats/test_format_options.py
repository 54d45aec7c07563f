"""Each format's options: validated apart from filters, refused by name, frozen and parsed back,
and deciding the file's name and type."""

from __future__ import annotations

from typing import Any

import pytest

from smarter_export.errors import ValidationFailed
from smarter_export.formats.base import ExportFormat
from smarter_export.formats.registry import FORMATS, find_format
from tests.formats.conftest import make_table


def problems(format_name: str, raw: object) -> list[tuple[str, str]]:
    with pytest.raises(ValidationFailed) as caught:
        find_format(format_name).parse_options(raw)
    return [(p.field, p.message) for p in caught.value.problems]


def test_an_option_the_format_does_not_have_is_refused_by_name() -> None:
    assert problems("excel", {"compression": "gzip"}) == [
        ("options.compression", "unknown option for the excel format")
    ]
    assert problems("csv", {"rowGroupRows": 5000, "colour": "red"}) == [
        ("options.rowGroupRows", "unknown option for the csv format"),
        ("options.colour", "unknown option for the csv format"),
    ]


def test_a_bad_value_is_refused_with_the_choices() -> None:
    ((field, message),) = problems("jsonl", {"compression": "zip"})
    assert field == "options.compression"
    assert "'none' or 'gzip'" in message
    ((field, message),) = problems("parquet", {"rowGroupRows": 10})
    assert field == "options.rowGroupRows"
    assert "greater than or equal to 1000" in message
    assert problems("csv", ["gzip"]) == [("options", "give the format's options as a JSON object")]


@pytest.mark.parametrize("export_format", FORMATS, ids=lambda f: f.name)
def test_options_freeze_and_parse_back_to_the_same(export_format: ExportFormat[Any]) -> None:
    defaults = export_format.parse_options(None)
    assert defaults == export_format.options()
    assert export_format.parse_options(defaults.frozen()) == defaults


def test_gzip_names_the_file_and_its_type() -> None:
    one, two = make_table(), make_table(name="line_items")
    csv, jsonl, parquet = find_format("csv"), find_format("jsonl"), find_format("parquet")
    gzip_csv = csv.parse_options({"compression": "gzip"})
    assert csv.file_for([one], gzip_csv).extension == ".csv.gz"
    assert csv.file_for([one], gzip_csv).content_type == "application/gzip"
    gzip_jsonl = jsonl.parse_options({"compression": "gzip"})
    assert jsonl.file_for([one], gzip_jsonl).extension == ".jsonl.gz"
    assert jsonl.file_for([one]).content_type == "application/jsonl"
    # Several tables are a ZIP, its members deflated: no gzip inside or around it.
    assert csv.file_for([one, two], gzip_csv).extension == ".zip"
    assert parquet.file_for([one]).extension == ".parquet"
    assert parquet.file_for([one, two]).extension == ".zip"
