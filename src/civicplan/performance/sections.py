"""The indicator block on plan item pages (registered in apps.ready through core.registry.ItemSection).

Goal and strategy pages list the indicators measuring the item (a goal's list includes its strategies');
priority pages summarise the indicators of their goals by status. Staff see drafts (marked "Draft"), the public
only published indicators. A fixed number of queries whatever the number of indicators or values."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from civicplan.performance import selectors


def render_item_section(
    request: Any,
    *,
    item_id: int,
    child_ids: list[int],
    level: str,
    public: bool = False,
    descendant_ids: list[int] | None = None,
) -> SafeString:
    if level not in {"priority", "goal", "strategy"}:
        return mark_safe("")
    if not public and not (request is not None and request.user.has_perm("performance.view_indicator")):
        return mark_safe("")
    today = timezone.localdate()
    wanted = (
        [item_id] if level == "strategy" else ([item_id, *child_ids] if level == "goal" else list(child_ids))
    )
    by_item = selectors.indicators_for_items(wanted, public=public, today=today)
    rows: list[Any] = []
    seen: set[int] = set()
    for pk in wanted:
        for row in by_item.get(pk, []):
            if row.indicator.pk not in seen:
                seen.add(row.indicator.pk)
                rows.append(row)
    if not rows and public:
        return mark_safe("")
    context = {
        "rows": rows,
        "public": public,
        "level": level,
        "item_id": item_id,
        "counts": selectors.status_counts(rows),
    }
    return mark_safe(render_to_string("performance/_item_section.html", context, request=request))
