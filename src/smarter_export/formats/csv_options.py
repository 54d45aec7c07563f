"""What a caller may choose about a CSV file: its dialect for a spreadsheet's locale, and gzip.

A German or French Excel reads `;` between fields and a decimal comma; the defaults are RFC 4180
with a decimal point, as every program that reads CSV for machines expects.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, ValidationInfo, field_validator

from smarter_export.formats.options import CompressibleOptions


class Delimiter(StrEnum):
    COMMA = ","
    SEMICOLON = ";"
    TAB = "\t"
    PIPE = "|"


class DecimalSeparator(StrEnum):
    POINT = "."
    COMMA = ","


class CsvOptions(CompressibleOptions):
    delimiter: Delimiter = Field(
        Delimiter.COMMA, description='Between fields: ",", ";", a tab ("\\t" or "tab") or "|".'
    )
    decimal_separator: DecimalSeparator = Field(
        DecimalSeparator.POINT,
        description='In money, hours and ratios: "." or "," (with a delimiter other than ",").',
    )
    byte_order_mark: bool | None = Field(
        None,
        description="A UTF-8 byte-order mark first, so Excel reads the file as UTF-8; "
        "unset: the server's SMARTER_EXPORT_CSV_BYTE_ORDER_MARK (on unless changed).",
    )

    @field_validator("delimiter", mode="before")
    @classmethod
    def _tab_by_name(cls, value: object) -> object:
        # A tab is hard to type on a command line or read in JSON: its name is accepted too.
        return "\t" if isinstance(value, str) and value.lower() == "tab" else value

    @field_validator("decimal_separator")
    @classmethod
    def _not_the_delimiter(cls, value: DecimalSeparator, info: ValidationInfo) -> DecimalSeparator:
        if value is DecimalSeparator.COMMA and info.data.get("delimiter") is Delimiter.COMMA:
            raise ValueError('a decimal comma needs a delimiter other than ",": use ";"')
        return value
