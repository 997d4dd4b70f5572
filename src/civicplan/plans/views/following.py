"""Following a goal by e-mail (public, not cached: these pages carry a CSRF token or a secret in the address).
The goal page itself stays cached and only links here."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from civicplan.plans import selectors, services
from civicplan.plans.forms.following import FollowForm
from civicplan.plans.models import Level, PlanItem


def _public_goal(code: str) -> tuple[selectors.PublicPlan, selectors.PublicNode, PlanItem]:
    """Only goals of the adopted version can be followed: a draft goal is a 404, like its page."""
    plan = selectors.public_plan()
    node = plan.by_code.get(code) if plan else None
    if plan is None or node is None or node.level != Level.GOAL:
        raise Http404
    item = PlanItem.objects.filter(pk=node.id, archived_at__isnull=True).first()
    if item is None:
        raise Http404
    return plan, node, item


def _no_referrer(response: HttpResponse) -> HttpResponse:
    """The link's secret must not travel to another site in a Referer header. `same-origin` rather than
    `no-referrer`: with the latter browsers send `Origin: null` on the page's own form, which CSRF refuses."""
    response["Referrer-Policy"] = "same-origin"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def follow(request: HttpRequest, code: str) -> HttpResponse:
    plan, node, item = _public_goal(code)
    form = FollowForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.request_follow(goal=item, email=form.cleaned_data["email"], language=get_language() or "en")
        return redirect("plans:goal-follow-sent", code=node.code)
    return render(request, "plans/public/follow.html", {"plan": plan, "node": node, "form": form})


@never_cache
@require_http_methods(["GET"])
def follow_sent(request: HttpRequest, code: str) -> HttpResponse:
    plan, node, _item = _public_goal(code)
    return render(request, "plans/public/follow_sent.html", {"plan": plan, "node": node})


def _goal_node(goal: PlanItem) -> selectors.PublicNode | None:
    plan = selectors.public_plan()
    node = plan.by_code.get(goal.code) if plan else None
    return node if node is not None and node.id == goal.pk else None


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button and POST confirms: link checkers in mail systems open links, they do not press buttons."""
    follower = selectors.follower_by_confirm_token(token)
    if follower is None or (not follower.is_confirmed and services.confirm_follow_expired(follower)):
        return _no_referrer(render(request, "plans/public/follow_link_invalid.html", status=404))
    node = _goal_node(follower.goal)
    if request.method == "POST":
        services.confirm_follow(token=token)
        return _no_referrer(render(request, "plans/public/follow_confirmed.html", {"node": node}))
    if follower.is_confirmed:
        return _no_referrer(render(request, "plans/public/follow_confirmed.html", {"node": node}))
    return _no_referrer(render(request, "plans/public/follow_confirm.html", {"node": node}))


@csrf_exempt  # RFC 8058 one-click unsubscribe: the mail program POSTs without a form; the secret is in the path
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    follower = selectors.follower_by_unsubscribe_token(token)
    if follower is None:
        return _no_referrer(render(request, "plans/public/follow_link_invalid.html", status=404))
    node = _goal_node(follower.goal)
    if request.method == "POST":
        services.unsubscribe(token=token)
        return _no_referrer(render(request, "plans/public/unsubscribed.html", {"node": node}))
    return _no_referrer(render(request, "plans/public/unsubscribe.html", {"node": node}))
