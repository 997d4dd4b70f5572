"""Read-only pages for residents: the adopted plan only, in the reader's language."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from civicplan.core.cache import cached_public_page
from civicplan.plans import selectors
from civicplan.plans.diff import compare_documents
from civicplan.plans.models import Level


def _node(code: str, level: str) -> tuple[selectors.PublicPlan, selectors.PublicNode]:
    plan = selectors.public_plan()
    node = plan.by_code.get(code) if plan else None
    if plan is None or node is None or node.level != level:
        raise Http404
    return plan, node


def _parents(plan: selectors.PublicPlan, code: str) -> list[selectors.PublicNode]:
    parts = code.split(".")
    return [
        plan.by_code[".".join(parts[:n])] for n in range(1, len(parts)) if ".".join(parts[:n]) in plan.by_code
    ]


@cached_public_page
def priority(request: HttpRequest, code: str) -> HttpResponse:
    plan, node = _node(code, Level.PRIORITY)
    return render(request, "plans/public/priority.html", {"plan": plan, "node": node})


@cached_public_page
def goal(request: HttpRequest, code: str) -> HttpResponse:
    plan, node = _node(code, Level.GOAL)
    return render(
        request, "plans/public/goal.html", {"plan": plan, "node": node, "parents": _parents(plan, code)}
    )


@cached_public_page
def versions(request: HttpRequest) -> HttpResponse:
    """Every adopted version with its council record, and what changed between two of them. Only adopted
    versions can be compared here: the working draft never reaches the public."""
    plan = selectors.public_plan()
    if plan is None:
        raise Http404
    adopted = selectors.public_versions(plan.version)
    by_number = {str(version.number): version for version in adopted}
    newer = by_number.get(request.GET.get("b", ""), adopted[0])
    default_older = adopted[1] if len(adopted) > 1 else adopted[0]
    older = by_number.get(request.GET.get("a", ""), default_older)
    changes = None
    if older.pk != newer.pk:
        language = (get_language() or "en")[:2]
        changes = compare_documents(older.snapshot, newer.snapshot, language)
    return render(
        request,
        "plans/public/versions.html",
        {"plan": plan, "versions": adopted, "older": older, "newer": newer, "changes": changes},
    )


@cached_public_page
def changes(request: HttpRequest) -> HttpResponse:
    """Every published update of the latest reporting period that has ended (the home lists the first few)."""
    plan = selectors.public_plan()
    if plan is None:
        raise Http404
    return render(
        request, "plans/public/changes.html", {"plan": plan, "changes": selectors.quarter_changes(plan)}
    )
