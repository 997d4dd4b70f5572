"""Staff dashboards, assembled from the plan and performance modules' selectors: the coordinator's view of the
whole plan, one department's view, and a read-only summary for council members."""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from civicplan.accounts import selectors as account_selectors
from civicplan.plans import selectors as plan_selectors

DUE_WINDOW_DAYS = 30


def dashboard_reader(view: Any) -> Any:
    """Signed in with a plan role; everything here is read-only."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.has_perm("plans.view_dashboard"):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _plan() -> Any:
    plan = plan_selectors.current_plan()
    if plan is None:
        raise Http404
    return plan


def _context(plan: Any, *, department_id: int | None) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "plan": plan,
        "today": today,
        "rollup": plan_selectors.priority_rollup(plan, department_id=department_id),
        "status_counts": plan_selectors.action_status_counts(plan, department_id=department_id),
        "due": plan_selectors.due_soon(plan, today=today, days=DUE_WINDOW_DAYS, department_id=department_id),
        "due_days": DUE_WINDOW_DAYS,
    }


@dashboard_reader
@require_GET
def coordinator(request: HttpRequest) -> HttpResponse:
    plan = _plan()
    context = _context(plan, department_id=None)
    context["departments"] = account_selectors.departments(plan.organization)
    return render(request, "web/dashboard/plan.html", context)


@dashboard_reader
@require_GET
def department(request: HttpRequest, department_id: int) -> HttpResponse:
    plan = _plan()
    chosen = next(
        (d for d in account_selectors.departments(plan.organization) if d.pk == department_id), None
    )
    if chosen is None:
        raise Http404
    context = _context(plan, department_id=chosen.pk)
    context["department"] = chosen
    return render(request, "web/dashboard/plan.html", context)
