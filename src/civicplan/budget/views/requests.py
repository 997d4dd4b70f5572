"""Staff pages of budget requests: the list, writing and submitting a request, scoring, deciding, and the ranked
list council reads. Each view checks who may see the request (a draft of another department is a 404), then the
permission, then calls a service; a state problem (already submitted, being scored, withdrawn) is said in words."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from civicplan.accounts.models import Department, Organization
from civicplan.budget.forms.requests import BudgetRequestForm, DecideForm, ScoreForm
from civicplan.budget.models import BudgetCycle, BudgetRequest, RequestState
from civicplan.budget.selectors import calendar as calendar_selectors
from civicplan.budget.selectors import requests as selectors
from civicplan.budget.services import requests as services
from civicplan.core.access import require, signed_in_with
from civicplan.core.forms import add_validation_error
from civicplan.lib.money import format_money
from civicplan.plans.selectors import current_plan

reader = signed_in_with("budget.view_budget")


def _organization() -> Organization:
    organization = Organization.current()
    if organization is None:
        raise Http404
    return organization


def _today() -> dt.date:
    return timezone.localdate()


def _visible_request(request: HttpRequest, request_id: int) -> BudgetRequest:
    """The request, or 404 when this person may not read it (another department's draft)."""
    budget_request = get_object_or_404(
        BudgetRequest.objects.select_related(
            "cycle__organization", "department", "fund", "line", "created_by"
        ),
        pk=request_id,
    )
    if not selectors.can_see_request(request.user, budget_request):
        raise Http404
    return budget_request


def _cycle_param(request: HttpRequest, organization: Organization) -> BudgetCycle | None:
    """The cycle named by `?cycle=`, else the one a department most likely means."""
    raw = request.GET.get("cycle", "")
    if raw.isdigit():
        cycle = calendar_selectors.cycles_of(organization).filter(pk=int(raw)).first()
        if cycle is not None:
            return cycle
    return selectors.default_cycle(organization, _today())


def _say_errors(request: HttpRequest, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


# --- List ---------------------------------------------------------------------------------------------------------


@reader
@require_http_methods(["GET"])
def request_list(request: HttpRequest) -> HttpResponse:
    organization = _organization()
    cycles = list(calendar_selectors.cycles_of(organization))
    departments = list(Department.objects.filter(organization=organization))
    cycle_id = _choice(request, "cycle", {cycle.pk for cycle in cycles})
    department_id = _choice(request, "department", {department.pk for department in departments})
    state = request.GET.get("state", "")
    if state not in RequestState.values:
        state = ""
    rows = selectors.request_list(
        request.user,
        organization=organization,
        cycle_id=cycle_id,
        state=state or None,
        department_id=department_id,
    )
    shown = next((cycle for cycle in cycles if cycle.pk == cycle_id), None) or selectors.default_cycle(
        organization, _today()
    )
    return render(
        request,
        "budget/staff/requests/list.html",
        {
            "rows": rows,
            "cycles": [(cycle.pk, calendar_selectors.cycle_label(cycle)) for cycle in cycles],
            "departments": departments,
            "states": RequestState.choices,
            "cycle_id": cycle_id,
            "department_id": department_id,
            "state": state,
            "can_add": request.user.has_perm("budget.add_request"),
            "can_score": request.user.has_perm("budget.score_request"),
            "window_text": _window_text(shown),
        },
    )


def _window_text(cycle: BudgetCycle | None) -> str:
    """Where the request window of the cycle a department most likely means stands, in one sentence."""
    if cycle is None:
        return ""
    return calendar_selectors.window_message(cycle, calendar_selectors.request_window(cycle, _today()))


def _choice(request: HttpRequest, name: str, allowed: set[int]) -> int | None:
    raw = request.GET.get(name, "")
    return int(raw) if raw.isdigit() and int(raw) in allowed else None


# --- Writing ------------------------------------------------------------------------------------------------------


def _form(
    request: HttpRequest, cycle: BudgetCycle, instance: BudgetRequest | None = None
) -> BudgetRequestForm:
    plan = current_plan()
    return BudgetRequestForm(
        request.POST or None,
        cycle=cycle,
        organization=cycle.organization,
        choose_department=request.user.has_perm("budget.manage_budget"),
        item_groups=selectors.item_choices(plan),
        citable=list(selectors.citable_items(plan).select_related("plan")),
        instance=instance,
    )


def _save(
    request: HttpRequest, form: BudgetRequestForm, cycle: BudgetCycle, instance: BudgetRequest | None
) -> BudgetRequest:
    """Save, and submit too when the person pressed "Save and submit": both or neither, so a refused submission
    leaves the form (and the saved request) as they were."""
    with transaction.atomic():
        saved = services.save_request(
            user=request.user,
            cycle=cycle,
            data=form.service_data(),
            budget_request=instance,
            expected_version=form.cleaned_data.get("lock_version") if instance else None,
            today=_today(),
        )
        if "submit" in request.POST and saved.state == RequestState.DRAFT:
            saved = services.submit_request(budget_request=saved, user=request.user, today=_today())
    return saved


def _saved_message(request: HttpRequest, saved: BudgetRequest) -> None:
    if saved.state == RequestState.SUBMITTED and "submit" in request.POST:
        messages.success(request, _("The request was submitted."))
    else:
        messages.success(request, _("The request was saved."))


@reader
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    require(request, "budget.add_request")
    organization = _organization()
    cycle = _cycle_param(request, organization)
    context: dict[str, Any] = {"cycle": cycle, "budget_request": None, "cycles": []}
    if cycle is None:
        return render(request, "budget/staff/requests/form.html", context)
    window = calendar_selectors.request_window(cycle, _today())
    may_enter_late = request.user.has_perm("budget.manage_budget")
    context.update(
        window=window,
        window_text=calendar_selectors.window_message(cycle, window),
        late_entry=not window.is_open and may_enter_late,
        cycle_label=calendar_selectors.cycle_label(cycle),
        cycles=[
            (c.pk, calendar_selectors.cycle_label(c)) for c in calendar_selectors.cycles_of(organization)
        ],
    )
    if not window.is_open and not may_enter_late:
        return render(
            request, "budget/staff/requests/form.html", context, status=400 if request.POST else 200
        )
    form = _form(request, cycle)
    if request.method == "POST" and form.is_valid():
        try:
            saved = _save(request, form, cycle, None)
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            _saved_message(request, saved)
            return redirect("budget:request", request_id=saved.pk)
    context["form"] = form
    return render(
        request, "budget/staff/requests/form.html", context, status=400 if request.method == "POST" else 200
    )


@reader
@require_http_methods(["GET", "POST"])
def request_edit(request: HttpRequest, request_id: int) -> HttpResponse:
    budget_request = _visible_request(request, request_id)
    require(request, "budget.write_request", budget_request)
    cycle = budget_request.cycle
    context: dict[str, Any] = {
        "cycle": cycle,
        "budget_request": budget_request,
        "cycle_label": calendar_selectors.cycle_label(cycle),
        "state_problem": services.state_problem(budget_request),
    }
    if context["state_problem"]:
        return render(
            request, "budget/staff/requests/form.html", context, status=400 if request.POST else 200
        )
    form = _form(request, cycle, budget_request)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            saved = _save(request, form, cycle, budget_request)
        except services.RequestConflict as error:
            conflict = error.current
            form.data = form.data.copy()
            form.data["lock_version"] = str(conflict.lock_version)  # saving again replaces their version
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            _saved_message(request, saved)
            return redirect("budget:request", request_id=saved.pk)
    context.update(
        form=form, conflict=conflict, conflict_rows=_conflict_rows(form, conflict) if conflict else []
    )
    status = 409 if conflict else 400 if request.method == "POST" else 200
    return render(request, "budget/staff/requests/form.html", context, status=status)


def _show(value: Any) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, list):
        return ", ".join(item.code for item in value) or "–"
    if hasattr(value, "localized"):
        return str(value.localized("name"))
    return str(value)


def _conflict_rows(form: BudgetRequestForm, current: BudgetRequest) -> list[dict[str, Any]]:
    """This person's version next to the saved one, field by field."""
    rows = []
    theirs_items = sorted(current.items.all(), key=lambda item: item.code)
    for name in (
        "department",
        "fiscal_year",
        "title_en",
        "title_es",
        "justification_en",
        "justification_es",
        "amount",
        "fund",
        "items",
    ):
        if name not in form.fields:
            continue
        mine = form.cleaned_data.get(name)
        theirs = theirs_items if name == "items" else getattr(current, name)
        if name == "amount":
            mine_text, theirs_text = format_money(mine, cents=True), format_money(theirs, cents=True)
        else:
            mine_text, theirs_text = _show(mine), _show(theirs)
        rows.append(
            {
                "label": form.fields[name].label,
                "mine": mine_text,
                "theirs": theirs_text,
                "differs": mine_text != theirs_text,
            }
        )
    return rows


# --- One request --------------------------------------------------------------------------------------------------


def _detail_context(request: HttpRequest, budget_request: BudgetRequest) -> dict[str, Any]:
    user = request.user
    cycle = budget_request.cycle
    window = calendar_selectors.request_window(cycle, _today())
    may_write = user.has_perm("budget.write_request", budget_request)
    state = budget_request.state
    return {
        "budget_request": budget_request,
        "view": selectors.request_view(budget_request),
        "cycle_label": calendar_selectors.cycle_label(cycle),
        "window": window,
        "window_text": calendar_selectors.window_message(cycle, window),
        "entered_late": _entered_late(budget_request, window),
        "state_problem": services.state_problem(budget_request),
        "can_edit": may_write and services.state_problem(budget_request) is None,
        "can_submit": may_write and state == RequestState.DRAFT,
        "can_withdraw": may_write and state in (RequestState.DRAFT, RequestState.SUBMITTED),
        "can_score": user.has_perm("budget.score_request", budget_request)
        and state == RequestState.SUBMITTED,
        "can_decide": user.has_perm("budget.score_request", budget_request)
        and state == RequestState.SUBMITTED,
        "history": list(
            budget_request.history.select_related("history_user").order_by("-history_date", "-history_id")[
                :20
            ]
        ),
    }


def _entered_late(budget_request: BudgetRequest, window: calendar_selectors.RequestWindow) -> bool:
    """Submitted (or, for a draft, written) after the window closed: only the coordinator can do that."""
    if window.closes is None:
        return False
    moment = budget_request.submitted_at or budget_request.created_at
    return bool(moment and timezone.localtime(moment).date() > window.closes)


@reader
@require_http_methods(["GET"])
def request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    budget_request = _visible_request(request, request_id)
    context = _detail_context(request, budget_request)
    if context["can_decide"]:
        context["decide_form"] = DecideForm(budget_request=budget_request)
    return render(request, "budget/staff/requests/detail.html", context)


@reader
@require_http_methods(["POST"])
def request_submit(request: HttpRequest, request_id: int) -> HttpResponse:
    budget_request = _visible_request(request, request_id)
    require(request, "budget.write_request", budget_request)
    try:
        services.submit_request(budget_request=budget_request, user=request.user, today=_today())
    except ValidationError as error:
        _say_errors(request, error)
    else:
        messages.success(request, _("The request was submitted."))
    return redirect("budget:request", request_id=budget_request.pk)


@reader
@require_http_methods(["POST"])
def request_withdraw(request: HttpRequest, request_id: int) -> HttpResponse:
    budget_request = _visible_request(request, request_id)
    require(request, "budget.write_request", budget_request)
    try:
        services.withdraw_request(budget_request=budget_request, user=request.user)
    except ValidationError as error:
        _say_errors(request, error)
    else:
        messages.success(request, _("The request was withdrawn."))
    return redirect("budget:request", request_id=budget_request.pk)


@reader
@require_http_methods(["GET", "POST"])
def request_score(request: HttpRequest, request_id: int) -> HttpResponse:
    budget_request = _visible_request(request, request_id)
    require(request, "budget.score_request", budget_request)
    scored = {name: getattr(budget_request, name) for name in services.SCORE_FIELDS}
    initial = scored if all(value is not None for value in scored.values()) else {}
    form = ScoreForm(request.POST or None, initial=initial)
    problem = None
    if budget_request.state != RequestState.SUBMITTED:
        problem = _("Only submitted requests are scored; this one is %(state)s.") % {
            "state": budget_request.get_state_display().lower()
        }
    elif request.method == "POST" and form.is_valid():
        try:
            services.score_request(budget_request=budget_request, user=request.user, scores=form.cleaned_data)
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(request, _("The scores were saved."))
            return redirect(_ranking_url(budget_request.cycle_id))
    context = {
        "budget_request": budget_request,
        "form": form,
        "problem": problem,
        "cycle_label": calendar_selectors.cycle_label(budget_request.cycle),
        "items": list(budget_request.items.order_by("code")),
    }
    return render(
        request, "budget/staff/requests/score.html", context, status=400 if request.method == "POST" else 200
    )


def _ranking_url(cycle_id: int) -> str:
    from django.urls import reverse

    return f"{reverse('budget:ranking')}?cycle={cycle_id}"


@reader
@require_http_methods(["POST"])
def request_decide(request: HttpRequest, request_id: int) -> HttpResponse:
    budget_request = _visible_request(request, request_id)
    require(request, "budget.score_request", budget_request)
    form = DecideForm(request.POST, budget_request=budget_request)
    if budget_request.state != RequestState.SUBMITTED:
        messages.error(
            request,
            _("Only a submitted request can be decided; this one is %(state)s.")
            % {"state": budget_request.get_state_display().lower()},
        )
        return redirect("budget:request", request_id=budget_request.pk)
    if form.is_valid():
        try:
            decided = services.decide_request(
                budget_request=budget_request,
                user=request.user,
                decision=form.cleaned_data["action"],
                adopted_amount=form.cleaned_data["adopted_amount"],
                note=form.cleaned_data["decision_note"],
            )
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            if decided.state == RequestState.ADOPTED:
                messages.success(request, _("The request was adopted and is now a funded budget line."))
            else:
                messages.success(request, _("The request was recorded as not funded."))
            return redirect("budget:request", request_id=budget_request.pk)
    context = _detail_context(request, budget_request)
    context["decide_form"] = form
    return render(request, "budget/staff/requests/detail.html", context, status=400)


# --- Ranking ------------------------------------------------------------------------------------------------------


@reader
@require_http_methods(["GET"])
def ranking(request: HttpRequest) -> HttpResponse:
    organization = _organization()
    cycle = _cycle_param(request, organization)
    context: dict[str, Any] = {"cycle": cycle}
    if cycle is not None:
        context.update(
            ranking=selectors.ranking(cycle),
            cycle_label=calendar_selectors.cycle_label(cycle),
            cycles=[
                (c.pk, calendar_selectors.cycle_label(c)) for c in calendar_selectors.cycles_of(organization)
            ],
            can_score=request.user.has_perm("budget.score_request"),
        )
    return render(request, "budget/staff/requests/ranking.html", context)


urlpatterns: list[URLPattern] = [
    path("requests/", request_list, name="requests"),
    path("requests/new/", request_new, name="request-new"),
    path("requests/ranking/", ranking, name="ranking"),
    path("requests/<int:request_id>/", request_detail, name="request"),
    path("requests/<int:request_id>/edit/", request_edit, name="request-edit"),
    path("requests/<int:request_id>/submit/", request_submit, name="request-submit"),
    path("requests/<int:request_id>/withdraw/", request_withdraw, name="request-withdraw"),
    path("requests/<int:request_id>/score/", request_score, name="request-score"),
    path("requests/<int:request_id>/decide/", request_decide, name="request-decide"),
]
