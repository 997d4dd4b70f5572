"""The public StratML download (namespace `reporting`): `plan.stratml.xml?part=1|2&type=...&lang=en|es`, the
adopted plan as StratML. Only what the public pages show; drafts never leave."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from civicplan.plans import selectors as plan_selectors
from civicplan.reports import stratml


@require_GET
def stratml_download(request: HttpRequest) -> HttpResponse:
    """Part 1 by default; Part 2 is a performance report unless `type=Performance_Plan`. The language is the
    page's (`/es/...`) unless `lang` says otherwise."""
    lang = request.GET.get("lang") or (get_language() or "en")[:2]
    part = request.GET.get("part", "1")
    doc_type = request.GET.get("type", "Performance_Report" if part == "2" else "Performance_Plan")
    if lang not in stratml.LANGUAGES or part not in ("1", "2") or doc_type not in stratml.TYPES:
        return HttpResponseBadRequest(
            _("Use part=1 or 2, type=Performance_Plan or Performance_Report, and lang=en or es."),
            content_type="text/plain; charset=utf-8",
        )
    # Kept per content generation (every public change bumps it) and day (values' statuses move with the date).
    key = f"stratml:{plan_selectors.public_generation()}:{timezone.localdate()}:{part}:{doc_type}:{lang}"
    data = cache.get(key)
    if data is None:
        source = settings.SITE_URL + reverse("web:home")
        try:
            data = stratml.export_stratml(part=int(part), doc_type=doc_type, lang=lang, source=source)
        except stratml.NoAdoptedPlan:
            raise Http404 from None
        cache.set(key, data)
    response = HttpResponse(data, content_type=stratml.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="plan-stratml-part{part}-{lang}.xml"'
    response["Cache-Control"] = "public, max-age=60"
    return response


urlpatterns: list[URLPattern] = [
    path("plan.stratml.xml", stratml_download, name="stratml"),
]
