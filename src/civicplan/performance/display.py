"""How an indicator's numbers, periods and fiscal years are written on a page, in the reader's language
(no database access: it reads only the indicator's own fields)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.dates import MONTHS
from django.utils.formats import date_format, number_format
from django.utils.translation import get_language, gettext, pgettext

from civicplan.lib.fiscal import fiscal_year_label
from civicplan.lib.periods import period_label

PREFIX_UNITS = {"$", "€", "£"}


def fy_prefix() -> str:
    # The same words as the plan's period label ("FY 2025-26"; Spanish "AF").
    return gettext("FY")


def format_number(value: Decimal | float | int | None, decimals: int, unit: str = "") -> str:
    """`12.5 days`, `45.0%`, `$1,200.00` with the active language's separators; `–` for nothing."""
    if value is None:
        return "–"
    # Round first: number_format cuts the extra digits off rather than rounding them.
    rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    number = number_format(rounded, decimal_pos=decimals, use_l10n=True, force_grouping=True)
    unit = (unit or "").strip()
    if not unit:
        return number
    if unit in PREFIX_UNITS:
        return f"-{unit}{number[1:]}" if number.startswith("-") else f"{unit}{number}"
    if unit == "%":
        return f"{number}%"
    return f"{number} {unit}"


class IndicatorFormatter:
    """The `status.Formatter` for one indicator: its unit (in the page's language) and decimal places."""

    def __init__(self, *, unit: str, decimals: int, frequency: str, fy_start_month: int) -> None:
        self.unit = unit
        self.decimals = decimals
        self.frequency = frequency
        self.fy_start_month = fy_start_month

    def amount(self, value: Decimal | float) -> str:
        return format_number(value, self.decimals, self.unit)

    def number(self, value: Decimal | float) -> str:
        return format_number(value, self.decimals)

    def period(self, start: dt.date) -> str:
        return period_label(
            start,
            self.frequency,
            self.fy_start_month,
            fy_prefix=fy_prefix(),
            quarter_prefix=pgettext("fiscal quarter abbreviation", "Q"),
            month_names=[str(MONTHS[i]) for i in range(1, 13)],
        )

    def short_period(self, start: dt.date) -> str:
        if self.frequency == "monthly":
            return date_format(start, "M Y")
        return self.period(start)

    def fiscal_year(self, year: int) -> str:
        return fiscal_year_label(year, self.fy_start_month, fy_prefix())

    def day(self, day: dt.date) -> str:
        return date_format(day, "DATE_FORMAT")

    def percent(self, value: Decimal) -> str:
        decimals = 0 if value == value.to_integral_value() else 1
        return format_number(value, decimals) + "%"


def formatter_for(indicator: Any, language: str | None = None) -> IndicatorFormatter:
    """The indicator needs `plan.organization` loaded (select_related) for its fiscal-year start."""
    language = (language or get_language() or "en")[:2]
    return IndicatorFormatter(
        unit=indicator.localized("unit", language),
        decimals=indicator.decimals,
        frequency=indicator.frequency,
        fy_start_month=indicator.plan.organization.fiscal_year_start_month,
    )


# --- Charts -------------------------------------------------------------------------------------------------------


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def chart_description(row: Any) -> str:
    """What the chart shows, in one or two sentences (the SVG's <desc>)."""
    fmt = row.fmt
    latest = row.latest
    if latest is None:
        text = gettext("No values have been entered yet.")
    else:
        text = gettext("Latest value: %(value)s for %(period)s.") % {
            "value": fmt.amount(latest.value),
            "period": fmt.period(latest.period_start),
        }
    if row.current_target is not None:
        text += " " + gettext("Target for %(year)s: %(target)s.") % {
            "year": fmt.fiscal_year(row.current_fiscal_year),
            "target": row.target_text,
        }
    if row.indicator.baseline_value is not None:
        text += " " + gettext("Baseline: %(value)s.") % {"value": fmt.amount(row.indicator.baseline_value)}
    return text + " " + gettext("Status: %(status)s.") % {"status": row.status_label}


def indicator_chart(row: Any, *, chart_id: str, versions: Any = None) -> str:
    """The line chart of one indicator (see lib.charts.line_chart). `versions` (TargetStepInput list from the
    history) draws each mid-year target change as a step; without it each year's current target is drawn."""
    from civicplan.lib.charts import ChartPoint, Legend, TargetStep, line_chart
    from civicplan.lib.fiscal import fiscal_year_bounds, fiscal_year_of
    from civicplan.lib.periods import period_end

    fmt = row.fmt
    month = row.fy_start_month
    indicator = row.indicator
    points = [
        ChartPoint(m.period_start, float(m.value), fmt.period(m.period_start)) for m in row.measurements
    ]
    anchor = row.measurements[-1].period_start if row.measurements else row.today
    first_year = fiscal_year_of(row.measurements[0].period_start if row.measurements else anchor, month)
    last_year = fiscal_year_of(anchor, month)
    x_start, _unused = fiscal_year_bounds(first_year, month)
    _unused, x_end = fiscal_year_bounds(last_year, month)
    if row.measurements:
        x_end = max(x_end, period_end(row.measurements[-1].period_start, indicator.frequency))
    steps: list[TargetStep] = []
    if versions is not None:
        from civicplan.performance.selectors import target_steps

        for start, end, version in target_steps(versions, month):
            if first_year <= version.fiscal_year <= last_year:
                steps.append(
                    TargetStep(start, end, _float(version.value), _float(version.low), _float(version.high))
                )
    else:
        for year, target in sorted(row.targets.items()):
            if first_year <= year <= last_year:
                start, end = fiscal_year_bounds(year, month)
                steps.append(
                    TargetStep(
                        start, end, _float(target.value), _float(target.band_low), _float(target.band_high)
                    )
                )
    labels = [
        (fiscal_year_bounds(year, month)[0], fmt.fiscal_year(year))
        for year in range(first_year, last_year + 1)
    ]
    return line_chart(
        chart_id=chart_id,
        title=gettext("%(name)s over time") % {"name": indicator.localized("name")},
        desc=chart_description(row),
        points=points,
        baseline=_float(indicator.baseline_value),
        targets=steps,
        x_start=x_start,
        x_end=x_end,
        format_value=lambda value: fmt.amount(value),
        legend=Legend(
            actual=gettext("Actual"),
            baseline=gettext("Baseline"),
            target=gettext("Target"),
            band=gettext("Target range"),
        ),
        x_labels=labels,
    )


def indicator_sparkline(row: Any, *, chart_id: str) -> str:
    """A small trend line of the last values for lists and item pages (its title says the latest value and status)."""
    from civicplan.lib.charts import sparkline

    recent = row.measurements[-12:]
    target = row.current_target
    target_value = target.value if target is not None else None
    title = gettext("Trend of %(name)s. %(description)s") % {
        "name": row.indicator.localized("name"),
        "description": chart_description(row),
    }
    return sparkline(
        chart_id=chart_id,
        title=title,
        values=[float(m.value) for m in recent],
        target=_float(target_value),
    )
