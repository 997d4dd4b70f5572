"""Search across the adopted plan, in both languages at once: a resident who types "vivienda" on the English
site or "housing" on the Spanish one finds the same goals. Case and accents aside, every word must match the
code, title or description of an item in English or Spanish; results are shown in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from civicplan.lib.text import normalize
from civicplan.plans import selectors as plan_selectors

MAX_RESULTS = 50
LEVEL_ORDER = {"priority": 0, "goal": 1, "strategy": 2, "action": 3}


@dataclass(frozen=True)
class Hit:
    node: Any  # plans.selectors.PublicNode, in the reader's language
    url: str
    in_title: bool


def _with_goals(plan: Any) -> list[tuple[Any, Any]]:
    """Every node with the goal it belongs to (None for priorities)."""
    goal_of: dict[int, Any] = {}
    found = []
    for node, parent in plan.walk():
        goal = node if node.level == "goal" else (goal_of.get(parent.id) if parent else None)
        goal_of[node.id] = goal
        found.append((node, goal))
    return found


def _url(node: Any, goal: Any) -> str:
    if node.level == "priority":
        return reverse("plans:priority", args=[node.code])
    url = reverse("plans:goal", args=[goal.code])
    if node.level == "strategy":
        return f"{url}#strategy-{slugify(node.code)}"  # the goal page's anchors
    return url if node.level == "goal" else f"{url}#action-{node.code}"


def search_plan(query: str, language: str) -> list[Hit]:
    words = normalize(query).split()
    if not words:
        return []
    shown = plan_selectors.public_plan(language=language)
    if shown is None:
        return []
    other = plan_selectors.public_plan(language="es" if language == "en" else "en")
    other_nodes = other.by_code if other else {}
    hits = []
    for node, goal in _with_goals(shown):
        twin = other_nodes.get(node.code, node)
        titles = normalize(f"{node.code} {node.title} {twin.title}")
        text = f"{titles} {normalize(f'{node.description} {twin.description}')}"
        if all(word in text for word in words):
            hits.append(Hit(node, _url(node, goal), all(word in titles for word in words)))
    hits.sort(key=lambda hit: (not hit.in_title, LEVEL_ORDER.get(hit.node.level, 9)))
    return hits


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    hits = search_plan(query, (get_language() or "en")[:2]) if query else []
    return render(
        request,
        "web/search.html",
        {"query": query, "hits": hits[:MAX_RESULTS], "total": len(hits), "limit": MAX_RESULTS},
    )
