"""Reporting periods of an indicator: months, fiscal quarters and fiscal years, each named by its first day.

A measurement belongs to the period that starts on `period_start`. Quarters follow the fiscal year (with a July
start, Q1 is July-September). Every function takes the city's fiscal-year start month.
"""

from __future__ import annotations

import datetime as dt
import re

from civicplan.lib.fiscal import fiscal_year_label, fiscal_year_of, parse_fiscal_year

MONTHLY = "monthly"
QUARTERLY = "quarterly"
YEARLY = "yearly"
FREQUENCIES = (MONTHLY, QUARTERLY, YEARLY)
_MONTHS_IN = {MONTHLY: 1, QUARTERLY: 3, YEARLY: 12}

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
_QUARTER = re.compile(r"^(?P<fy>.+?)\s*[-/ ]?\s*Q(?P<q>[1-4])$", re.IGNORECASE)


class PeriodError(ValueError):
    """A period text that cannot be read; the message says what was expected, in plain words."""


def add_months(day: dt.date, months: int) -> dt.date:
    """The first of the month `months` after `day`'s month."""
    index = day.year * 12 + (day.month - 1) + months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_start(day: dt.date, frequency: str, fy_start_month: int = 7) -> dt.date:
    """The first day of the period of `frequency` that contains `day`."""
    if frequency == MONTHLY:
        return day.replace(day=1)
    fy_first = dt.date(fiscal_year_of(day, fy_start_month), fy_start_month, 1)
    if frequency == YEARLY:
        return fy_first
    if frequency == QUARTERLY:
        months_in = (day.year - fy_first.year) * 12 + day.month - fy_first.month
        return add_months(fy_first, months_in - months_in % 3)
    raise PeriodError(f"Unknown frequency {frequency!r}.")


def period_end(start: dt.date, frequency: str) -> dt.date:
    """The last day of the period that starts on `start`."""
    return add_months(start, _MONTHS_IN[frequency]) - dt.timedelta(days=1)


def next_period(start: dt.date, frequency: str) -> dt.date:
    return add_months(start, _MONTHS_IN[frequency])


def previous_period(start: dt.date, frequency: str) -> dt.date:
    return add_months(start, -_MONTHS_IN[frequency])


def quarter_number(start: dt.date, fy_start_month: int = 7) -> int:
    fy_first = dt.date(fiscal_year_of(start, fy_start_month), fy_start_month, 1)
    months_in = (start.year - fy_first.year) * 12 + start.month - fy_first.month
    return months_in // 3 + 1


def period_label(
    start: dt.date,
    frequency: str,
    fy_start_month: int = 7,
    *,
    fy_prefix: str = "FY",
    quarter_prefix: str = "Q",
    month_names: list[str] | None = None,
) -> str:
    """How people name the period: `March 2026`, `FY 2025-26 Q3`, `FY 2025-26`. Pass translated prefixes and
    month names for another language (`AF 2025-26 T3`, `marzo 2026`)."""
    if frequency == MONTHLY:
        if month_names:
            return f"{month_names[start.month - 1]} {start.year}"
        return start.strftime("%B %Y")
    year = fiscal_year_label(fiscal_year_of(start, fy_start_month), fy_start_month, fy_prefix)
    if frequency == YEARLY:
        return year
    return f"{year} {quarter_prefix}{quarter_number(start, fy_start_month)}"


def period_key(start: dt.date, frequency: str, fy_start_month: int = 7) -> str:
    """The form files use, which `parse_period` reads back: `2026-03`, `FY2025-26 Q3`, `FY2025-26`."""
    if frequency == MONTHLY:
        return f"{start.year}-{start.month:02d}"
    year = fiscal_year_label(fiscal_year_of(start, fy_start_month), fy_start_month, "FY").replace(" ", "")
    if frequency == YEARLY:
        return year
    return f"{year} Q{quarter_number(start, fy_start_month)}"


def parse_period(value: object, frequency: str, fy_start_month: int = 7) -> dt.date:
    """Read a period from a file or a form: a date or `YYYY-MM-DD` inside the period, `YYYY-MM`,
    `FY 2025-26 Q3` (fiscal quarter) or `FY 2025-26` (fiscal year). Returns the period's first day.
    A month for a yearly indicator is read as the fiscal year that contains it; a fiscal year for a monthly or
    quarterly indicator is refused (it names several periods)."""
    if isinstance(value, dt.datetime):
        return period_start(value.date(), frequency, fy_start_month)
    if isinstance(value, dt.date):
        return period_start(value, frequency, fy_start_month)
    text = str(value or "").strip()
    if not text:
        raise PeriodError("The period is empty.")
    try:
        if match := _DATE.match(text):
            day = dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            return period_start(day, frequency, fy_start_month)
        if match := _MONTH.match(text):
            day = dt.date(int(match.group(1)), int(match.group(2)), 1)
            return period_start(day, frequency, fy_start_month)
    except ValueError as error:
        raise PeriodError(f"{text!r} is not a real date.") from error
    if match := _QUARTER.match(text):
        if frequency == MONTHLY:
            raise PeriodError(f"{text!r} is a quarter; this indicator is reported monthly (e.g. 2026-03).")
        year = _fiscal_year(match.group("fy"), text, fy_start_month)
        start = add_months(dt.date(year, fy_start_month, 1), 3 * (int(match.group("q")) - 1))
        return period_start(start, frequency, fy_start_month)
    year = _fiscal_year(text, text, fy_start_month)
    if frequency != YEARLY:
        raise PeriodError(f"{text!r} is a whole fiscal year; this indicator is reported {frequency}.")
    return dt.date(year, fy_start_month, 1)


def _fiscal_year(text: str, whole: str, fy_start_month: int) -> int:
    try:
        return parse_fiscal_year(text, fy_start_month)
    except ValueError as error:
        raise PeriodError(
            f"{whole!r} is not a period. Write a month (2026-03), a date (2026-03-31), "
            "a fiscal quarter (FY 2025-26 Q3) or a fiscal year (FY 2025-26)."
        ) from error


def latest_due_period(today: dt.date, frequency: str, lag_days: int, fy_start_month: int = 7) -> dt.date:
    """The latest period whose value should have arrived by `today`: it ended more than `lag_days` ago."""
    start = previous_period(period_start(today, frequency, fy_start_month), frequency)
    while period_end(start, frequency) + dt.timedelta(days=lag_days) >= today:
        start = previous_period(start, frequency)
    return start
