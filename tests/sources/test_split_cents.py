"""Cumulative rounding in Python (`split_cents`, the LEDES tax split): the parts add up to the
amount exactly and each is within a cent of its exact share, negative weights (a discount
line) included."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smarter_export.sources.analytics.allocation import split_cents


@given(
    amount=st.integers(-(10**9), 10**9),
    weights=st.lists(st.integers(-(10**7), 10**7), min_size=1, max_size=40).filter(
        lambda w: sum(w) != 0
    ),
)
def test_parts_add_up_exactly_each_within_a_cent(amount: int, weights: list[int]) -> None:
    parts = split_cents(amount, weights)
    assert sum(parts) == amount
    total = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        assert abs(part - Fraction(amount * weight, total)) <= 1


def test_a_vat_split_over_lines_and_a_discount() -> None:
    # 19 % VAT of 1,000.00 of fees less a 50.00 discount, over 3 lines and the discount line.
    assert split_cents(18050, [40000, 35000, 25000, -5000]) == [7600, 6650, 4750, -950]


def test_weights_adding_to_zero_cannot_be_divided() -> None:
    with pytest.raises(ValueError, match="add up to zero"):
        split_cents(100, [5, -5])
