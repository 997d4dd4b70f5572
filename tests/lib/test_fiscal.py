"""Fiscal years: named by the calendar year they start in, July-June unless the city says otherwise."""

from __future__ import annotations

import datetime as dt

import pytest

from civicplan.lib.fiscal import fiscal_year_bounds, fiscal_year_label, fiscal_year_of, parse_fiscal_year


@pytest.mark.parametrize(
    ("start_year", "start_month", "label"),
    [(2025, 7, "FY 2025-26"), (2009, 10, "FY 2009-10"), (2099, 7, "FY 2099-00"), (2025, 1, "FY 2025")],
)
def test_it_labels_a_fiscal_year(start_year, start_month, label):
    assert fiscal_year_label(start_year, start_month) == label


def test_it_labels_july_fiscal_years_by_default():
    assert fiscal_year_label(2030) == "FY 2030-31"


@pytest.mark.parametrize(
    ("day", "start_month", "year"),
    [
        (dt.date(2025, 7, 1), 7, 2025),
        (dt.date(2025, 6, 30), 7, 2024),
        (dt.date(2025, 12, 31), 7, 2025),
        (dt.date(2025, 9, 30), 10, 2024),
        (dt.date(2025, 10, 1), 10, 2025),
        (dt.date(2025, 1, 1), 1, 2025),
    ],
)
def test_it_finds_the_fiscal_year_of_a_day(day, start_month, year):
    assert fiscal_year_of(day, start_month) == year


@pytest.mark.parametrize(
    ("start_year", "start_month", "bounds"),
    [
        (2025, 7, (dt.date(2025, 7, 1), dt.date(2026, 6, 30))),
        (2023, 3, (dt.date(2023, 3, 1), dt.date(2024, 2, 29))),
        (2025, 1, (dt.date(2025, 1, 1), dt.date(2025, 12, 31))),
    ],
)
def test_it_gives_the_first_and_last_day_of_a_fiscal_year(start_year, start_month, bounds):
    assert fiscal_year_bounds(start_year, start_month) == bounds


@pytest.mark.parametrize(
    "text",
    [
        "FY 2025-26",
        "2025-26",
        "2025-2026",
        "2026",
        "FY2025-26",
        "fy 2025-26",
        " FY 2025 – 26 ",
        "2025/26",
        "FY 2026",
    ],
)
def test_it_reads_the_ways_people_write_a_fiscal_year(text):
    assert parse_fiscal_year(text) == 2025


def test_it_reads_a_lone_year_as_the_calendar_year_when_fiscal_years_start_in_january():
    assert parse_fiscal_year("2026", start_month=1) == 2026
    assert parse_fiscal_year("FY 2026", start_month=1) == 2026


def test_it_reads_a_fiscal_year_across_a_century():
    assert parse_fiscal_year("FY 2099-00") == 2099


@pytest.mark.parametrize("start_year", [1999, 2025, 2099])
def test_it_reads_back_its_own_labels(start_year):
    assert parse_fiscal_year(fiscal_year_label(start_year)) == start_year


@pytest.mark.parametrize("text", ["2025-27", "2025-2025", "FY 2026-25", "2025-2027"])
def test_it_refuses_a_span_that_is_not_two_consecutive_years(text):
    with pytest.raises(ValueError, match="does not span two consecutive years"):
        parse_fiscal_year(text)


@pytest.mark.parametrize(
    "text", ["", "FY", "25-26", "FY 25-26", "2025-6", "2025-026", "next year", "20255", "FY 2025-26x"]
)
def test_it_refuses_what_is_not_a_fiscal_year(text):
    with pytest.raises(ValueError, match="is not a fiscal year"):
        parse_fiscal_year(text)
