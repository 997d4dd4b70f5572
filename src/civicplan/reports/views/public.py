"""The residents' annual report card (namespace `reporting`): actions by status per priority and goal, indicators
against targets and the adopted budget, for a fiscal year (`?year=FY2026`), in the page's language. Built from the
adopted plan and published data only, like every public page."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone, translation
from django.views.decorators.http import require_GET

from civicplan.core.cache import cached_public_page
from civicplan.reports import exporters, report_data


@cached_public_page
@require_GET
def report_card(request: HttpRequest) -> HttpResponse:
    language = (translation.get_language() or "en")[:2]
    if language not in report_data.LANGUAGES:
        language = "en"
    try:
        data = report_data.build_report(report_data.ANNUAL, request.GET.get("year") or None, language)
    except report_data.ReportError:
        raise Http404 from None
    context = {**exporters.context(data), "today": timezone.localdate()}
    return render(request, "reports/public/report_card.html", context)


urlpatterns: list[URLPattern] = [
    path("report-card/", report_card, name="report-card"),
]
