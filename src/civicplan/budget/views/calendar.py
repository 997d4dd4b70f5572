"""The budget calendar: every cycle with its milestones and request window, one timeline of budget milestones and
progress-update due dates, and the forms the coordinator and finance use to set cycles and milestones."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from civicplan.accounts.models import Organization
from civicplan.budget.forms.calendar import CycleForm, MilestoneForm
from civicplan.budget.models import BudgetCycle, CalendarMilestone
from civicplan.budget.selectors import calendar as selectors
from civicplan.budget.selectors.common import current_fiscal_year, fy_label, plan_fiscal_years
from civicplan.budget.services import calendar as services
from civicplan.core.access import require, signed_in_with
from civicplan.core.forms import add_validation_error
from civicplan.plans.selectors import current_plan

reader = signed_in_with("budget.view_budget")


def _organization() -> Organization:
    organization = Organization.current()
    if organization is None:
        raise Http404
    return organization


def _today() -> dt.date:
    return timezone.localdate()


def _status(request: HttpRequest) -> int:
    """A refused POST answers 400 with the form; the page itself 200."""
    return 400 if request.method == "POST" else 200


# --- The calendar -------------------------------------------------------------------------------------------------


def _year_choices(organization: Organization, plan: Any, cycles: list[selectors.CycleView]) -> list[int]:
    years = set(plan_fiscal_years(plan)) if plan else {current_fiscal_year(organization)}
    for view in cycles:
        years |= set(view.cycle.fiscal_years)
    return sorted(years)


@reader
@require_http_methods(["GET"])
def calendar(request: HttpRequest) -> HttpResponse:
    organization = _organization()
    plan = current_plan()
    today = _today()
    cycles = selectors.calendar_cycles(organization, today)
    years = _year_choices(organization, plan, cycles)
    raw = request.GET.get("year", "")
    year = int(raw) if raw.isdigit() and int(raw) in years else None
    start, end = selectors.calendar_range(organization, plan, year)
    entries = selectors.calendar_timeline(organization, plan, start=start, end=end)
    return render(
        request,
        "budget/staff/calendar/calendar.html",
        {
            "cycles": cycles,
            "entries": entries,
            # Built from escaped text only (lib.timeline escapes every label).
            "timeline_svg": mark_safe(selectors.timeline_svg(entries, start=start, end=end, today=today)),
            "start": start,
            "end": end,
            "today": today,
            "year": year,
            "years": [(value, fy_label(value, organization)) for value in years],
            "plan": plan,
            "can_manage": request.user.has_perm("budget.manage_budget"),
        },
    )


# --- Cycles -------------------------------------------------------------------------------------------------------


def _offered_years(organization: Organization) -> list[int]:
    """The plan's fiscal years and the next one (a cycle is often set up before the plan is extended)."""
    plan = current_plan()
    years = plan_fiscal_years(plan) if plan else [current_fiscal_year(organization)]
    return [*years, years[-1] + 1]


@reader
@require_http_methods(["GET", "POST"])
def cycle_new(request: HttpRequest) -> HttpResponse:
    require(request, "budget.manage_budget")
    organization = _organization()
    form = CycleForm(request.POST or None, organization=organization, years=_offered_years(organization))
    if request.method == "POST" and form.is_valid():
        try:
            cycle = services.save_cycle(
                organization=organization,
                user=request.user,
                data=form.cleaned_data,
                add_usual_milestones=form.cleaned_data["add_usual_milestones"],
            )
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(
                request, _("The budget cycle was created. Check its milestones and their dates.")
            )
            return redirect("budget:cycle-edit", cycle_id=cycle.pk)
    return render(
        request,
        "budget/staff/calendar/cycle_form.html",
        {"form": form, "cycle": None},
        status=_status(request),
    )


@reader
@require_http_methods(["GET", "POST"])
def cycle_edit(request: HttpRequest, cycle_id: int) -> HttpResponse:
    require(request, "budget.manage_budget")
    organization = _organization()
    cycle = get_object_or_404(
        BudgetCycle.objects.select_related("organization"), pk=cycle_id, organization=organization
    )
    form = CycleForm(
        request.POST or None, organization=organization, years=_offered_years(organization), cycle=cycle
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_cycle(
                organization=organization, user=request.user, data=form.cleaned_data, cycle=cycle
            )
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(request, _("The budget cycle was saved."))
            return redirect("budget:calendar")
    window = selectors.request_window(cycle, _today())
    context = {
        "form": form,
        "cycle": cycle,
        "cycle_label": selectors.cycle_label(cycle),
        "milestones": list(cycle.milestones.order_by("date", "pk")),
        "window_text": selectors.window_message(cycle, window),
    }
    return render(request, "budget/staff/calendar/cycle_form.html", context, status=_status(request))


# --- Milestones ---------------------------------------------------------------------------------------------------


def _milestone(milestone_id: int) -> CalendarMilestone:
    return get_object_or_404(CalendarMilestone.objects.select_related("cycle__organization"), pk=milestone_id)


def _milestone_page(
    request: HttpRequest, cycle: BudgetCycle, milestone: CalendarMilestone | None
) -> HttpResponse:
    form = MilestoneForm(request.POST or None, milestone=milestone)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_milestone(
                cycle=cycle, user=request.user, data=form.cleaned_data, milestone=milestone
            )
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(request, _("The milestone was saved."))
            return redirect("budget:cycle-edit", cycle_id=cycle.pk)
    context = {
        "form": form,
        "cycle": cycle,
        "milestone": milestone,
        "cycle_label": selectors.cycle_label(cycle),
    }
    return render(request, "budget/staff/calendar/milestone_form.html", context, status=_status(request))


@reader
@require_http_methods(["GET", "POST"])
def milestone_new(request: HttpRequest, cycle_id: int) -> HttpResponse:
    require(request, "budget.manage_budget")
    cycle = get_object_or_404(BudgetCycle.objects.select_related("organization"), pk=cycle_id)
    return _milestone_page(request, cycle, None)


@reader
@require_http_methods(["GET", "POST"])
def milestone_edit(request: HttpRequest, milestone_id: int) -> HttpResponse:
    require(request, "budget.manage_budget")
    milestone = _milestone(milestone_id)
    return _milestone_page(request, milestone.cycle, milestone)


@reader
@require_http_methods(["POST"])
def milestone_delete(request: HttpRequest, milestone_id: int) -> HttpResponse:
    """First POST (the "Remove" button) asks to confirm; the confirmation POST removes the milestone."""
    require(request, "budget.manage_budget")
    milestone = _milestone(milestone_id)
    if request.POST.get("confirm") != "yes":
        context = {
            "milestone": milestone,
            "cycle": milestone.cycle,
            "cycle_label": selectors.cycle_label(milestone.cycle),
        }
        return render(request, "budget/staff/calendar/milestone_delete.html", context)
    cycle_id = milestone.cycle_id
    services.delete_milestone(milestone=milestone, user=request.user)
    messages.success(request, _("The milestone was removed."))
    return redirect("budget:cycle-edit", cycle_id=cycle_id)


urlpatterns: list[URLPattern] = [
    path("calendar/", calendar, name="calendar"),
    path("calendar/cycles/new/", cycle_new, name="cycle-new"),
    path("calendar/cycles/<int:cycle_id>/", cycle_edit, name="cycle-edit"),
    path("calendar/cycles/<int:cycle_id>/milestones/new/", milestone_new, name="milestone-new"),
    path("calendar/milestones/<int:milestone_id>/", milestone_edit, name="milestone-edit"),
    path("calendar/milestones/<int:milestone_id>/delete/", milestone_delete, name="milestone-delete"),
]
