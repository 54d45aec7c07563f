"""What a caller may choose about a CSV file."""

from __future__ import annotations

from smarter_export.formats.options import CompressibleOptions


class CsvOptions(CompressibleOptions):
    """CSV may be delivered gzip-compressed."""
