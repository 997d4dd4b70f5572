"""A budget line split among the plan elements it serves: the parts and the rest add up to the line, to the cent."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from civicplan.budget.services import split_line

D = Decimal


def test_it_splits_a_line_by_percentages_with_the_rest_outside_the_plan():
    split = split_line(D("1000.00"), [(D("33.3333"), None), (D("33.3333"), None)])
    assert split.parts == [D("333.33"), D("333.33")]
    assert split.rest == D("333.34")
    assert sum(split.parts) + split.rest == D("1000.00")


def test_it_gives_the_whole_line_when_the_shares_make_a_hundred():
    split = split_line(D("100.00"), [(D("33.3333"), None), (D("33.3333"), None), (D("33.3334"), None)])
    assert sum(split.parts) == D("100.00")
    assert split.rest == 0


def test_it_takes_fixed_amounts_out_of_what_the_shares_leave():
    split = split_line(D("1000.00"), [(D("50"), None), (None, D("200.00"))])
    assert split.parts == [D("500.00"), D("200.00")]
    assert split.rest == D("300.00")


def test_a_fixed_amount_never_takes_more_than_a_shrunken_line_has_left():
    split = split_line(D("150.00"), [(D("50"), None), (None, D("200.00"))])
    assert split.parts == [D("75.00"), D("75.00")]
    assert split.rest == 0


def test_a_negative_line_splits_into_negative_parts():
    split = split_line(D("-99.99"), [(D("50"), None), (None, D("10.00"))])
    assert sum(split.parts) + split.rest == D("-99.99")
    assert split.parts[1] == D("-10.00")


@given(
    cents=st.integers(min_value=0, max_value=10**11),
    shares=st.lists(st.decimals(min_value="0.0001", max_value=25, places=4), max_size=4),
    fixed=st.lists(st.integers(min_value=1, max_value=10**9), max_size=3),
)
def test_parts_and_rest_always_add_up_to_the_line(cents, shares, fixed):
    amount = D(cents) / 100
    allocations = [(share, None) for share in shares] + [(None, D(value) / 100) for value in fixed]
    split = split_line(amount, allocations)
    assert sum(split.parts, D(0)) + split.rest == amount
    assert split.rest >= 0
    assert all(part >= 0 for part in split.parts)
