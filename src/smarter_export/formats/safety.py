"""Formula-injection neutralisation for text cells (OWASP CSV injection guidance)."""

from __future__ import annotations

# A cell starting with one of these is run as a formula by Excel, LibreOffice or Sheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Prefix a text value that a spreadsheet would run as a formula with a single quote.

    Only text is touched: numbers are never passed here, so -42.50 stays a number.
    """
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text
