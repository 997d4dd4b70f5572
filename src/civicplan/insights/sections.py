"""The "Input behind it" block on staff plan item pages (registered in apps.ready through core.registry.
ItemSection): the input supporting an element (counts by channel, themes, quotes in the reader's language, links
marked out of scope), so council sees a drafted element with its evidence before adopting it. Public pages keep
their fixed query count; residents read the same chain on the "You said, we did" page."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from civicplan.insights import selectors
from civicplan.plans.models import PlanItem

NOTHING = mark_safe("")


def render_item_section(
    request: Any,
    *,
    item_id: int,
    child_ids: list[int],
    level: str,
    public: bool = False,
    descendant_ids: list[int] | None = None,
) -> SafeString:
    if public or request is None or not request.user.has_perm("insights.view_insights"):
        return NOTHING
    item = PlanItem.objects.select_related("plan").filter(pk=item_id).first()
    if item is None:
        return NOTHING
    evidence = selectors.item_evidence(item, public=public)
    if public and not evidence.total:
        return NOTHING
    return mark_safe(
        render_to_string(
            "insights/_item_section.html", {"evidence": evidence, "public": public}, request=request
        )
    )
