"""Pages for residents (namespace `surveys`): the open surveys, the questionnaire, the thank-you page, published
results, the employee survey through a one-time link, and the event kiosk."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods

from civicplan.engagement import results_view, selectors, services
from civicplan.engagement.models import Audience, Survey
from civicplan.engagement.views.runner import Door, run_survey, seconds_since

KIOSK_COOKIE = "civicplan_kiosk"


def _language() -> str:
    return (get_language() or "en")[:2]


def _address(request: HttpRequest) -> str:
    # REMOTE_ADDR is the proxy's address behind one; settings.BEHIND_TLS_PROXY makes the middleware set it right.
    return str(request.META.get("REMOTE_ADDR", ""))


def current_kiosk(request: HttpRequest) -> Any:
    return services.kiosk_for(request.get_signed_cookie(KIOSK_COOKIE, default="", salt="kiosk") or "")


@require_http_methods(["GET"])
def survey_list(request: HttpRequest) -> HttpResponse:
    surveys = list(selectors.public_surveys().select_related("plan"))
    return render(
        request,
        "engagement/public/list.html",
        {
            "open_surveys": [s for s in surveys if s.is_open],
            "results": [s for s in surveys if s.state == "published"],
        },
    )


@require_http_methods(["GET", "POST"])
def take(request: HttpRequest, slug: str) -> HttpResponse:
    survey = get_object_or_404(selectors.public_surveys(), slug=slug)
    if not survey.is_open:
        return render(request, "engagement/public/closed.html", {"survey": survey}, status=410)
    kiosk = current_kiosk(request)

    def submit(request: HttpRequest, answers: dict[str, Any], draft: dict[str, Any]) -> Any:
        contact = None
        if request.POST.get("follow_up") == "yes":
            contact = {
                "email": request.POST.get("email", "").strip()[:254],
                "name": request.POST.get("name", "")[:200],
            }
        return services.submit_public_response(
            survey=survey,
            answers=answers,
            language=_language(),
            address=_address(request),
            idempotency_key=str(draft["key"]),
            seconds_taken=seconds_since(draft),
            honeypot=request.POST.get("website", ""),
            kiosk=kiosk,
            contact=contact,
        )

    door = Door(
        session_key=f"survey:{survey.pk}",
        submit=submit,
        done_url=reverse("surveys:thanks", args=[survey.slug]),
        here_url=reverse("surveys:take", args=[survey.slug]),
        kiosk=kiosk is not None,
    )
    return run_survey(request, survey, door)


@require_http_methods(["GET"])
def thanks(request: HttpRequest, slug: str) -> HttpResponse:
    survey = get_object_or_404(Survey.objects.exclude(state="draft"), slug=slug)
    return render(
        request, "engagement/public/thanks.html", {"survey": survey, "kiosk": current_kiosk(request)}
    )


@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """The employee survey through a one-time link. The link's secret is only checked, never stored."""
    survey = get_object_or_404(Survey, slug=slug, audience=Audience.EMPLOYEE, archived_at__isnull=True)
    if not survey.is_open:
        return render(request, "engagement/public/closed.html", {"survey": survey}, status=410)
    if services.invite_for(survey, token) is None:
        return render(request, "engagement/public/invite_used.html", {"survey": survey}, status=403)

    def submit(request: HttpRequest, answers: dict[str, Any], draft: dict[str, Any]) -> Any:
        return services.submit_employee_response(
            survey=survey, token=token, answers=answers, language=_language()
        )

    door = Door(
        session_key=f"invite:{survey.pk}",
        submit=submit,
        done_url=reverse("surveys:thanks", args=[survey.slug]),
        here_url=reverse("surveys:invitation", args=[survey.slug, token]),
        public=False,
    )
    response = run_survey(request, survey, door)
    response["Referrer-Policy"] = "no-referrer"  # the link's secret must not travel in a Referer header
    return response


@require_http_methods(["GET"])
def results(request: HttpRequest, slug: str) -> HttpResponse:
    survey = get_object_or_404(selectors.published_results_surveys(), slug=slug)
    results = results_view.survey_results(survey, request.GET, public=True)
    return render(request, "engagement/public/results.html", {"survey": survey, "results": results})


@require_http_methods(["GET", "POST"])
def kiosk(request: HttpRequest) -> HttpResponse:
    """The event tablet's home: take a survey or leave a comment. Only on a registered device."""
    device = current_kiosk(request)
    if device is None:
        raise Http404
    error = ""
    text = ""
    if request.method == "POST":
        text = request.POST.get("text", "")
        try:
            services.add_kiosk_comment(
                kiosk=device, text=text, language=_language(), topic=request.POST.get("topic", "")[:120]
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            return redirect(reverse("surveys:kiosk") + "?sent=1")
    surveys = [s for s in selectors.public_surveys().filter(plan=device.plan) if s.is_open]
    return render(
        request,
        "engagement/public/kiosk.html",
        {"kiosk": device, "surveys": surveys, "error": error, "text": text, "sent": request.GET.get("sent")},
        status=400 if error else 200,
    )


urlpatterns = [
    path("surveys/", survey_list, name="list"),
    path("surveys/kiosk/", kiosk, name="kiosk"),
    path("surveys/<slug:slug>/", take, name="take"),
    path("surveys/<slug:slug>/thanks/", thanks, name="thanks"),
    path("surveys/<slug:slug>/results/", results, name="results"),
    path("surveys/<slug:slug>/invitation/<str:token>/", invitation, name="invitation"),
]
