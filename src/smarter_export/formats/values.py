"""Values as text, the one way every text format spells them (CSV, JSON Lines)."""

from __future__ import annotations

from decimal import Decimal


def plain_decimal(value: Decimal) -> str:
    """A decimal as plain digits, never an exponent, with every digit it has: "1234.50"."""
    # str() is the fast path and is plain for every decimal a database column gives back; it
    # switches to an exponent ("1E+3", "1E-7") only for odd exponents, which "f" spells out.
    text = str(value)
    return format(value, "f") if "E" in text else text
