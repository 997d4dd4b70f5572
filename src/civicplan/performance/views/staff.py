"""Staff pages for indicators. Each view checks the person's permission on the object, then calls a service."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from civicplan.accounts.models import Department
from civicplan.core.access import require, signed_in_with
from civicplan.core.forms import add_validation_error
from civicplan.performance import selectors, services
from civicplan.performance.display import formatter_for, indicator_chart
from civicplan.performance.forms import IndicatorForm, MeasurementForm, ReasonForm, TargetForm
from civicplan.performance.models import Indicator, Measurement
from civicplan.performance.status import ORDER
from civicplan.plans import selectors as plan_selectors

View = Callable[..., HttpResponse]


# Signed in with a plan role. Object permissions are checked inside each view.
indicator_reader = signed_in_with("performance.view_indicator")
_require = require


def _indicator(indicator_id: int) -> Indicator:
    return get_object_or_404(Indicator.objects.select_related("plan__organization"), pk=indicator_id)


_apply_validation_error = add_validation_error


def _today() -> dt.date:
    return timezone.localdate()


@indicator_reader
@require_http_methods(["GET"])
def indicator_list(request: HttpRequest) -> HttpResponse:
    plan = plan_selectors.current_plan()
    if plan is None:
        raise Http404
    departments = list(Department.objects.filter(organization_id=plan.organization_id))
    raw_department = request.GET.get("department", "")
    department_id = int(raw_department) if raw_department.isdigit() else None
    if department_id not in {d.pk for d in departments}:
        department_id = None
    status = request.GET.get("status", "")
    if status not in {str(s) for s in ORDER}:
        status = ""
    state = request.GET.get("state", "")
    published = {"published": True, "draft": False}.get(state)
    archived = state == "archived"
    rows = selectors.staff_indicators(
        plan,
        today=_today(),
        department_id=department_id,
        status=status or None,
        published=published,
        archived=archived,
    )
    return render(
        request,
        "performance/staff/list.html",
        {
            "plan": plan,
            "rows": rows,
            "departments": departments,
            "department_id": department_id,
            "statuses": [(str(s), s.label) for s in ORDER],
            "status": status,
            "state": state,
            "counts": selectors.status_counts(rows),
            "can_manage": request.user.has_perm("performance.manage_indicator", plan),
        },
    )


@indicator_reader
@require_http_methods(["GET"])
def indicator_detail(request: HttpRequest, indicator_id: int) -> HttpResponse:
    detail = selectors.indicator_detail(indicator_id, today=_today())
    if detail is None:
        raise Http404
    indicator = detail.indicator
    row = detail.row
    return render(
        request,
        "performance/staff/detail.html",
        {
            "plan": indicator.plan,
            "indicator": indicator,
            "detail": detail,
            "row": row,
            "chart": indicator_chart(
                row, chart_id=f"indicator-{indicator.pk}", versions=detail.target_versions
            ),
            "can_manage": request.user.has_perm("performance.manage_indicator", indicator),
            "can_enter": request.user.has_perm("performance.enter_measurement", indicator),
        },
    )


def _save_links(form: IndicatorForm, indicator: Indicator, user: Any, reason: str) -> None:
    current = {item.pk for item in indicator.items.all()}
    chosen = list(form.cleaned_data["items"])
    if {item.pk for item in chosen} != current:
        services.set_indicator_links(indicator=indicator, user=user, items=chosen, reason=reason)


@indicator_reader
@require_http_methods(["GET", "POST"])
def indicator_new(request: HttpRequest) -> HttpResponse:
    plan = plan_selectors.current_plan()
    if plan is None:
        raise Http404
    _require(request, "performance.manage_indicator", plan)
    form = IndicatorForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            indicator = services.create_indicator(
                plan=plan, user=request.user, data=form.definition(), reason=form.cleaned_data["reason"]
            )
            if form.cleaned_data["items"]:
                services.set_indicator_links(
                    indicator=indicator, user=request.user, items=list(form.cleaned_data["items"])
                )
        except ValidationError as error:
            _apply_validation_error(form, error)
        else:
            messages.success(request, _("The indicator was created as a draft."))
            return redirect("indicators:detail", indicator_id=indicator.pk)
    return render(request, "performance/staff/form.html", {"plan": plan, "form": form, "indicator": None})


@indicator_reader
@require_http_methods(["GET", "POST"])
def indicator_edit(request: HttpRequest, indicator_id: int) -> HttpResponse:
    indicator = _indicator(indicator_id)
    _require(request, "performance.manage_indicator", indicator)
    form = IndicatorForm(request.POST or None, instance=indicator, plan=indicator.plan)
    conflict = None
    if request.method == "POST" and form.is_valid():
        expected = form.cleaned_data["lock_version"] or indicator.lock_version
        try:
            saved = services.update_indicator(
                indicator=Indicator.objects.get(pk=indicator.pk),
                user=request.user,
                data=form.definition(),
                expected_version=expected,
                reason=form.cleaned_data["reason"],
            )
            _save_links(form, saved, request.user, form.cleaned_data["reason"])
        except services.EditConflict as error:
            conflict = error.current
            form.data = form.data.copy()
            form.data["lock_version"] = str(conflict.lock_version)
        except ValidationError as error:
            _apply_validation_error(form, error)
        else:
            messages.success(request, _("The indicator was saved."))
            return redirect("indicators:detail", indicator_id=indicator.pk)
    return render(
        request,
        "performance/staff/form.html",
        {"plan": indicator.plan, "form": form, "indicator": indicator, "conflict": conflict},
        status=409 if conflict else 200,
    )


@indicator_reader
@require_http_methods(["GET", "POST"])
def target_edit(request: HttpRequest, indicator_id: int) -> HttpResponse:
    indicator = _indicator(indicator_id)
    _require(request, "performance.manage_indicator", indicator)
    month = indicator.plan.organization.fiscal_year_start_month
    initial: dict[str, Any] = {}
    year_param = request.GET.get("year", "")
    if year_param.isdigit():
        initial["fiscal_year"] = int(year_param)
        existing = indicator.targets.filter(fiscal_year=int(year_param)).first()
        if existing:
            initial.update(value=existing.value, band_low=existing.band_low, band_high=existing.band_high)
    else:
        from civicplan.lib.fiscal import fiscal_year_of

        initial["fiscal_year"] = fiscal_year_of(_today(), month)
    form = TargetForm(request.POST or None, indicator=indicator, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.set_target(
                indicator=indicator,
                user=request.user,
                fiscal_year=data["fiscal_year"],
                value=data.get("value"),
                band_low=data.get("band_low"),
                band_high=data.get("band_high"),
                reason=data["reason"],
            )
        except ValidationError as error:
            _apply_validation_error(form, error)
        else:
            messages.success(request, _("The target was saved."))
            return redirect("indicators:detail", indicator_id=indicator.pk)
    return render(
        request,
        "performance/staff/target.html",
        {
            "plan": indicator.plan,
            "indicator": indicator,
            "form": form,
            "targets": list(indicator.targets.all()),
        },
    )


@indicator_reader
@require_http_methods(["GET", "POST"])
def measurement_enter(request: HttpRequest, indicator_id: int) -> HttpResponse:
    """The quick form: pre-selects the latest due period. When the period already has a value, the form shows it
    and asks to confirm replacing it; nothing is overwritten without that confirmation."""
    indicator = _indicator(indicator_id)
    _require(request, "performance.enter_measurement", indicator)
    today = _today()
    fmt = formatter_for(indicator)
    due = selectors.due_period_for(indicator, today)
    form = MeasurementForm(
        request.POST or None, indicator=indicator, today=today, due=due, period_name=fmt.period
    )
    existing: Measurement | None = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_measurement(
                indicator=indicator,
                user=request.user,
                period=data["period"],
                value=data["value"],
                breakdown=form.breakdown(),
                note=data["note"],
                replace=bool(data["replace"]) and request.POST.get("confirm") == "replace",
                today=today,
            )
        except services.MeasurementExists as error:
            existing = error.existing
            form.data = form.data.copy()
            form.data["replace"] = "on"
        except ValidationError as error:
            _apply_validation_error(form, error)
        else:
            messages.success(request, _("The value was saved."))
            return redirect("indicators:detail", indicator_id=indicator.pk)
    return render(
        request,
        "performance/staff/enter.html",
        {
            "plan": indicator.plan,
            "indicator": indicator,
            "form": form,
            "existing": existing,
            "existing_value": fmt.amount(existing.value) if existing else "",
            "existing_period": fmt.period(existing.period_start) if existing else "",
            "due_label": fmt.period(due),
            "unit": indicator.localized("unit"),
        },
        status=409 if existing else 200,
    )


@indicator_reader
@require_http_methods(["POST"])
def indicator_publish(request: HttpRequest, indicator_id: int) -> HttpResponse:
    indicator = _indicator(indicator_id)
    _require(request, "performance.manage_indicator", indicator)
    try:
        services.publish_indicator(indicator=indicator, user=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The indicator is now on the public site."))
    return redirect("indicators:detail", indicator_id=indicator.pk)


@indicator_reader
@require_http_methods(["POST"])
def indicator_unpublish(request: HttpRequest, indicator_id: int) -> HttpResponse:
    indicator = _indicator(indicator_id)
    _require(request, "performance.manage_indicator", indicator)
    services.unpublish_indicator(indicator=indicator, user=request.user)
    messages.success(request, _("The indicator was taken off the public site."))
    return redirect("indicators:detail", indicator_id=indicator.pk)


def _reason_page(request: HttpRequest, indicator_id: int, *, restore: bool) -> HttpResponse:
    indicator = _indicator(indicator_id)
    _require(request, "performance.manage_indicator", indicator)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        action = services.restore_indicator if restore else services.archive_indicator
        try:
            action(indicator=indicator, user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _("The indicator was restored as a draft.") if restore else _("The indicator was archived."),
            )
            return redirect("indicators:detail", indicator_id=indicator.pk)
    return render(
        request,
        "performance/staff/reason.html",
        {"plan": indicator.plan, "indicator": indicator, "form": form, "restore": restore},
    )


@indicator_reader
@require_http_methods(["GET", "POST"])
def indicator_archive(request: HttpRequest, indicator_id: int) -> HttpResponse:
    return _reason_page(request, indicator_id, restore=False)


@indicator_reader
@require_http_methods(["GET", "POST"])
def indicator_restore(request: HttpRequest, indicator_id: int) -> HttpResponse:
    return _reason_page(request, indicator_id, restore=True)


@indicator_reader
@require_http_methods(["POST"])
def measurement_verify(request: HttpRequest, measurement_id: int) -> HttpResponse:
    measurement = get_object_or_404(Measurement.objects.select_related("indicator"), pk=measurement_id)
    _require(request, "performance.manage_indicator", measurement.indicator)
    verified = request.POST.get("verified") != "0"
    services.set_measurement_verified(measurement=measurement, user=request.user, verified=verified)
    messages.success(
        request,
        _("The value is marked verified.") if verified else _("The value is no longer marked verified."),
    )
    return redirect("indicators:detail", indicator_id=measurement.indicator_id)
