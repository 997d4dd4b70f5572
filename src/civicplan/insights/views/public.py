"""The public "You said, we did" page (namespace `voice`): the strongest themes of what residents said, by
channel, and what the adopted plan does about each with its progress. Quotes only when staff published them."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from civicplan.insights import selectors
from civicplan.plans import selectors as plan_selectors


@require_GET
def you_said_we_did(request: HttpRequest) -> HttpResponse:
    public_plan = plan_selectors.public_plan()
    version = plan_selectors.public_version()
    themes = (
        selectors.you_said_we_did(version.plan, public_plan, language=(get_language() or "en")[:2])
        if version is not None
        else []
    )
    return render(request, "insights/you_said.html", {"plan": public_plan, "themes": themes})


urlpatterns = [path("you-said-we-did/", you_said_we_did, name="you-said")]
