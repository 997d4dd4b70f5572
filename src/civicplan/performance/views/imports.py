"""Staff pages for measurement files: upload, preview (nothing written), import (all or nothing), the CSV
template and the export. Each view checks the person's permission, then calls a service."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from civicplan.core.access import require, signed_in_with
from civicplan.core.forms import UswdsFormMixin, read_upload
from civicplan.performance import exporters
from civicplan.performance.importers.measurements import MeasurementFileInvalid, read_measurement_file
from civicplan.performance.models import Indicator
from civicplan.performance.services import (
    MEASUREMENTS_PURPOSE,
    MeasurementImportRefused,
    confirm_measurement_import,
    hold_measurement_file,
    preview_measurement_file,
)
from civicplan.plans.models import PendingImport, Plan
from civicplan.plans.selectors import current_plan


class MeasurementFileForm(UswdsFormMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Measurement file"),
        help_text=gettext_lazy(
            "CSV or Excel workbook (.xlsx) with the columns indicator, period, value, and optionally note, "
            "verified and breakdown:<category>. Periods look like 2026-03, FY 2025-26 Q3 or FY 2025-26."
        ),
    )
    replace = forms.BooleanField(
        label=gettext_lazy("Replace existing values"),
        required=False,
        help_text=gettext_lazy(
            "Without this, a period that already has a different value is an error and nothing is imported."
        ),
    )


def _plan() -> Plan:
    plan = current_plan()
    if plan is None:
        raise Http404
    return plan


def _after_import_url() -> str:
    try:
        return reverse("indicators:list")
    except NoReverseMatch:  # the indicator pages are not there: back to the upload page
        return reverse("indicators:import")


@signed_in_with("plans.view_draft")
def upload(request: HttpRequest) -> HttpResponse:
    require(request, "performance.import_measurements")
    plan = _plan()
    form = MeasurementFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = read_upload(form)
        if data is not None:
            # A file that cannot be read at all is refused here; row problems are shown on the preview.
            try:
                read_measurement_file(upload.name, data)
            except MeasurementFileInvalid as error:
                form.add_error("file", " ".join(problem.message for problem in error.errors))
            else:
                pending = hold_measurement_file(user=request.user, filename=upload.name, data=data)
                url = reverse("indicators:import-preview", kwargs={"token": pending.token})
                return redirect(f"{url}?replace=1" if form.cleaned_data["replace"] else url)
    return render(
        request,
        "performance/staff/imports/upload.html",
        {"form": form, "plan": plan},
        status=400 if request.method == "POST" else 200,
    )


@signed_in_with("plans.view_draft")
def preview(request: HttpRequest, token: str) -> HttpResponse:
    require(request, "performance.import_measurements")
    pending = PendingImport.objects.filter(token=token, purpose=MEASUREMENTS_PURPOSE).first()
    if pending is None:
        raise Http404
    if pending.created_by_id != request.user.pk:
        raise PermissionDenied
    plan = _plan()
    replace = (request.POST if request.method == "POST" else request.GET).get("replace") == "1"
    if request.method == "POST":
        try:
            result = confirm_measurement_import(
                pending=pending, plan=plan, user=request.user, replace=replace
            )
        except MeasurementImportRefused as refused:  # the data changed since the preview
            return _render_preview(request, pending, refused.preview, status=400)
        if result is None:  # a second click on the same button
            messages.info(request, _("This file was already imported."))
        else:
            messages.success(
                request,
                _("Imported %(written)s values from %(name)s (%(unchanged)s were already there).")
                % {"written": result.to_write, "name": result.filename, "unchanged": result.unchanged},
            )
        return redirect(_after_import_url())
    result = preview_measurement_file(
        plan=plan, user=request.user, filename=pending.filename, data=bytes(pending.content), replace=replace
    )
    return _render_preview(request, pending, result)


def _render_preview(
    request: HttpRequest, pending: PendingImport, result: object, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "performance/staff/imports/preview.html",
        {"pending": pending, "preview": result},
        status=status,
    )


@signed_in_with("plans.view_draft")
@require_http_methods(["GET"])
def template(request: HttpRequest) -> HttpResponse:
    require(request, "performance.import_measurements")
    plan = _plan()
    indicators = [
        indicator
        for indicator in Indicator.objects.filter(plan=plan, archived_at__isnull=True).order_by("key")
        if request.user.has_perm("performance.enter_measurement", indicator)
    ]
    data = exporters.measurement_template(plan, indicators, today=timezone.localdate())
    response = HttpResponse(data, content_type=exporters.CONTENT_TYPES["csv"])
    response["Content-Disposition"] = 'attachment; filename="measurements-template.csv"'
    return response


@signed_in_with("plans.view_draft")
@require_http_methods(["GET"])
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    require(request, "performance.view_indicator")
    if fmt not in exporters.CONTENT_TYPES:
        raise Http404
    plan = _plan()
    response = HttpResponse(
        exporters.export_measurements(plan, fmt), content_type=exporters.CONTENT_TYPES[fmt]
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="measurements-{plan.pk}-{stamp}.{fmt}"'
    return response
