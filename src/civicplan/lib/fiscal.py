"""Fiscal years. A fiscal year is named by the calendar year it starts in; July-June by default."""

from __future__ import annotations

import datetime as dt
import re

_LABEL_PATTERNS = (
    re.compile(r"^(?:FY\s*)?(\d{4})\s*[-/–]\s*(\d{2}|\d{4})$", re.IGNORECASE),
    re.compile(r"^(?:FY\s*)?(\d{4})$", re.IGNORECASE),
)


def fiscal_year_label(start_year: int, start_month: int = 7, prefix: str = "FY") -> str:
    """`FY 2025-26` for a July start; a January start names the calendar year (`FY 2025`).
    `prefix` lets a page say it in its own language (`AF 2025-26`)."""
    if start_month == 1:
        return f"{prefix} {start_year}"
    return f"{prefix} {start_year}-{(start_year + 1) % 100:02d}"


def fiscal_year_of(day: dt.date, start_month: int = 7) -> int:
    """The start year of the fiscal year that contains `day`."""
    return day.year if day.month >= start_month else day.year - 1


def fiscal_year_bounds(start_year: int, start_month: int = 7) -> tuple[dt.date, dt.date]:
    """First and last day of a fiscal year."""
    first = dt.date(start_year, start_month, 1)
    next_first = dt.date(start_year + 1, start_month, 1)
    return first, next_first - dt.timedelta(days=1)


def parse_fiscal_year(text: str, start_month: int = 7) -> int:
    """Read `FY 2025-26`, `2025-26`, `2025-2026` or `2026` (the year the FY ends) as a start year."""
    cleaned = text.strip()
    for pattern in _LABEL_PATTERNS:
        match = pattern.match(cleaned)
        if not match:
            continue
        first = int(match.group(1))
        if match.lastindex == 2:
            second = match.group(2)
            end = int(second) if len(second) == 4 else (first // 100) * 100 + int(second)
            if end < first:
                end += 100
            if end != first + 1:
                raise ValueError(f"{text!r} does not span two consecutive years.")
            return first
        # A lone year is the year the fiscal year ends, as budget books write it (unless FYs are calendar years).
        return first if start_month == 1 else first - 1
    raise ValueError(f"{text!r} is not a fiscal year (expected e.g. FY 2025-26).")
