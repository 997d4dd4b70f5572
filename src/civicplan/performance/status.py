"""How an indicator's status is decided: pure functions over plain values (no database), so the rules are easy to
read and to table-test.

The rule, as the indicator page says it in words:

1. **No data** when nothing has been entered, or when the latest period whose value should have arrived by today
   (it ended more than the indicator's reporting lag ago, `lib.periods.latest_due_period`) has no value.
2. **No target** when there is no target for the fiscal year of the latest value (a band needs at least one bound).
3. *Higher/lower is better*: **on track** when the latest value meets the fiscal year's current target.
   Otherwise, when at least three values of that fiscal year are in and the year is not over, the least-squares
   line through them is projected to the fiscal year's last period: if the projection meets the target, the
   indicator is **on track** (behind now, but the trend reaches the target by the year's end). Otherwise, a
   shortfall of no more than the attention margin (a percentage of the target's size) **needs attention**; a larger
   one is **off track**. With a target of 0 the margin is taken of the baseline's size instead; with no baseline
   (or a baseline of 0) every shortfall is off track.
4. *Stay within a range*: **on track** inside [low, high]; outside by no more than the margin (a percentage of the
   range's width, or of the bound's size for a one-sided range) **needs attention**; further is **off track**.

A target changed during the year: the status uses the target in force now (the history keeps the old one).
Monotone: for a fixed target and history, a better latest value never gives a worse status (the projection is a
weighted sum of the values in which the latest value has a positive weight, computed term by term).
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol, TypedDict

from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from civicplan.lib.fiscal import fiscal_year_bounds, fiscal_year_of
from civicplan.lib.periods import latest_due_period, period_start

HIGHER, LOWER, BAND = "higher", "lower", "band"
MIN_TREND_POINTS = 3


class IndicatorStatus(StrEnum):
    ON_TRACK = "on-track"
    NEEDS_ATTENTION = "needs-attention"
    OFF_TRACK = "off-track"
    NO_DATA = "no-data"
    NO_TARGET = "no-target"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


STATUS_LABELS = {
    IndicatorStatus.ON_TRACK: _("On track"),
    IndicatorStatus.NEEDS_ATTENTION: _("Needs attention"),
    IndicatorStatus.OFF_TRACK: _("Off track"),
    IndicatorStatus.NO_DATA: _("No data"),
    IndicatorStatus.NO_TARGET: _("No target"),
}
# Order of the judged statuses, worst first (the monotone property compares these).
RANK = {IndicatorStatus.OFF_TRACK: 0, IndicatorStatus.NEEDS_ATTENTION: 1, IndicatorStatus.ON_TRACK: 2}
ORDER = [
    IndicatorStatus.OFF_TRACK,
    IndicatorStatus.NEEDS_ATTENTION,
    IndicatorStatus.ON_TRACK,
    IndicatorStatus.NO_DATA,
    IndicatorStatus.NO_TARGET,
]


# --- Placeholders of the explanation: formatted when the page is rendered, in the reader's language ---------------


@dataclass(frozen=True)
class Amount:
    value: Decimal


@dataclass(frozen=True)
class Period:
    start: dt.date


@dataclass(frozen=True)
class FiscalYear:
    year: int


@dataclass(frozen=True)
class Day:
    day: dt.date


@dataclass(frozen=True)
class Percent:
    value: Decimal


@dataclass(frozen=True)
class Range:
    low: Decimal | None
    high: Decimal | None


@dataclass(frozen=True)
class Sentence:
    """A translatable sentence (`msgid`, marked with gettext_noop) and its placeholders."""

    msgid: str
    params: tuple[tuple[str, Any], ...] = ()


class Formatter(Protocol):
    def amount(self, value: Decimal) -> str: ...
    def period(self, start: dt.date) -> str: ...
    def fiscal_year(self, year: int) -> str: ...
    def day(self, day: dt.date) -> str: ...
    def percent(self, value: Decimal) -> str: ...


def _format_param(value: Any, fmt: Formatter) -> str:
    if isinstance(value, Amount):
        return fmt.amount(value.value)
    if isinstance(value, Period):
        return fmt.period(value.start)
    if isinstance(value, FiscalYear):
        return fmt.fiscal_year(value.year)
    if isinstance(value, Day):
        return fmt.day(value.day)
    if isinstance(value, Percent):
        return fmt.percent(value.value)
    if isinstance(value, Range):
        if value.low is not None and value.high is not None:
            return gettext("%(low)s to %(high)s") % {
                "low": fmt.amount(value.low),
                "high": fmt.amount(value.high),
            }
        if value.low is not None:
            return gettext("at least %(low)s") % {"low": fmt.amount(value.low)}
        assert value.high is not None, "a range has at least one bound (else the status is no target)"
        return gettext("at most %(high)s") % {"high": fmt.amount(value.high)}
    return str(value)


def render_sentences(sentences: Iterable[Sentence], fmt: Formatter) -> str:
    """The explanation in the active language, numbers with the indicator's unit and decimals."""
    return " ".join(
        gettext(s.msgid) % {name: _format_param(value, fmt) for name, value in s.params} for s in sentences
    )


# --- The result ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetValue:
    value: Decimal | None = None
    low: Decimal | None = None
    high: Decimal | None = None


@dataclass(frozen=True)
class StatusResult:
    status: IndicatorStatus
    sentences: tuple[Sentence, ...] = ()
    period: dt.date | None = None  # the latest value's period
    value: Decimal | None = None  # the latest value
    fiscal_year: int | None = None
    target: TargetValue | None = None
    projection: Decimal | None = None  # the trend's value at the fiscal year's end, when used
    due_period: dt.date | None = None  # the latest period that should have a value by today
    gap: Decimal | None = None  # how far short of the target (or outside the range); 0 when met
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.status.label

    def explanation(self, fmt: Formatter) -> str:
        return render_sentences(self.sentences, fmt)


class _Common(TypedDict):
    """The fields shared by the results once the latest value is known to be due."""

    period: dt.date
    value: Decimal
    fiscal_year: int
    target: TargetValue | None
    due_period: dt.date


def _decimal(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _dec(value: Any) -> Decimal | None:
    if value is None:
        return None
    return _decimal(value)


def _target_tuple(raw: Any) -> TargetValue:
    if isinstance(raw, TargetValue):
        return raw
    if isinstance(raw, tuple | list):
        padded = [*raw, None, None, None][:3]
        return TargetValue(_dec(padded[0]), _dec(padded[1]), _dec(padded[2]))
    return TargetValue(value=_dec(raw))


def _months_into_year(start: dt.date, fy_first: dt.date) -> int:
    return (start.year - fy_first.year) * 12 + start.month - fy_first.month


def trend_projection(points: list[tuple[int, Decimal]], at: int) -> Decimal | None:
    """The least-squares line through (x, y) points, evaluated at `at`, as the weighted sum
    sum(w_i * y_i) with w_i = 1/n + (x_i - mean)(at - mean)/Sxx, so each y's effect is explicit: when `at` is at
    or after the last x, the last point's weight is positive and the projection grows with it."""
    if len(points) < MIN_TREND_POINTS:
        return None
    with decimal.localcontext() as context:
        context.prec = 40
        n = Decimal(len(points))
        mean = sum((Decimal(x) for x, _y in points), Decimal(0)) / n
        sxx = sum(((Decimal(x) - mean) ** 2 for x, _y in points), Decimal(0))
        if sxx == 0:
            return None
        total = Decimal(0)
        for x, y in points:
            weight = 1 / n + (Decimal(x) - mean) * (Decimal(at) - mean) / sxx
            total += weight * y
        # Quantizing is monotone too, and hides the last digits' rounding (5.99...9 for 6).
        return total.quantize(Decimal("1e-10"), rounding=decimal.ROUND_HALF_EVEN).normalize()


def compute_status(
    *,
    direction: str,
    frequency: str,
    measurements: Iterable[tuple[dt.date, Any]],
    targets: Mapping[int, Any],
    baseline: Any = None,
    attention_margin_pct: Any = 10,
    lag_days: int = 45,
    fy_start_month: int = 7,
    today: dt.date,
) -> StatusResult:
    """The status of one indicator (see the module docstring for the rule).

    `measurements`: (period_start, value) pairs in any order. `targets`: fiscal year -> target value, or a
    (value, low, high) tuple (a band uses low/high), or a TargetValue.
    """
    # A measurement always has a value (the model's field is required).
    points = sorted((start, _decimal(value)) for start, value in measurements)
    due = latest_due_period(today, frequency, lag_days, fy_start_month)
    if not points:
        return StatusResult(
            IndicatorStatus.NO_DATA,
            (Sentence(gettext_noop("No value has been entered yet.")),),
            due_period=due,
        )
    latest_start, latest_value = points[-1]
    if latest_start < due:
        return StatusResult(
            IndicatorStatus.NO_DATA,
            (
                Sentence(
                    gettext_noop("No value for %(due)s yet; the last one was for %(last)s."),
                    (("due", Period(due)), ("last", Period(latest_start))),
                ),
            ),
            period=latest_start,
            value=latest_value,
            due_period=due,
        )
    year = fiscal_year_of(latest_start, fy_start_month)
    raw = targets.get(year)
    target = _target_tuple(raw) if raw is not None else None
    common = _Common(period=latest_start, value=latest_value, fiscal_year=year, target=target, due_period=due)
    if target is None or (
        target.low is None and target.high is None if direction == BAND else target.value is None
    ):
        return StatusResult(
            IndicatorStatus.NO_TARGET,
            (Sentence(gettext_noop("No target is set for %(year)s."), (("year", FiscalYear(year)),)),),
            **common,
        )
    margin_pct = _dec(attention_margin_pct) or Decimal(0)
    about = (("value", Amount(latest_value)), ("period", Period(latest_start)), ("year", FiscalYear(year)))
    if direction == BAND:
        return _band_status(target, latest_value, margin_pct, about, common)
    return _directional_status(
        direction=direction,
        frequency=frequency,
        points=points,
        target=target,
        baseline=_dec(baseline),
        margin_pct=margin_pct,
        fy_start_month=fy_start_month,
        year=year,
        about=about,
        common=common,
    )


def _directional_status(
    *,
    direction: str,
    frequency: str,
    points: list[tuple[dt.date, Decimal]],
    target: TargetValue,
    baseline: Decimal | None,
    margin_pct: Decimal,
    fy_start_month: int,
    year: int,
    about: tuple[tuple[str, Any], ...],
    common: _Common,
) -> StatusResult:
    assert target.value is not None
    goal = target.value
    latest = points[-1][1]
    sign = Decimal(1) if direction == HIGHER else Decimal(-1)
    shortfall = sign * (goal - latest)  # > 0: short of the target
    with_target = (*about, ("target", Amount(goal)))
    if shortfall <= 0:
        return StatusResult(
            IndicatorStatus.ON_TRACK,
            (
                Sentence(
                    gettext_noop("%(value)s for %(period)s meets the %(year)s target of %(target)s."),
                    with_target,
                ),
            ),
            gap=Decimal(0),
            **common,
        )
    fy_first = dt.date(year, fy_start_month, 1)
    _first, fy_last_day = fiscal_year_bounds(year, fy_start_month)
    last_period = period_start(fy_last_day, frequency, fy_start_month)
    this_year = [
        (_months_into_year(start, fy_first), value)
        for start, value in points
        if fiscal_year_of(start, fy_start_month) == year
    ]
    projection = None
    if points[-1][0] < last_period:
        projection = trend_projection(this_year, _months_into_year(last_period, fy_first))
    if projection is not None and sign * (goal - projection) <= 0:
        return StatusResult(
            IndicatorStatus.ON_TRACK,
            (
                Sentence(
                    gettext_noop(
                        "%(value)s for %(period)s is behind the %(year)s target of %(target)s, but the trend of "
                        "this year's values reaches it by %(end)s (projected: %(projection)s)."
                    ),
                    (*with_target, ("end", Day(fy_last_day)), ("projection", Amount(projection))),
                ),
            ),
            projection=projection,
            gap=shortfall,
            **common,
        )
    basis = abs(goal) if goal != 0 else abs(baseline or Decimal(0))
    allowed = margin_pct / 100 * basis
    details = (*with_target, ("gap", Amount(shortfall)), ("margin", Percent(margin_pct)))
    notes = []
    if projection is not None:
        notes.append(
            Sentence(
                gettext_noop("The trend of this year's values projects %(projection)s by %(end)s."),
                (("projection", Amount(projection)), ("end", Day(fy_last_day))),
            )
        )
    if goal == 0:
        notes.append(
            Sentence(
                gettext_noop("The target is 0, so the margin is taken of the baseline.")
                if basis
                else gettext_noop("The target is 0 and there is no baseline, so any shortfall is off track.")
            )
        )
    if shortfall <= allowed:
        sentence = gettext_noop(
            "%(value)s for %(period)s is short of the %(year)s target of %(target)s by %(gap)s, within the "
            "%(margin)s margin that needs attention."
        )
        status = IndicatorStatus.NEEDS_ATTENTION
    else:
        sentence = gettext_noop(
            "%(value)s for %(period)s is short of the %(year)s target of %(target)s by %(gap)s, more than the "
            "%(margin)s margin."
        )
        status = IndicatorStatus.OFF_TRACK
    return StatusResult(
        status, (Sentence(sentence, details), *notes), projection=projection, gap=shortfall, **common
    )


def _band_status(
    target: TargetValue,
    value: Decimal,
    margin_pct: Decimal,
    about: tuple[tuple[str, Any], ...],
    common: _Common,
) -> StatusResult:
    low, high = target.low, target.high
    band = (*about, ("range", Range(low, high)))
    below = (low - value) if low is not None and value < low else Decimal(0)
    above = (value - high) if high is not None and value > high else Decimal(0)
    distance = max(below, above)
    if distance == 0:
        return StatusResult(
            IndicatorStatus.ON_TRACK,
            (
                Sentence(
                    gettext_noop("%(value)s for %(period)s is inside the %(year)s range (%(range)s)."), band
                ),
            ),
            gap=Decimal(0),
            **common,
        )
    if low is not None and high is not None:
        basis = abs(high - low)
    else:
        bound = low if low is not None else high
        assert bound is not None, "outside the range, so it has a bound"
        basis = abs(bound)
    allowed = margin_pct / 100 * basis
    details = (*band, ("gap", Amount(distance)), ("margin", Percent(margin_pct)))
    if distance <= allowed:
        return StatusResult(
            IndicatorStatus.NEEDS_ATTENTION,
            (
                Sentence(
                    gettext_noop(
                        "%(value)s for %(period)s is outside the %(year)s range (%(range)s) by %(gap)s, within the "
                        "%(margin)s margin that needs attention."
                    ),
                    details,
                ),
            ),
            gap=distance,
            **common,
        )
    return StatusResult(
        IndicatorStatus.OFF_TRACK,
        (
            Sentence(
                gettext_noop(
                    "%(value)s for %(period)s is outside the %(year)s range (%(range)s) by %(gap)s, more than the "
                    "%(margin)s margin."
                ),
                details,
            ),
        ),
        gap=distance,
        **common,
    )


def rule_sentences(*, direction: str, margin_pct: Any, lag_days: int) -> list[Sentence]:
    """The rule in words, for the indicator page (the same rule compute_status applies)."""
    margin = Percent(_dec(margin_pct) or Decimal(0))
    sentences = [
        Sentence(
            gettext_noop(
                "The status is “no data” when the latest period that ended more than %(lag)s days ago has no value."
            ),
            (("lag", lag_days),),
        ),
        Sentence(gettext_noop("It is “no target” when the fiscal year of the latest value has no target.")),
    ]
    if direction == BAND:
        sentences.append(
            Sentence(
                gettext_noop(
                    "Inside the year's range is on track; outside it by no more than %(margin)s of the range's "
                    "width needs attention; further is off track."
                ),
                (("margin", margin),),
            )
        )
    else:
        sentences.append(
            Sentence(
                gettext_noop(
                    "A latest value that meets the year's current target is on track, and so is one whose trend "
                    "(at least three values this year) reaches the target by the year's end. Otherwise a shortfall "
                    "of no more than %(margin)s of the target needs attention, and a larger one is off track."
                ),
                (("margin", margin),),
            )
        )
    return sentences


def last_period_of_year(year: int, frequency: str, fy_start_month: int = 7) -> dt.date:
    """The first day of the fiscal year's last period of `frequency`."""
    _first, last_day = fiscal_year_bounds(year, fy_start_month)
    return period_start(last_day, frequency, fy_start_month)


__all__ = [
    "BAND",
    "HIGHER",
    "LOWER",
    "ORDER",
    "RANK",
    "STATUS_LABELS",
    "Amount",
    "Day",
    "FiscalYear",
    "Formatter",
    "IndicatorStatus",
    "Percent",
    "Period",
    "Range",
    "Sentence",
    "StatusResult",
    "TargetValue",
    "compute_status",
    "last_period_of_year",
    "render_sentences",
    "rule_sentences",
    "trend_projection",
]
