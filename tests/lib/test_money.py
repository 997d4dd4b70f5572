"""Money as budget files write it, and splits that never lose a cent."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from civicplan.lib.money import format_money, format_money_short, parse_amount, share_of, split_amount


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234.5", "1234.50"),
        ("$1,234", "1234.00"),
        ("$1,234.56", "1234.56"),
        ("-1,234", "-1234.00"),
        ("(1,234)", "-1234.00"),
        ("$(1,234.00)", "-1234.00"),
        ("($1,234)", "-1234.00"),
        ("$-1,234", "-1234.00"),
        ("1,234-", "-1234.00"),
        ("-", "0.00"),
        ("$ -", "0.00"),
        ("  $ 12,345,678.90 ", "12345678.90"),
        (1234, "1234.00"),
        (1234.005, "1234.00"),
        (0.1 + 0.2, "0.30"),
        (Decimal("10.125"), "10.12"),
    ],
)
def test_it_reads_amounts_as_budget_files_write_them(text, expected):
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["12,5", "1.234,56", "abc", "$", "()", "1e5x", "", None, True, "1,23"])
def test_it_refuses_what_is_not_an_amount_in_words(text):
    with pytest.raises(ValueError, match="amount"):
        parse_amount(text)


def test_it_refuses_an_amount_too_large_for_the_column():
    with pytest.raises(ValueError, match="too large"):
        parse_amount("100000000000000")


def test_it_splits_a_hundred_dollars_in_three_without_losing_a_cent():
    assert split_amount(Decimal("100.00"), [Decimal(1)] * 3) == [
        Decimal("33.34"),
        Decimal("33.33"),
        Decimal("33.33"),
    ]


def test_it_splits_negative_amounts_the_same_way():
    assert split_amount(Decimal("-0.05"), [Decimal(1), Decimal(1)]) == [Decimal("-0.03"), Decimal("-0.02")]


@given(
    cents=st.integers(min_value=-(10**12), max_value=10**12),
    weights=st.lists(st.decimals(min_value=0, max_value=100, places=4), min_size=1, max_size=12),
)
def test_the_parts_of_a_split_always_add_up_to_the_whole(cents, weights):
    if sum(weights) == 0:
        weights = [*weights[:-1], Decimal(1)]
    total = Decimal(cents) / 100
    parts = split_amount(total, weights)
    assert sum(parts) == total
    assert all(part == part.quantize(Decimal("0.01")) for part in parts)
    # No part is more than a cent away from its exact share.
    weight_sum = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        assert abs(part - total * weight / weight_sum) < Decimal("0.01")


def test_a_share_is_rounded_to_the_cent():
    assert share_of(Decimal("1000.01"), Decimal("33.3333")) == Decimal("333.34")


def test_it_formats_money_for_pages():
    assert format_money(Decimal("1234567.4")) == "$1,234,567"
    assert format_money(Decimal("-1234.5"), cents=True) == "-$1,234.50"
    assert format_money(None) == "—"
    assert format_money_short(Decimal("1234567")) == "$1.2M"
    assert format_money_short(Decimal("350000")) == "$350K"
    assert format_money_short(Decimal("900")) == "$900"
