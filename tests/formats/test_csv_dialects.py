"""CSV dialects: exact bytes with `;` and a decimal comma, tab and pipe, the byte-order mark as
the caller asks, gzip; a decimal comma beside a comma delimiter refused by name."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from smarter_export.errors import ValidationFailed
from smarter_export.formats.csv_options import CsvOptions
from smarter_export.formats.csv_writer import CsvWriter
from smarter_export.formats.registry import find_format
from tests.formats.conftest import make_table, write_export
from tests.formats.test_csv_writer import GOLDEN_BYTES, GOLDEN_COLUMNS, GOLDEN_ROWS

SEMICOLON_DECIMAL_COMMA = (
    "\ufeffName;Code;Amount;Hours;Day;At;Billable;Count;Note\r\n"
    'Zoë Müller-Ørsted;007;1234,50;10;2024-03-01;2024-03-01T09:30:00-05:00;true;3;"Said ""hi"", '
    'then\nleft"\r\n'
    '山田太郎;\'-12;-42,50;0,0000001;;;false;;"\'=HYPERLINK(""http://x"",""y"")"\r\n'
).encode()


def written(tmp_path: Path, options: dict[str, object], *, server_bom: bool = True) -> bytes:
    path = tmp_path / "export.csv"
    table = make_table(columns=GOLDEN_COLUMNS)
    writer = CsvWriter(byte_order_mark=server_bom, options=CsvOptions.model_validate(options))
    write_export(writer, path, tables=[table], rows={table.name: GOLDEN_ROWS})
    return path.read_bytes()


def test_semicolon_and_decimal_comma_are_exactly_these_bytes(tmp_path: Path) -> None:
    options = {"delimiter": ";", "decimalSeparator": ","}
    assert written(tmp_path, options) == SEMICOLON_DECIMAL_COMMA


def test_the_defaults_are_the_bytes_of_before(tmp_path: Path) -> None:
    assert written(tmp_path, {}) == GOLDEN_BYTES


@pytest.mark.parametrize(("given", "delimiter"), [("\t", "\t"), ("tab", "\t"), ("|", "|")])
def test_tab_and_pipe(tmp_path: Path, given: str, delimiter: str) -> None:
    data = written(tmp_path, {"delimiter": given})
    assert (
        data
        == GOLDEN_BYTES.decode()
        .replace(",", delimiter)
        .replace(f'"Said ""hi""{delimiter} then', '"Said ""hi"", then')
        .replace(f'""http://x""{delimiter}""y""', '""http://x"",""y""')
        .encode()
    )


def test_a_delimiter_inside_a_value_is_quoted(tmp_path: Path) -> None:
    table = make_table(columns=GOLDEN_COLUMNS[:1])
    path = tmp_path / "export.csv"
    writer = CsvWriter(options=CsvOptions.model_validate({"delimiter": ";"}))
    write_export(writer, path, tables=[table], rows={table.name: [("Acme; Inc.",)]})
    assert path.read_bytes() == '\ufeffName\r\n"Acme; Inc."\r\n'.encode()


def test_the_callers_byte_order_mark_wins_over_the_servers(tmp_path: Path) -> None:
    assert written(tmp_path, {"byteOrderMark": False}) == GOLDEN_BYTES.removeprefix(b"\xef\xbb\xbf")
    assert written(tmp_path, {"byteOrderMark": True}, server_bom=False) == GOLDEN_BYTES
    assert written(tmp_path, {}, server_bom=False) == GOLDEN_BYTES.removeprefix(b"\xef\xbb\xbf")


def test_gzip_holds_the_same_bytes(tmp_path: Path) -> None:
    options = {"delimiter": ";", "decimalSeparator": ",", "compression": "gzip"}
    assert gzip.decompress(written(tmp_path, options)) == SEMICOLON_DECIMAL_COMMA


def test_a_decimal_comma_needs_another_delimiter() -> None:
    with pytest.raises(ValidationFailed) as caught:
        find_format("csv").parse_options({"decimalSeparator": ","})
    ((field, message),) = [(p.field, p.message) for p in caught.value.problems]
    assert field == "options.decimalSeparator"
    assert message == 'a decimal comma needs a delimiter other than ",": use ";"'
    with pytest.raises(ValidationFailed) as caught:
        find_format("csv").parse_options({"delimiter": ":"})
    assert caught.value.problems[0].field == "options.delimiter"
