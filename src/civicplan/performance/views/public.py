"""The public page of one published indicator, in the reader's language."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from civicplan.core.cache import cached_public_page
from civicplan.performance import selectors
from civicplan.performance.display import indicator_chart
from civicplan.plans import selectors as plan_selectors


@cached_public_page
def indicator(request: HttpRequest, key: str) -> HttpResponse:
    """Published indicators of the public plan only (404 for drafts and archived ones). The goals listed are the
    adopted version's (public codes and titles), never the working draft's."""
    detail = selectors.public_indicator(key, today=timezone.localdate())
    if detail is None:
        raise Http404
    plan = plan_selectors.public_plan()
    if plan is None:
        raise Http404
    linked = {item.pk for item in detail.row.items}
    nodes = [node for node in plan.by_code.values() if node.id in linked]
    nodes.sort(key=lambda node: [int(p) if p.isdigit() else p for p in node.code.split(".")])
    row = detail.row
    return render(
        request,
        "performance/public/indicator.html",
        {
            "plan": plan,
            "detail": detail,
            "row": row,
            "indicator": row.indicator,
            "nodes": nodes,
            "goals": [node for node in nodes if node.level == "goal"],
            "chart": indicator_chart(
                row, chart_id=f"indicator-{row.indicator.pk}", versions=detail.target_versions
            ),
        },
    )
