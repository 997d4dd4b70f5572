"""Reads of the performance module, for its own pages and for the dashboards (web). Every function returns plain
dataclasses carrying the computed status and its explanation, with a fixed number of queries whatever the number
of indicators, targets or values (they are fetched in bulk and the status is computed in Python)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from civicplan.lib.fiscal import fiscal_year_bounds, fiscal_year_of
from civicplan.lib.periods import latest_due_period, period_end
from civicplan.performance.display import IndicatorFormatter, formatter_for
from civicplan.performance.models import Direction, Indicator, Measurement, Target
from civicplan.performance.status import (
    ORDER,
    IndicatorStatus,
    StatusResult,
    TargetValue,
    compute_status,
    render_sentences,
    rule_sentences,
)
from civicplan.plans import selectors as plan_selectors
from civicplan.plans.models import Plan, PlanItem

__all__ = [
    "IndicatorDetail",
    "IndicatorRow",
    "StaleIndicator",
    "StatusCount",
    "TargetChange",
    "TargetStepInput",
    "indicator_detail",
    "indicators_for_items",
    "public_indicator",
    "public_indicators",
    "public_indicators_measured_between",
    "staff_indicators",
    "stale_indicators",
    "status_counts",
    "target_steps",
]


@dataclass
class IndicatorRow:
    """One indicator with what a list or an item page shows about it."""

    indicator: Indicator
    result: StatusResult
    measurements: list[Any]  # oldest first: Measurement rows (detail) or ValuePoint tuples (lists)
    targets: dict[int, Target]  # by fiscal year
    items: list[PlanItem]
    today: dt.date

    @property
    def status(self) -> IndicatorStatus:
        return self.result.status

    @property
    def status_label(self) -> str:
        return self.result.status.label

    @property
    def fmt(self) -> IndicatorFormatter:
        return formatter_for(self.indicator)

    @property
    def explanation(self) -> str:
        """The rule that produced the status, in words, in the active language."""
        return render_sentences(self.result.sentences, self.fmt)

    @property
    def latest(self) -> Measurement | None:
        return self.measurements[-1] if self.measurements else None

    @property
    def fy_start_month(self) -> int:
        return self.indicator.plan.organization.fiscal_year_start_month

    @property
    def current_fiscal_year(self) -> int:
        """The fiscal year of the latest value, or today's when there is none."""
        if self.result.fiscal_year is not None:
            return self.result.fiscal_year
        latest = self.latest
        return fiscal_year_of(latest.period_start if latest else self.today, self.fy_start_month)

    @property
    def current_target(self) -> Target | None:
        return self.targets.get(self.current_fiscal_year)

    @property
    def latest_text(self) -> str:
        latest = self.latest
        return self.fmt.amount(latest.value) if latest else "–"

    @property
    def latest_period_text(self) -> str:
        latest = self.latest
        return self.fmt.period(latest.period_start) if latest else ""

    @property
    def target_text(self) -> str:
        return target_text(self.current_target, self.indicator, self.fmt)

    @property
    def last_updated(self) -> dt.datetime | None:
        stamps = [m.updated_at for m in self.measurements]
        return max(stamps) if stamps else None

    @property
    def stale_reasons(self) -> list[str]:
        return _stale_reasons(self)

    @property
    def is_stale(self) -> bool:
        return bool(self.stale_reasons)

    @property
    def target_list(self) -> list[tuple[str, str]]:
        """(fiscal year, target) in words, oldest year first."""
        fmt = self.fmt
        return [
            (fmt.fiscal_year(year), target_text(t, self.indicator, fmt))
            for year, t in sorted(self.targets.items())
        ]

    def target_for(self, period: dt.date) -> Target | None:
        return self.targets.get(fiscal_year_of(period, self.fy_start_month))


def target_text(target: Target | None, indicator: Indicator, fmt: IndicatorFormatter) -> str:
    if target is None:
        return "–"
    if indicator.direction == Direction.BAND:
        if target.band_low is not None and target.band_high is not None:
            return _("%(low)s to %(high)s") % {
                "low": fmt.amount(target.band_low),
                "high": fmt.amount(target.band_high),
            }
        if target.band_low is not None:
            return _("at least %(low)s") % {"low": fmt.amount(target.band_low)}
        if target.band_high is not None:
            return _("at most %(high)s") % {"high": fmt.amount(target.band_high)}
        return "–"
    return fmt.amount(target.value) if target.value is not None else "–"


@dataclass(frozen=True)
class TargetStepInput:
    """One version of a fiscal year's target and the day it took effect (from the history)."""

    fiscal_year: int
    changed_on: dt.date
    value: Decimal | None
    low: Decimal | None
    high: Decimal | None


def target_steps(
    versions: Iterable[TargetStepInput], fy_start_month: int
) -> list[tuple[dt.date, dt.date, Any]]:
    """Each fiscal year's targets as (start, end, version) steps: the first version from the year's first day,
    each change from the day it was made to the next change or the year's last day (so a mid-year change
    shows as a step). Changes made before the year began replace the earlier version outright."""
    by_year: dict[int, list[TargetStepInput]] = defaultdict(list)
    for version in versions:
        by_year[version.fiscal_year].append(version)
    steps = []
    for year in sorted(by_year):
        first, last = fiscal_year_bounds(year, fy_start_month)
        ordered = sorted(by_year[year], key=lambda v: v.changed_on)
        for index, version in enumerate(ordered):
            start = first if index == 0 else max(first, version.changed_on)
            end = last
            if index + 1 < len(ordered):
                end = min(last, max(first, ordered[index + 1].changed_on) - dt.timedelta(days=1))
            if end >= start:
                steps.append((start, end, version))
    return steps


@dataclass(frozen=True)
class TargetChange:
    fiscal_year: int
    when: dt.datetime
    who: str
    value_text: str
    reason: str
    kind: str  # "+" created, "~" changed


@dataclass
class IndicatorDetail:
    row: IndicatorRow
    target_changes: list[TargetChange]
    target_versions: list[TargetStepInput]

    @property
    def indicator(self) -> Indicator:
        return self.row.indicator

    @property
    def rule_text(self) -> str:
        indicator = self.indicator
        return render_sentences(
            rule_sentences(
                direction=indicator.direction,
                margin_pct=indicator.attention_margin,
                lag_days=indicator.reporting_lag_days,
            ),
            self.row.fmt,
        )

    @property
    def measurements_newest_first(self) -> list[Measurement]:
        return list(reversed(self.row.measurements))


@dataclass(frozen=True)
class StatusCount:
    status: IndicatorStatus
    label: str
    count: int


@dataclass(frozen=True)
class StaleIndicator:
    row: IndicatorRow
    reasons: list[str]


# --- Building rows --------------------------------------------------------------------------------------------


def _base(*, full: bool = False) -> QuerySet[Indicator]:
    """Indicators with their targets and linked items. An indicator's own page (`full=True`) also prefetches its
    values as model rows, who entered each one included; lists read the values in `_rows` as plain tuples (a metro
    has 90,000 values: building model rows for them was most of a dashboard's time)."""
    items = PlanItem.objects.order_by("plan_id", "code")
    prefetches: list[Any] = [Prefetch("targets", queryset=Target.objects.order_by("fiscal_year"))]
    if full:
        measurements = Measurement.objects.select_related("entered_by").order_by("period_start")
        prefetches.append(Prefetch("measurements", queryset=measurements))
    else:
        items = items.only(
            "id", "plan_id", "parent_id", "level", "code", "title_en", "title_es", "archived_at"
        )
    prefetches.append(Prefetch("items", queryset=items))
    return Indicator.objects.select_related("plan__organization", "owner", "department").prefetch_related(
        *prefetches
    )


@dataclass(frozen=True, slots=True)
class ValuePoint:
    """What a list shows of one value: its period, the number, whether it was verified, when it was written."""

    period_start: dt.date
    value: Decimal
    verified: bool
    updated_at: dt.datetime


def _status_of(
    indicator: Indicator, measurements: list[Any], targets: dict[int, Target], today: dt.date
) -> StatusResult:
    return compute_status(
        direction=indicator.direction,
        frequency=indicator.frequency,
        measurements=[(m.period_start, m.value) for m in measurements],
        targets={year: TargetValue(t.value, t.band_low, t.band_high) for year, t in targets.items()},
        baseline=indicator.baseline_value,
        attention_margin_pct=indicator.attention_margin,
        lag_days=indicator.reporting_lag_days,
        fy_start_month=indicator.plan.organization.fiscal_year_start_month,
        today=today,
    )


def _row(indicator: Indicator, today: dt.date, measurements: list[Any] | None = None) -> IndicatorRow:
    if measurements is None:
        measurements = list(indicator.measurements.all())
    targets = {t.fiscal_year: t for t in indicator.targets.all()}
    return IndicatorRow(
        indicator=indicator,
        result=_status_of(indicator, measurements, targets, today),
        measurements=measurements,
        targets=targets,
        items=list(indicator.items.all()),
        today=today,
    )


def _rows(queryset: QuerySet[Indicator], today: dt.date | None) -> list[IndicatorRow]:
    """Rows for a list: the indicators, then all their values in one query read as plain tuples."""
    today = today or timezone.localdate()
    indicators = list(queryset)
    if not indicators:
        return []
    points: dict[int, list[Any]] = defaultdict(list)
    values = (
        Measurement.objects.filter(indicator__in=queryset.order_by().values("pk"))
        .order_by("indicator_id", "period_start")
        .values_list("indicator_id", "period_start", "value", "verified", "updated_at")
    )
    for indicator_id, *point in values:
        points[indicator_id].append(ValuePoint(*point))
    return [_row(indicator, today, points.get(indicator.pk, [])) for indicator in indicators]


def staff_indicators(
    plan: Plan,
    *,
    today: dt.date | None = None,
    department_id: int | None = None,
    status: str | None = None,
    published: bool | None = None,
    archived: bool = False,
) -> list[IndicatorRow]:
    """The plan's indicators for staff (drafts included), optionally filtered; archived ones only on request."""
    queryset = _base().filter(plan=plan, archived_at__isnull=not archived)
    if department_id is not None:
        queryset = queryset.filter(department_id=department_id)
    if published is not None:
        queryset = queryset.filter(is_published=published)
    rows = _rows(queryset.order_by("key"), today)
    if status:
        rows = [row for row in rows if row.status == status]
    return rows


def indicator_detail(
    indicator_id: int, *, today: dt.date | None = None, public: bool = False
) -> IndicatorDetail | None:
    """One indicator with its targets' change history. `public=True` returns None unless it is published, not
    archived, and belongs to the plan residents see."""
    queryset = _base(full=True).filter(pk=indicator_id)
    if public:
        version = plan_selectors.public_version()
        if version is None:
            return None
        queryset = queryset.filter(is_published=True, archived_at__isnull=True, plan_id=version.plan_id)
    indicator = queryset.first()
    if indicator is None:
        return None
    return _detail(indicator, today)


def public_indicator(key: str, *, today: dt.date | None = None) -> IndicatorDetail | None:
    """A published indicator of the public plan by its key, or None (drafts and archived ones never show)."""
    version = plan_selectors.public_version()
    if version is None:
        return None
    indicator = (
        _base(full=True)
        .filter(plan_id=version.plan_id, key=key, is_published=True, archived_at__isnull=True)
        .first()
    )
    return _detail(indicator, today) if indicator else None


def _detail(indicator: Indicator, today: dt.date | None) -> IndicatorDetail:
    row = _row(indicator, today or timezone.localdate())
    fmt = row.fmt
    tz = timezone.get_current_timezone()
    history = list(
        Target.history.filter(indicator_id=indicator.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    versions = [
        TargetStepInput(
            h.fiscal_year, timezone.localtime(h.history_date, tz).date(), h.value, h.band_low, h.band_high
        )
        for h in history
        if h.history_type != "-"
    ]
    changes = [
        TargetChange(
            fiscal_year=h.fiscal_year,
            when=h.history_date,
            who=h.history_user.display_name if h.history_user else "",
            value_text=target_text(h, indicator, fmt),
            reason=h.history_change_reason or "",
            kind=h.history_type,
        )
        for h in history
        if h.history_type != "-"
    ]
    changes.reverse()
    return IndicatorDetail(row=row, target_changes=changes, target_versions=versions)


def public_indicators(*, today: dt.date | None = None) -> list[IndicatorRow]:
    """Every published, non-archived indicator of the plan residents see."""
    version = plan_selectors.public_version()
    if version is None:
        return []
    return _rows(
        _base().filter(plan_id=version.plan_id, is_published=True, archived_at__isnull=True).order_by("key"),
        today,
    )


def public_indicators_measured_between(plan_id: int, start: dt.date, end: dt.date) -> list[Indicator]:
    """Published indicators of the adopted plan with values for periods starting between `start` and `end`
    (the public home's "what changed"), each with `new_values`, the number of them. One query."""
    return list(
        Indicator.objects.filter(
            plan_id=plan_id,
            is_published=True,
            archived_at__isnull=True,
            measurements__period_start__range=(start, end),
        )
        .annotate(new_values=Count("measurements"))
        .order_by("key")
    )


def indicators_for_items(
    item_ids: Iterable[int], *, public: bool, today: dt.date | None = None
) -> dict[int, list[IndicatorRow]]:
    """Item id -> the indicators measuring it (for staff: every non-archived one, drafts included; for the public:
    published ones only). One indicator linked to several of the items appears under each."""
    wanted = set(item_ids)
    if not wanted:
        return {}
    queryset = _base().filter(items__id__in=wanted, archived_at__isnull=True).distinct().order_by("key")
    if public:
        queryset = queryset.filter(is_published=True)
    found: dict[int, list[IndicatorRow]] = defaultdict(list)
    for row in _rows(queryset, today):
        for item in row.items:
            if item.pk in wanted:
                found[item.pk].append(row)
    return dict(found)


def status_counts(rows: Iterable[IndicatorRow]) -> list[StatusCount]:
    """How many indicators have each status, in a fixed order (worst first, then no data / no target); zeros left out."""
    counter: dict[IndicatorStatus, int] = defaultdict(int)
    for row in rows:
        counter[row.status] += 1
    return [StatusCount(status, status.label, counter[status]) for status in ORDER if counter[status]]


def _stale_reasons(row: IndicatorRow) -> list[str]:
    reasons = []
    if row.status == IndicatorStatus.NO_DATA:
        due = row.result.due_period
        reasons.append(
            _("No value for %(period)s.") % {"period": row.fmt.period(due)} if due else _("No value yet.")
        )
    if row.indicator.owner_id is None:
        reasons.append(_("No owner."))
    this_year = fiscal_year_of(row.today, row.fy_start_month)
    if this_year not in row.targets:
        reasons.append(_("No target for %(year)s.") % {"year": row.fmt.fiscal_year(this_year)})
    return reasons


def stale_indicators(plan: Plan, today: dt.date | None = None) -> list[StaleIndicator]:
    """The plan's non-archived indicators that need someone's attention: no value for the latest due period,
    no owner, or no target for the current fiscal year. Each comes with its reasons in words."""
    rows = staff_indicators(plan, today=today)
    return [StaleIndicator(row, row.stale_reasons) for row in rows if row.stale_reasons]


def due_period_for(indicator: Indicator, today: dt.date) -> dt.date:
    """The latest period whose value should be in by today (the quick entry form pre-selects it)."""
    return latest_due_period(
        today,
        indicator.frequency,
        indicator.reporting_lag_days,
        indicator.plan.organization.fiscal_year_start_month,
    )


def period_end_of(start: dt.date, frequency: str) -> dt.date:
    return period_end(start, frequency)
