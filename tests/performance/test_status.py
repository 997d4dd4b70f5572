"""The status rules: a table of cases, the explanation in words, and the monotone property."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from civicplan.performance.display import IndicatorFormatter
from civicplan.performance.status import RANK, IndicatorStatus, compute_status, trend_projection

TODAY = dt.date(2026, 3, 20)  # monthly, 45 days' lag: January 2026 is the latest period due
ON, ATTENTION, OFF = IndicatorStatus.ON_TRACK, IndicatorStatus.NEEDS_ATTENTION, IndicatorStatus.OFF_TRACK
NO_DATA, NO_TARGET = IndicatorStatus.NO_DATA, IndicatorStatus.NO_TARGET


def month(year: int, number: int) -> dt.date:
    return dt.date(year, number, 1)


def status(
    direction="higher", values=(), targets=None, baseline=None, margin=10, frequency="monthly", today=TODAY
):
    return compute_status(
        direction=direction,
        frequency=frequency,
        measurements=values,
        targets={2025: 100} if targets is None else targets,
        baseline=baseline,
        attention_margin_pct=margin,
        lag_days=45,
        fy_start_month=7,
        today=today,
    )


JAN = month(2026, 1)
CASES = [
    ("nothing entered", {"values": []}, NO_DATA),
    ("latest due period missing", {"values": [(month(2025, 12), 120)]}, NO_DATA),
    ("meets the target", {"values": [(JAN, 100)]}, ON),
    ("beats the target", {"values": [(JAN, 130)]}, ON),
    ("short within the margin", {"values": [(JAN, 95)]}, ATTENTION),
    ("short by exactly the margin", {"values": [(JAN, 90)]}, ATTENTION),
    ("short beyond the margin", {"values": [(JAN, 85)]}, OFF),
    ("no target for the year", {"values": [(JAN, 100)], "targets": {2024: 100}}, NO_TARGET),
    ("target with no value", {"values": [(JAN, 100)], "targets": {2025: (None, None, None)}}, NO_TARGET),
    (
        "behind, but the trend reaches the target by June",
        {"values": [(month(2025, 11), 80), (month(2025, 12), 85), (JAN, 90)]},
        ON,
    ),
    (
        "behind and trending away",
        {"values": [(month(2025, 11), 100), (month(2025, 12), 95), (JAN, 88)]},
        OFF,
    ),
    (
        "two points are not a trend",
        {"values": [(month(2025, 12), 60), (JAN, 85)]},
        OFF,
    ),
    (
        "last year's values do not count toward this year's trend",
        {"values": [(month(2025, 5), 0), (month(2025, 6), 40), (JAN, 85)]},
        OFF,
    ),
    ("lower: meets", {"direction": "lower", "values": [(JAN, 45)], "targets": {2025: 50}}, ON),
    (
        "lower: slightly above",
        {"direction": "lower", "values": [(JAN, 53)], "targets": {2025: 50}},
        ATTENTION,
    ),
    ("lower: well above", {"direction": "lower", "values": [(JAN, 60)], "targets": {2025: 50}}, OFF),
    (
        "lower, target 0: margin of the baseline",
        {"direction": "lower", "values": [(JAN, "1.5")], "targets": {2025: 0}, "baseline": 20},
        ATTENTION,
    ),
    (
        "lower, target 0, no baseline: any shortfall is off track",
        {"direction": "lower", "values": [(JAN, "0.5")], "targets": {2025: 0}},
        OFF,
    ),
    ("band: inside", {"direction": "band", "values": [(JAN, 15)], "targets": {2025: (None, 10, 20)}}, ON),
    (
        "band: on the edge",
        {"direction": "band", "values": [(JAN, 20)], "targets": {2025: (None, 10, 20)}},
        ON,
    ),
    (
        "band: just above",
        {"direction": "band", "values": [(JAN, "20.5")], "targets": {2025: (None, 10, 20)}},
        ATTENTION,
    ),
    (
        "band: just below",
        {"direction": "band", "values": [(JAN, "9.5")], "targets": {2025: (None, 10, 20)}},
        ATTENTION,
    ),
    ("band: far out", {"direction": "band", "values": [(JAN, 25)], "targets": {2025: (None, 10, 20)}}, OFF),
    (
        "band: one-sided",
        {"direction": "band", "values": [(JAN, 5)], "targets": {2025: (None, 10, None)}},
        OFF,
    ),
    (
        "band with no bounds",
        {"direction": "band", "values": [(JAN, 5)], "targets": {2025: (None, None, None)}},
        NO_TARGET,
    ),
    (
        "quarterly: the latest due quarter has a value",
        {"frequency": "quarterly", "values": [(month(2025, 10), 100)]},
        ON,
    ),
    (
        "quarterly: a quarter missed",
        {"frequency": "quarterly", "values": [(month(2025, 7), 100)]},
        NO_DATA,
    ),
    (
        "yearly: last year's value is the latest due",
        {"frequency": "yearly", "values": [(month(2024, 7), 100)], "targets": {2024: 100}},
        ON,
    ),
]


@pytest.mark.parametrize(("name", "kwargs", "expected"), CASES, ids=[case[0] for case in CASES])
def test_it_gives_the_status_the_rule_says(name, kwargs, expected):
    assert status(**kwargs).status == expected


def test_it_uses_the_current_target_after_a_mid_year_change():
    values = [(JAN, 95)]
    assert status(values=values, targets={2025: 90}).status == ON
    assert status(values=values, targets={2025: 120}).status == OFF


def test_it_reports_the_projection_when_the_trend_carries_the_status():
    result = status(values=[(month(2025, 11), 80), (month(2025, 12), 85), (JAN, 90)])
    assert result.projection == Decimal(115)
    assert result.status == ON


def _fmt():
    return IndicatorFormatter(unit="%", decimals=1, frequency="monthly", fy_start_month=7)


def test_it_explains_no_data_in_words():
    with translation.override("en"):
        text = status(values=[(month(2025, 11), 120)]).explanation(_fmt())
    assert text == "No value for January 2026 yet; the last one was for November 2025."


def test_it_explains_a_missing_target_in_words():
    with translation.override("en"):
        text = status(values=[(JAN, 100)], targets={}).explanation(_fmt())
    assert text == "No target is set for FY 2025-26."


def test_it_explains_the_trend_in_words():
    with translation.override("en"):
        text = status(values=[(month(2025, 11), 80), (month(2025, 12), 85), (JAN, 90)]).explanation(_fmt())
    assert "90.0% for January 2026 is behind the FY 2025-26 target of 100.0%" in text
    assert "June 30, 2026" in text
    assert "115.0%" in text


def test_it_explains_a_shortfall_with_the_margin():
    with translation.override("en"):
        text = status(values=[(JAN, 95)]).explanation(_fmt())
    assert text == (
        "95.0% for January 2026 is short of the FY 2025-26 target of 100.0% by 5.0%, within the 10% margin that "
        "needs attention."
    )


def test_the_explanation_follows_the_page_language():
    with translation.override("es"):
        text = status(values=[(month(2025, 11), 120)]).explanation(_fmt())
    assert "enero 2026" in text.lower()


def test_a_straight_line_projects_exactly():
    assert trend_projection([(0, Decimal(1)), (1, Decimal(2)), (2, Decimal(3))], 5) == Decimal(6)


# --- Monotone: a better latest value never gives a worse status --------------------------------------------------

numbers = st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False, allow_infinity=False)


@given(
    direction=st.sampled_from(["higher", "lower"]),
    earlier=st.lists(numbers, max_size=5),
    target=numbers,
    baseline=st.none() | numbers,
    margin=st.decimals(min_value=0, max_value=100, places=1),
    a=numbers,
    b=numbers,
)
def test_a_better_latest_value_never_gives_a_worse_status(direction, earlier, target, baseline, margin, a, b):
    worse, better = sorted([a, b]) if direction == "higher" else sorted([a, b], reverse=True)
    # Earlier values of this fiscal year (July 2025 on) and the latest value for January 2026.
    history = [(month(2025, 7 + index), value) for index, value in enumerate(earlier)]

    def rank(latest: Decimal) -> int:
        result = status(
            direction=direction,
            values=[*history, (JAN, latest)],
            targets={2025: target},
            baseline=baseline,
            margin=margin,
        )
        return RANK[result.status]

    assert rank(better) >= rank(worse)
