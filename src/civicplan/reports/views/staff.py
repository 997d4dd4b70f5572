"""Staff report pages (namespace `reports`, under /staff/reports/): choose a report, read it as a page in the
chosen language, download it as XLSX at once, or have a PDF prepared in the background and follow its progress.
Every person with a plan role reads reports (as they read the dashboards); a build belongs to whoever asked."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from civicplan.core.access import require, signed_in_with
from civicplan.plans import selectors as plan_selectors
from civicplan.reports import exporters, report_data, selectors, services
from civicplan.reports.models import BuildState, ReportBuild

report_reader = signed_in_with("reports.view_reports")
REFRESH_SECONDS = 3


def _choice(value: str | None, allowed: tuple[str, ...], default: str) -> str:
    return value if value in allowed else default


def _language(request: HttpRequest) -> str:
    current = (translation.get_language() or "en")[:2]
    return _choice(request.GET.get("lang") or request.POST.get("lang"), report_data.LANGUAGES, current)


def _period_choices() -> dict[str, list[report_data.ReportPeriod]]:
    version = plan_selectors.public_version()
    if version is None:
        return {}
    plan = version.plan
    month = plan.organization.fiscal_year_start_month
    return {
        "years": report_data.period_choices(report_data.ANNUAL, plan.start_fiscal_year, plan.years, month),
        "quarters": report_data.period_choices(
            report_data.QUARTERLY_KIND, plan.start_fiscal_year, plan.years, month
        ),
    }


def _query(kind: str, period: str, language: str, fmt: str) -> str:
    return urlencode({"kind": kind, "period": period, "lang": language, "format": fmt})


@report_reader
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Choose the report, its period, its language and its format; the person's recent PDF builds."""
    today = timezone.localdate()
    version = plan_selectors.public_version()
    month = version.plan.organization.fiscal_year_start_month if version else 7
    return render(
        request,
        "reports/staff/index.html",
        {
            "kinds": [(kind, report_data.kind_label(kind)) for kind in report_data.KINDS],
            "choices": _period_choices(),
            "current_year": report_data.default_period(report_data.ANNUAL, today, month).key,
            # The council packet reports on the quarter that has ended, not the one under way.
            "current_quarter": report_data.default_period(
                report_data.QUARTERLY_KIND,
                report_data.default_period(report_data.QUARTERLY_KIND, today, month).start
                - dt.timedelta(days=1),
                month,
            ).key,
            "language": (translation.get_language() or "en")[:2],
            "builds": selectors.recent_builds(request.user),
            "has_plan": version is not None,
        },
    )


@report_reader
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    """The report as a page (`format=html`, in `lang`) or a spreadsheet (`format=xlsx`). A PDF is prepared in the
    background: `format=pdf` leads to the index, where the form asks for it."""
    kind = _choice(request.GET.get("kind"), report_data.KINDS, report_data.ANNUAL)
    fmt = _choice(request.GET.get("format"), ("html", "xlsx", "pdf"), "html")
    language = _language(request)
    if fmt == "pdf":
        return redirect("reports:index")
    try:
        data = report_data.build_report(kind, request.GET.get("period") or None, language)
    except report_data.ReportError as error:
        return render(request, "reports/staff/problem.html", {"message": str(error)}, status=400)
    if fmt == "xlsx":
        response = HttpResponse(exporters.write_xlsx(data), content_type=exporters.CONTENT_TYPES["xlsx"])
        response["Content-Disposition"] = f'attachment; filename="{exporters.filename(data, "xlsx")}"'
        return response
    with translation.override(language):
        context: dict[str, Any] = {
            **exporters.context(data),
            "xlsx_url": reverse("reports:report") + "?" + _query(kind, data.period.key, language, "xlsx"),
        }
        return render(request, "reports/staff/report.html", context)


@report_reader
@require_POST
def build_start(request: HttpRequest) -> HttpResponse:
    """The index form: HTML and XLSX go straight to the report; a PDF is queued and its progress page follows."""
    kind = _choice(request.POST.get("kind"), report_data.KINDS, report_data.ANNUAL)
    fmt = _choice(request.POST.get("format"), ("html", "xlsx", "pdf"), "html")
    language = _language(request)
    period = (request.POST.get("period") or "").strip()
    version = plan_selectors.public_version()
    if version is None:
        messages.error(request, _("There is no adopted plan to report on yet."))
        return redirect("reports:index")
    month = version.plan.organization.fiscal_year_start_month
    try:
        chosen = (
            report_data.parse_report_period(kind, period, month)
            if period
            else report_data.default_period(kind, timezone.localdate(), month)
        )
    except report_data.ReportError as error:
        messages.error(request, str(error))
        return redirect("reports:index")
    if fmt not in services.BACKGROUND_FORMATS:
        return redirect(reverse("reports:report") + "?" + _query(kind, chosen.key, language, fmt))
    build = services.request_build(
        user=request.user, kind=kind, period=chosen.key, language=language, fmt=fmt
    )
    return redirect("reports:build", build_id=build.pk)


def _build_for(request: HttpRequest, build_id: int) -> ReportBuild:
    build = get_object_or_404(ReportBuild, pk=build_id)
    require(request, "reports.view_build", build)
    return build


@report_reader
@require_GET
def build(request: HttpRequest, build_id: int) -> HttpResponse:
    """How far the build got. Refreshes itself until it is finished: htmx polls the status block, and a
    `<meta http-equiv="refresh">` (plus a Refresh link) does the same without JavaScript."""
    item = _build_for(request, build_id)
    template = (
        "reports/staff/_build_status.html"
        if request.headers.get("HX-Request")
        else "reports/staff/build.html"
    )
    return render(
        request,
        template,
        {
            "build": item,
            "kind_label": report_data.kind_label(item.kind) if item.kind in report_data.KINDS else item.kind,
            "refresh": None if item.is_finished else REFRESH_SECONDS,
            "states": BuildState,
        },
    )


@report_reader
@require_GET
def download(request: HttpRequest, build_id: int) -> HttpResponse:
    item = _build_for(request, build_id)
    if item.state != BuildState.DONE or not item.file:
        raise Http404
    content_type = exporters.CONTENT_TYPES.get(item.fmt, "application/octet-stream")
    return FileResponse(
        item.file.open("rb"), as_attachment=True, filename=item.filename, content_type=content_type
    )


urlpatterns: list[URLPattern] = [
    path("", index, name="index"),
    path("report/", report, name="report"),
    path("prepare/", build_start, name="build-start"),
    path("builds/<int:build_id>/", build, name="build"),
    path("builds/<int:build_id>/download/", download, name="download"),
]
