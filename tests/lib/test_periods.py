"""Months, fiscal quarters and fiscal years as indicator periods."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from civicplan.lib.periods import (
    FREQUENCIES,
    PeriodError,
    latest_due_period,
    next_period,
    parse_period,
    period_end,
    period_key,
    period_label,
    period_start,
)

D = dt.date


@pytest.mark.parametrize(
    ("day", "frequency", "start"),
    [
        (D(2026, 3, 17), "monthly", D(2026, 3, 1)),
        (D(2026, 3, 17), "quarterly", D(2026, 1, 1)),
        (D(2026, 8, 2), "quarterly", D(2026, 7, 1)),
        (D(2026, 3, 17), "yearly", D(2025, 7, 1)),
        (D(2026, 7, 1), "yearly", D(2026, 7, 1)),
    ],
)
def test_it_finds_the_period_that_contains_a_day(day, frequency, start):
    assert period_start(day, frequency) == start


def test_quarters_follow_an_october_fiscal_year():
    assert period_start(D(2026, 12, 31), "quarterly", 10) == D(2026, 10, 1)
    assert period_label(D(2027, 1, 1), "quarterly", 10) == "FY 2026-27 Q2"


@pytest.mark.parametrize(
    ("text", "frequency", "start"),
    [
        ("2026-03", "monthly", D(2026, 3, 1)),
        ("2026-03-31", "monthly", D(2026, 3, 1)),
        ("FY 2025-26 Q3", "quarterly", D(2026, 1, 1)),
        ("FY2025-26 Q1", "quarterly", D(2025, 7, 1)),
        ("2025-26 q4", "quarterly", D(2026, 4, 1)),
        ("FY 2025-26", "yearly", D(2025, 7, 1)),
        ("2026-03", "yearly", D(2025, 7, 1)),
    ],
)
def test_it_reads_the_forms_people_write(text, frequency, start):
    assert parse_period(text, frequency) == start


@pytest.mark.parametrize(
    ("text", "frequency", "message"),
    [
        ("", "monthly", "empty"),
        ("2026-13", "monthly", "not a real date"),
        ("March", "monthly", "not a period"),
        ("FY 2025-26", "monthly", "whole fiscal year"),
        ("FY 2025-26 Q2", "monthly", "is a quarter"),
    ],
)
def test_it_refuses_unreadable_periods_in_plain_words(text, frequency, message):
    with pytest.raises(PeriodError, match=message):
        parse_period(text, frequency)


@given(st.dates(min_value=D(2000, 1, 1), max_value=D(2090, 12, 31)), st.sampled_from(FREQUENCIES))
def test_a_period_key_reads_back_as_the_same_period(day, frequency):
    start = period_start(day, frequency)
    assert start <= day <= period_end(start, frequency)
    assert parse_period(period_key(start, frequency), frequency) == start
    assert next_period(start, frequency) == period_end(start, frequency) + dt.timedelta(days=1)


def test_a_period_is_due_once_it_ended_more_than_the_lag_ago():
    assert latest_due_period(D(2026, 5, 10), "monthly", 45) == D(2026, 2, 1)
    assert latest_due_period(D(2026, 5, 16), "monthly", 45) == D(2026, 3, 1)
    assert latest_due_period(D(2026, 5, 16), "monthly", 15) == D(2026, 4, 1)
    assert latest_due_period(D(2026, 11, 26), "quarterly", 45) == D(2026, 7, 1)
    assert latest_due_period(D(2026, 11, 26), "yearly", 90) == D(2025, 7, 1)
