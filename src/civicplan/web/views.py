"""The site shell: the public home page, health check and error pages."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from civicplan.core.cache import cached_public_page
from civicplan.performance import selectors as performance_selectors
from civicplan.plans import selectors as plan_selectors

HOME_CHANGES_SHOWN = 5  # per list; the "what changed" page has them all


@cached_public_page
def home(request: HttpRequest) -> HttpResponse:
    plan = plan_selectors.public_plan()
    changes = plan_selectors.quarter_changes(plan)
    actions = plan.actions() if plan else []
    by_status = Counter(action.status for action in actions if action.status)
    # Overall progress: every action counts the same; an action with nothing reported yet is left out (the status
    # counts beside it show how many those are), as the plan's roll-up does.
    reported = [action.progress for action in actions if action.progress is not None]
    overall = sum(reported, Decimal(0)) / len(reported) if reported else None
    measured = (
        performance_selectors.public_indicators_measured_between(
            plan.version.plan_id, changes.period.starts_on, changes.period.ends_on
        )
        if plan and changes
        else []
    )
    return render(
        request,
        "web/home.html",
        {
            "plan": plan,
            "changes": changes,
            "changes_shown": HOME_CHANGES_SHOWN,
            "measured": measured,
            "action_count": len(actions),
            "overall_progress": overall,
            "actions_by_status": sorted(by_status.items(), key=lambda pair: (pair[0].order, pair[0].pk)),
        },
    )


def health(request: HttpRequest) -> HttpResponse:
    """A trivial view: the health check, and the baseline the benchmarks compare public pages with."""
    return HttpResponse("ok", content_type="text/plain")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "web/error.html", {"code": 404}, status=404)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "web/error.html", {"code": 403}, status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "web/error.html", {"code": 500}, status=500)


def switch_language(request: HttpRequest, language: str) -> HttpResponse:
    """Remember the reader's language in a cookie and go to the same page in that language.
    A GET link rather than Django's POST form: public pages stay cacheable and carry no CSRF token."""
    from django.conf import settings
    from django.http import HttpResponseRedirect
    from django.utils.http import url_has_allowed_host_and_scheme

    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        target = f"/{language}/"
    response = HttpResponseRedirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        httponly=True,
    )
    return response
