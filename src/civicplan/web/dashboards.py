"""Staff dashboards, assembled from the plan and performance modules' selectors (the site shell is the one place
that may read both): the coordinator's view of the whole plan, one department's view, and a read-only summary
for council members. Every block runs a fixed number of queries whatever the plan's size."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from civicplan.accounts import selectors as account_selectors
from civicplan.core.access import signed_in_with
from civicplan.lib.charts import Bar, bar_chart
from civicplan.performance import selectors as indicator_selectors
from civicplan.plans import selectors as plan_selectors

DUE_WINDOW_DAYS = 30
NO_STATUS_COLOR = "#dfe1e2"


# Signed in with a plan role. Everything on a dashboard is read-only; links lead to the pages that change.
dashboard_reader = signed_in_with("plans.view_dashboard")


def _plan() -> Any:
    plan = plan_selectors.current_plan()
    if plan is None:
        raise Http404
    return plan


def _reporting_periods(periods: list[Any], today: dt.date) -> tuple[Any, Any]:
    """The period the dashboard reports on (the one open now, else the latest past due) and the latest past-due
    one (whose missing updates are late)."""
    past_due = [period for period in periods if period.due_on < today]
    open_now = [period for period in periods if period.opens_on <= today <= period.due_on]
    latest_past_due = max(past_due, key=lambda p: (p.due_on, p.starts_on), default=None)
    return (open_now[-1] if open_now else latest_past_due), latest_past_due


def _status_chart(counts: list[Any], chart_id: str) -> str:
    bars = [
        Bar(
            row.status.localized("name") if row.status else _("No status yet"),
            row.count,
            row.status.color if row.status else NO_STATUS_COLOR,
        )
        for row in counts
    ]
    description = "; ".join(f"{bar.label}: {int(bar.value)}" for bar in bars)
    return mark_safe(  # lib.charts escapes every text it draws
        bar_chart(chart_id=chart_id, title=_("Actions by status"), description=description, bars=bars)
    )


def _context(request: HttpRequest, plan: Any, *, department: Any = None) -> dict[str, Any]:
    today = timezone.localdate()
    department_id = department.pk if department else None
    departments = account_selectors.departments(plan.organization)
    periods = plan_selectors.periods_of(plan)
    period, latest_past_due = _reporting_periods(periods, today)
    completeness, totals = (
        plan_selectors.completeness(period, today, departments=departments) if period else ([], None)
    )
    late = plan_selectors.late_updates(plan, today, period=latest_past_due) if latest_past_due else []
    indicators = indicator_selectors.staff_indicators(plan, today=today, department_id=department_id)
    stale_indicators = [row for row in indicators if row.stale_reasons]
    if department is not None:
        completeness = [row for row in completeness if row.department and row.department.pk == department_id]
        totals = completeness[0] if completeness else None
        late = [row for row in late if row.action.department_id == department_id]
    overview = plan_selectors.plan_overview(plan, department_id=department_id)
    status_counts = overview.status_counts
    return {
        "plan": plan,
        "today": today,
        "department": department,
        "departments": departments,
        "rollup": overview.rollup,
        "status_counts": status_counts,
        "status_chart": _status_chart(status_counts, "actions-by-status"),
        "actions_total": sum(row.count for row in status_counts),
        "period": period,
        "completeness": completeness,
        "totals": totals,
        "late": late,
        "waiting": plan_selectors.waiting_review_count(plan, period=period) if period else 0,
        "indicator_counts": indicator_selectors.status_counts(indicators),
        "indicators_total": len(indicators),
        "stale_indicators": stale_indicators,
        "upcoming_periods": plan_selectors.upcoming_periods(plan, today, DUE_WINDOW_DAYS, periods=periods),
        "due": plan_selectors.due_soon(plan, today=today, days=DUE_WINDOW_DAYS, department_id=department_id),
        "due_days": DUE_WINDOW_DAYS,
        "can_review": request.user.has_perm("plans.review_update", plan),
    }


@dashboard_reader
@require_GET
def plan_dashboard(request: HttpRequest) -> HttpResponse:
    """The coordinator's dashboard: the whole plan. `?department=<id>` (the picker, without JavaScript) leads to
    that department's dashboard."""
    chosen = request.GET.get("department", "")
    if chosen.isdigit():
        return redirect("web:department-dashboard", department_id=int(chosen))
    plan = _plan()
    return render(request, "web/dashboard/dashboard.html", _context(request, plan))


@dashboard_reader
@require_GET
def department_dashboard(request: HttpRequest, department_id: int) -> HttpResponse:
    """The same, for one department's actions, updates and indicators."""
    plan = _plan()
    chosen = next(
        (d for d in account_selectors.departments(plan.organization) if d.pk == department_id), None
    )
    if chosen is None:
        raise Http404
    return render(request, "web/dashboard/dashboard.html", _context(request, plan, department=chosen))


@dashboard_reader
@require_GET
def council_summary(request: HttpRequest) -> HttpResponse:
    """A read-only summary for council members: progress, actions and indicators, no names, no work queues."""
    plan = _plan()
    context = _context(request, plan)
    context["summary"] = True
    return render(request, "web/dashboard/summary.html", context)
