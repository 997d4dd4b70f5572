"""The budget calendar: each cycle's milestones, its request window (kick-off to "department requests due"), and one
timeline that puts the budget milestones next to the plan's progress-update due dates.

The timeline table is the source of truth; the SVG strip (drawn with `lib.timeline`) shows the same dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from civicplan.accounts.models import Organization
from civicplan.budget.models import BudgetCycle, CalendarMilestone, MilestoneKind
from civicplan.lib.fiscal import fiscal_year_bounds
from civicplan.lib.timeline import TimelineLabels, TimelineMilestone, TimelineRow, render_timeline
from civicplan.plans.models import Plan, ReportingPeriod

from .common import fy_label

__all__ = [
    "CycleView",
    "MilestoneView",
    "RequestWindow",
    "TimelineEntry",
    "calendar_cycles",
    "calendar_range",
    "calendar_timeline",
    "cycle_label",
    "cycles_of",
    "request_window",
    "timeline_svg",
    "window_message",
]

# What `TimelineEntry.kind` holds: a budget milestone, or the day a reporting period's progress updates are due.
BUDGET = "budget"
UPDATE_DUE = "update_due"
# Plain strings: without django-stubs, mypy takes a TextChoices member for its (value, label) tuple.
KICKOFF = str(MilestoneKind.KICKOFF)
REQUESTS_DUE = str(MilestoneKind.REQUESTS_DUE)


def _date(value: dt.date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


# --- Request window -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestWindow:
    """When departments may submit requests in a cycle. `state` is "none" (the cycle lacks the kick-off or the
    requests-due date), "upcoming", "open" or "closed"; both ends are inclusive."""

    opens: dt.date | None
    closes: dt.date | None
    state: str
    days_left: int | None = None  # while open: days until (and including) the due date, 0 on the last day

    @property
    def is_open(self) -> bool:
        return self.state == "open"


def _first(milestones: Iterable[CalendarMilestone], kind: str) -> CalendarMilestone | None:
    return next((m for m in sorted(milestones, key=lambda m: (m.date, m.pk)) if m.kind == kind), None)


def request_window(cycle: BudgetCycle, today: dt.date | None = None) -> RequestWindow:
    """The cycle's request window on `today`. Reads `cycle.milestones.all()`, so a prefetch serves every cycle."""
    today = today or timezone.localdate()
    milestones = list(cycle.milestones.all())
    kickoff, due = _first(milestones, KICKOFF), _first(milestones, REQUESTS_DUE)
    if kickoff is None or due is None:
        return RequestWindow(
            opens=kickoff.date if kickoff else None, closes=due.date if due else None, state="none"
        )
    if today < kickoff.date:
        return RequestWindow(kickoff.date, due.date, "upcoming")
    if today > due.date:
        return RequestWindow(kickoff.date, due.date, "closed")
    return RequestWindow(kickoff.date, due.date, "open", days_left=(due.date - today).days)


def window_message(cycle: BudgetCycle, window: RequestWindow) -> str:
    """The window in one plain sentence, e.g. "Requests for FY 2026-27 were due on 12 March 2026."."""
    years = " – ".join(fy_label(year, cycle.organization) for year in cycle.fiscal_years)
    values = {"years": years}
    if window.state == "none":
        return (
            _(
                "Requests for %(years)s have no window yet: the budget calendar needs a kick-off date and a "
                "“department requests due” date."
            )
            % values
        )
    assert window.opens is not None and window.closes is not None
    if window.state == "upcoming":
        return _("Requests for %(years)s open on %(date)s.") % {**values, "date": _date(window.opens)}
    if window.state == "closed":
        return _("Requests for %(years)s were due on %(date)s.") % {**values, "date": _date(window.closes)}
    days = window.days_left or 0
    if days == 0:
        return _("Requests for %(years)s are due today, %(date)s.") % {**values, "date": _date(window.closes)}
    return ngettext(
        "Requests for %(years)s are open until %(date)s — %(days)s day left.",
        "Requests for %(years)s are open until %(date)s — %(days)s days left.",
        days,
    ) % {**values, "date": _date(window.closes), "days": days}


# --- Cycles and their milestones ------------------------------------------------------------------------------------


def cycles_of(organization: Organization) -> QuerySet[BudgetCycle]:
    """Newest first, with organization and milestones loaded (window and labels need no further query)."""
    return (
        BudgetCycle.objects.filter(organization=organization)
        .select_related("organization")
        .prefetch_related(Prefetch("milestones", queryset=CalendarMilestone.objects.order_by("date", "pk")))
        .order_by("-first_fiscal_year")
    )


@dataclass(frozen=True)
class MilestoneView:
    milestone: CalendarMilestone
    past: bool
    days_until: int  # negative once past


@dataclass(frozen=True)
class CycleView:
    cycle: BudgetCycle
    label: str  # "FY 2026-27" or "FY 2026-27 – FY 2027-28"
    milestones: list[MilestoneView]
    window: RequestWindow
    window_text: str


def cycle_label(cycle: BudgetCycle) -> str:
    return " – ".join(fy_label(year, cycle.organization) for year in cycle.fiscal_years)


def calendar_cycles(organization: Organization, today: dt.date | None = None) -> list[CycleView]:
    """Every cycle (newest first) with its milestones marked past or upcoming: two queries whatever the count."""
    today = today or timezone.localdate()
    result = []
    for cycle in cycles_of(organization):
        window = request_window(cycle, today)
        milestones = [
            MilestoneView(milestone=m, past=m.date < today, days_until=(m.date - today).days)
            for m in cycle.milestones.all()
        ]
        result.append(
            CycleView(
                cycle=cycle,
                label=cycle_label(cycle),
                milestones=milestones,
                window=window,
                window_text=window_message(cycle, window),
            )
        )
    return result


# --- One timeline: budget milestones and progress-update due dates ------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    date: dt.date
    label: str  # in the reader's language
    kind: str  # BUDGET or UPDATE_DUE
    kind_label: str
    cycle_label: str = ""


def calendar_range(
    organization: Organization, plan: Plan | None, year: int | None
) -> tuple[dt.date, dt.date]:
    """The dates the timeline covers: one fiscal year when asked, else the plan's fiscal years, else the current
    fiscal year."""
    month = organization.fiscal_year_start_month
    if year is not None:
        return fiscal_year_bounds(year, month)
    if plan is not None:
        first, _last = fiscal_year_bounds(plan.start_fiscal_year, month)
        _first_day, last = fiscal_year_bounds(plan.start_fiscal_year + plan.years - 1, month)
        return first, last
    from .common import current_fiscal_year

    return fiscal_year_bounds(current_fiscal_year(organization), month)


def calendar_timeline(
    organization: Organization, plan: Plan | None, *, start: dt.date, end: dt.date
) -> list[TimelineEntry]:
    """Budget milestones and the plan's progress-update due dates between `start` and `end`, in date order (budget
    first on the same day). Two queries."""
    entries = []
    milestones = (
        CalendarMilestone.objects.filter(cycle__organization=organization, date__range=(start, end))
        .select_related("cycle__organization")
        .order_by("date", "pk")
    )
    for milestone in milestones:
        entries.append(
            TimelineEntry(
                date=milestone.date,
                label=milestone.label(),
                kind=BUDGET,
                kind_label=_("Budget"),
                cycle_label=cycle_label(milestone.cycle),
            )
        )
    if plan is not None:
        periods = ReportingPeriod.objects.filter(plan=plan, due_on__range=(start, end)).order_by(
            "due_on", "pk"
        )
        for period in periods:
            entries.append(
                TimelineEntry(
                    date=period.due_on,
                    label=_("Progress updates for %(period)s due") % {"period": period.localized("name")},
                    kind=UPDATE_DUE,
                    kind_label=_("Progress update due"),
                )
            )
    entries.sort(key=lambda entry: (entry.date, entry.kind != BUDGET))
    return entries


def timeline_svg(entries: list[TimelineEntry], *, start: dt.date, end: dt.date, today: dt.date) -> str:
    """The entries as a two-row strip (budget milestones; progress updates due), drawn by `lib.timeline`. Past
    dates show as done, later ones as due."""
    rows = [
        TimelineRow(
            code="",
            title=title,
            milestones=tuple(
                TimelineMilestone(title=entry.label, due=entry.date, done=entry.date < today)
                for entry in entries
                if entry.kind == kind
            ),
        )
        for kind, title in ((BUDGET, _("Budget milestones")), (UPDATE_DUE, _("Progress updates due")))
    ]
    budget_count = len(rows[0].milestones)
    update_count = len(rows[1].milestones)
    desc = _(
        "%(budget)s budget milestones and %(updates)s progress-update due dates from %(start)s to %(end)s. "
        "The table below lists the same dates."
    ) % {"budget": budget_count, "updates": update_count, "start": _date(start), "end": _date(end)}
    labels = TimelineLabels(
        title=_("Budget calendar and progress updates"),
        desc=desc,
        today=_("Today"),
        no_dates=_("no dates"),
        done=_("past"),
        pending=_("upcoming"),
        overdue_marker=_("overdue"),
        months=[formats.date_format(dt.date(2000, month, 1), "M") for month in range(1, 13)],
    )
    return render_timeline(
        rows, start=start, end=end, today=today, labels=labels, id_prefix="budget-calendar"
    )
