"""Staff pages of the reporting cycle: the periods, "My updates" (one card per action owed, each its own form,
swapped in place with htmx, working without it), and the coordinator's review page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from civicplan.plans import selectors, services
from civicplan.plans.forms import (
    ApproveUpdateForm,
    PeriodForm,
    ReviewSettingForm,
    SendBackForm,
    UpdateForm,
)
from civicplan.plans.models import Plan, PlanItem, ProgressUpdate, ReportingPeriod, Status, UpdateState
from civicplan.plans.views.staff import _apply_validation_error, _require, staff_only

# --- Periods ------------------------------------------------------------------------------------------------------


def _plan(plan_id: int) -> Plan:
    return get_object_or_404(Plan.objects.select_related("organization"), pk=plan_id)


@staff_only
@require_http_methods(["GET"])
def periods(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan(plan_id)
    today = timezone.localdate()
    rows = [
        {"period": period, "state": selectors.period_state(period, today), "updates": period.update_count}
        for period in plan.periods.annotate(update_count=Count("updates")).order_by("starts_on")
    ]
    can_manage = request.user.has_perm("plans.manage_periods", plan)
    first, last = plan.bounds
    return render(
        request,
        "plans/staff/updates/periods.html",
        {
            "plan": plan,
            "rows": rows,
            "first": first,
            "last": last,
            "can_manage": can_manage,
            "can_review": request.user.has_perm("plans.review_update"),
            "setting_form": ReviewSettingForm(
                initial={"updates_need_review": plan.updates_need_review, "lock_version": plan.lock_version}
            )
            if can_manage
            else None,
        },
    )


@staff_only
@require_http_methods(["POST"])
def periods_create_default(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan(plan_id)
    _require(request, "plans.manage_periods", plan)
    created = services.create_default_periods(plan=plan, user=request.user)
    if created:
        messages.success(request, _("%(count)s reporting periods were created.") % {"count": len(created)})
    else:
        messages.info(request, _("Every fiscal quarter of the plan already has a reporting period."))
    return redirect("staff:periods", plan_id=plan.pk)


@staff_only
@require_http_methods(["POST"])
def review_setting(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan(plan_id)
    _require(request, "plans.manage_periods", plan)
    form = ReviewSettingForm(request.POST)
    if form.is_valid():
        try:
            services.set_updates_need_review(
                plan=plan,
                user=request.user,
                need_review=form.cleaned_data["updates_need_review"],
                expected_version=form.cleaned_data["lock_version"],
            )
        except services.EditConflict:
            messages.error(
                request, _("Someone else changed the plan meanwhile. Check the setting and save again.")
            )
        else:
            messages.success(request, _("The approval setting was saved."))
    else:
        messages.error(request, _("The setting could not be saved. Please try again."))
    return redirect("staff:periods", plan_id=plan.pk)


@staff_only
def period_edit(
    request: HttpRequest, plan_id: int | None = None, period_id: int | None = None
) -> HttpResponse:
    period = (
        get_object_or_404(ReportingPeriod.objects.select_related("plan"), pk=period_id) if period_id else None
    )
    plan = period.plan if period else _plan(plan_id or 0)
    _require(request, "plans.manage_periods", plan)
    form = PeriodForm(request.POST or None, instance=period)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_period(plan=plan, user=request.user, data=form.cleaned_data, period=period)
        except ValidationError as error:
            _apply_validation_error(form, error)
        else:
            messages.success(request, _("The reporting period was saved."))
            return redirect("staff:periods", plan_id=plan.pk)
    first, last = plan.bounds
    return render(
        request,
        "plans/staff/updates/period_form.html",
        {"plan": plan, "form": form, "period": period, "first": first, "last": last},
        status=400 if request.method == "POST" else 200,
    )


@staff_only
@require_http_methods(["POST"])
def period_delete(request: HttpRequest, period_id: int) -> HttpResponse:
    period = get_object_or_404(ReportingPeriod.objects.select_related("plan"), pk=period_id)
    _require(request, "plans.manage_periods", period.plan)
    try:
        services.delete_period(period=period, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The reporting period was removed."))
    return redirect("staff:periods", plan_id=period.plan_id)


# --- My updates ---------------------------------------------------------------------------------------------------


def _statuses(plan_ids: set[int]) -> dict[int, list[Status]]:
    by_plan: dict[int, list[Status]] = {pk: [] for pk in plan_ids}
    for status in Status.objects.filter(plan_id__in=plan_ids).order_by("order", "pk"):
        by_plan[status.plan_id].append(status)
    return by_plan


def _initial(card: selectors.UpdateCard) -> dict[str, Any]:
    update = card.update
    if update is None:
        return {
            "status": str(card.action.status_id or ""),
            "progress": card.action.progress,
            "lock_version": 0,
        }
    return {
        "status": str(update.status_id or ""),
        "progress": update.progress,
        "narrative_en": update.narrative_en,
        "narrative_es": update.narrative_es,
        "lock_version": update.lock_version,
    }


def _card_form(
    card: selectors.UpdateCard, statuses: list[Status], data: Any = None, files: Any = None
) -> UpdateForm:
    return UpdateForm(data, files, prefix=card.prefix, statuses=statuses, initial=_initial(card))


def _card_context(
    request: HttpRequest,
    card: selectors.UpdateCard,
    form: UpdateForm,
    *,
    return_to: str = "list",
    conflict: ProgressUpdate | None = None,
    saved: str = "",
) -> dict[str, Any]:
    return {
        "card": card,
        "form": form,
        "conflict": conflict,
        "return_to": return_to,
        "saved": saved,
        "can_write": request.user.has_perm("plans.write_update", card.action),
    }


@staff_only
@require_http_methods(["GET"])
def my_updates(request: HttpRequest) -> HttpResponse:
    return _my_updates_page(request)


def _my_updates_page(
    request: HttpRequest, *, replace: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    today = timezone.localdate()
    groups = selectors.updates_owed_by(request.user, today)
    statuses = _statuses({group.period.plan_id for group in groups})
    sections = []
    for group in groups:
        cards = []
        for card in group.cards:
            if replace and replace["card"].anchor == card.anchor:
                cards.append(replace)
            else:
                cards.append(_card_context(request, card, _card_form(card, statuses[card.period.plan_id])))
        sections.append({"group": group, "cards": cards})
    review_periods = []
    if request.user.has_perm("plans.review_update"):
        review_periods = selectors.periods_in_play(today)
    return render(
        request,
        "plans/staff/updates/my_updates.html",
        {
            "sections": sections,
            "today": today,
            "review_periods": review_periods,
            "owed": sum(group.outstanding for group in groups),
        },
        status=status,
    )


def _action_and_period(action_id: int, period_id: int) -> tuple[PlanItem, ReportingPeriod]:
    action = get_object_or_404(
        PlanItem.objects.select_related("plan", "plan__organization", "status", "department", "owner"),
        pk=action_id,
        level="action",
    )
    period = get_object_or_404(ReportingPeriod.objects.select_related("plan"), pk=period_id)
    return action, period


@staff_only
@require_http_methods(["GET", "POST"])
def update_card(request: HttpRequest, action_id: int, period_id: int) -> HttpResponse:
    """One card: GET shows it on its own page (links from mail and the item page); POST saves a draft or
    submits (`intent`), then swaps the card in place (htmx) or redirects back to it."""
    action, period = _action_and_period(action_id, period_id)
    _require(request, "plans.write_update", action)
    if period.plan_id != action.plan_id:
        raise PermissionDenied
    today = timezone.localdate()
    card = selectors.update_card(action, period, today)
    statuses = list(action.plan.statuses.order_by("order", "pk"))
    if request.method == "GET":
        context = _card_context(request, card, _card_form(card, statuses), return_to="card")
        return render(request, "plans/staff/updates/card_page.html", context)
    return_to = "card" if request.POST.get("return_to") == "card" else "list"
    form = _card_form(card, statuses, request.POST, request.FILES)
    conflict = None
    intent = request.POST.get("intent", "draft")
    if form.is_valid():
        service = services.submit_update if intent == "submit" else services.save_update_draft
        try:
            update = service(
                action=action,
                period=period,
                user=request.user,
                data=form.content(),
                expected_version=form.cleaned_data["lock_version"] or 0,
                today=today,
            )
        except services.EditConflict as error:
            conflict = error.current
            form.data = form.data.copy()
            form.data[form.add_prefix("lock_version")] = str(conflict.lock_version)
        except ValidationError as error:
            _apply_validation_error(form, error)
        else:
            message = _done_message(update)
            if request.htmx:
                fresh = selectors.update_card(action, period, today)
                context = _card_context(
                    request, fresh, _card_form(fresh, statuses), return_to=return_to, saved=message
                )
                return render(request, "plans/staff/updates/_card.html", context)
            messages.success(request, message)
            if return_to == "card":
                return redirect("staff:update-card", action_id=action.pk, period_id=period.pk)
            return redirect(reverse("staff:my-updates") + "#" + card.anchor)
    context = _card_context(request, card, form, return_to=return_to, conflict=conflict)
    code = 409 if conflict else 400
    if request.htmx:  # htmx swaps only successful responses: the card carries the problem itself
        return render(request, "plans/staff/updates/_card.html", context)
    if return_to == "card":
        return render(request, "plans/staff/updates/card_page.html", context, status=code)
    return _my_updates_page(request, replace=context, status=code)


def _done_message(update: ProgressUpdate) -> str:
    code, period = update.action.code, update.period.localized("name")
    if update.state == UpdateState.PUBLISHED:
        return _("%(code)s: the update for %(period)s is published.") % {"code": code, "period": period}
    if update.state == UpdateState.SUBMITTED:
        if not update.action.plan.updates_need_review and not update.narrative_es:
            return _(
                "%(code)s: the update for %(period)s is submitted. It is published once the Spanish text is added."
            ) % {"code": code, "period": period}
        return _("%(code)s: the update for %(period)s is submitted for approval.") % {
            "code": code,
            "period": period,
        }
    return _("%(code)s: draft saved.") % {"code": code}


@staff_only
@require_http_methods(["POST"])
def update_autosave(request: HttpRequest, action_id: int, period_id: int) -> HttpResponse:
    """Saving as they go (htmx, on each change): a draft save that answers with a short status line and the new
    lock version (out of band). Evidence links are only added by the explicit buttons."""
    action, period = _action_and_period(action_id, period_id)
    _require(request, "plans.write_update", action)
    if period.plan_id != action.plan_id:
        raise PermissionDenied
    today = timezone.localdate()
    card = selectors.update_card(action, period, today)
    if not request.htmx:
        return redirect("staff:update-card", action_id=action.pk, period_id=period.pk)
    statuses = list(action.plan.statuses.order_by("order", "pk"))
    form = _card_form(card, statuses, request.POST)
    context: dict[str, Any] = {"card": card, "form": form, "update": None, "problem": ""}
    if not form.is_valid():
        context["problem"] = _("Not saved yet: check the highlighted fields, then press Save draft.")
    else:
        try:
            context["update"] = services.save_update_draft(
                action=action,
                period=period,
                user=request.user,
                data=form.content(),
                expected_version=form.cleaned_data["lock_version"] or 0,
                today=today,
                with_evidence=False,
            )
        except services.EditConflict:
            context["problem"] = _(
                "Not saved: someone else changed this update. Press Save draft to compare the two versions."
            )
        except ValidationError as error:
            context["problem"] = " ".join(error.messages)
    return render(request, "plans/staff/updates/_autosave.html", context)


# --- Review -------------------------------------------------------------------------------------------------------


def _review_page(
    request: HttpRequest,
    plan: Plan,
    period: ReportingPeriod,
    *,
    bound: dict[int, dict[str, Any]] | None = None,
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    rows, total = selectors.completeness(period, today)
    queue = []
    for waiting in selectors.updates_waiting_review(plan, period=period):
        update = waiting.update
        forms = (bound or {}).get(update.pk) or {
            "approve": ApproveUpdateForm(
                prefix=f"a{update.pk}",
                initial={"narrative_es": update.narrative_es, "lock_version": update.lock_version},
            ),
            "send_back": SendBackForm(prefix=f"r{update.pk}", initial={"lock_version": update.lock_version}),
        }
        queue.append({"waiting": waiting, **forms})
    return render(
        request,
        "plans/staff/updates/review.html",
        {
            "plan": plan,
            "period": period,
            "period_state": selectors.period_state(period, today),
            "today": today,
            "periods": selectors.periods_of(plan),
            "rows": rows,
            "total": total,
            "queue": queue,
            "late": selectors.late_updates(plan, today, period=period),
            "other_waiting": len(selectors.updates_waiting_review(plan)) - len(queue),
        },
        status=status,
    )


@staff_only
@require_http_methods(["GET"])
def review(request: HttpRequest, plan_id: int, period_id: int) -> HttpResponse:
    plan = _plan(plan_id)
    _require(request, "plans.review_update", plan)
    period = get_object_or_404(ReportingPeriod, pk=period_id, plan=plan)
    return _review_page(request, plan, period)


def _review_target(request: HttpRequest, update_id: int) -> ProgressUpdate:
    update = get_object_or_404(
        ProgressUpdate.objects.select_related(
            "period", "period__plan", "period__plan__organization", "action"
        ),
        pk=update_id,
    )
    _require(request, "plans.review_update", update)
    return update


def _after_review(
    request: HttpRequest, update: ProgressUpdate, forms: dict[str, Any], action: Any
) -> HttpResponse:
    form = forms["approve"] if "approve" in forms and forms["approve"].is_bound else forms["send_back"]
    if form.is_valid():
        try:
            action(form)
        except services.EditConflict:
            messages.error(
                request,
                _("%(code)s: the update changed while you were reviewing it. Read it again before deciding.")
                % {"code": update.action.code},
            )
            return redirect("staff:update-review", plan_id=update.period.plan_id, period_id=update.period_id)
        except ValidationError as error:
            _apply_validation_error(form, error)
        else:
            return redirect("staff:update-review", plan_id=update.period.plan_id, period_id=update.period_id)
    return _review_page(request, update.period.plan, update.period, bound={update.pk: forms}, status=400)


@staff_only
@require_http_methods(["POST"])
def update_approve(request: HttpRequest, update_id: int) -> HttpResponse:
    update = _review_target(request, update_id)
    forms = {
        "approve": ApproveUpdateForm(request.POST, prefix=f"a{update.pk}"),
        "send_back": SendBackForm(prefix=f"r{update.pk}", initial={"lock_version": update.lock_version}),
    }

    def approve(form: ApproveUpdateForm) -> None:
        services.approve_update(
            update=update,
            user=request.user,
            narrative_es=form.cleaned_data["narrative_es"],
            expected_version=form.cleaned_data["lock_version"],
        )
        messages.success(request, _("%(code)s: approved and published.") % {"code": update.action.code})

    return _after_review(request, update, forms, approve)


@staff_only
@require_http_methods(["POST"])
def update_send_back(request: HttpRequest, update_id: int) -> HttpResponse:
    update = _review_target(request, update_id)
    forms = {
        "approve": ApproveUpdateForm(
            prefix=f"a{update.pk}",
            initial={"narrative_es": update.narrative_es, "lock_version": update.lock_version},
        ),
        "send_back": SendBackForm(request.POST, prefix=f"r{update.pk}"),
    }

    def send_back(form: SendBackForm) -> None:
        services.send_back_update(
            update=update,
            user=request.user,
            comment=form.cleaned_data["comment"],
            expected_version=form.cleaned_data["lock_version"],
        )
        messages.success(request, _("%(code)s: sent back to its owner.") % {"code": update.action.code})

    return _after_review(request, update, forms, send_back)
