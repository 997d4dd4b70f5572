"""Staff item-page section for actions: the action's progress updates, period by period, with "last updated"
and the stale flag."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from civicplan.plans.selectors import action_update_timeline, periods_in_play

register = template.Library()


@register.simple_tag(takes_context=True)
def update_history_section(context: Any, item: Any) -> SafeString:
    """`{% update_history_section item %}`: every period of the plan so far with this action's update (state,
    status, %, both narratives, who submitted / approved / sent back, evidence). A fixed number of queries."""
    if getattr(item, "level", None) != "action":
        return mark_safe("")
    request = context.get("request")
    today = timezone.localdate()
    timeline = action_update_timeline(item, today)
    write_links = []
    user = getattr(request, "user", None)
    if user is not None and not item.is_archived and user.has_perm("plans.write_update", item):
        write_links = [
            period
            for period in periods_in_play(today, plan=item.plan)
            if not any(e.period.pk == period.pk and e.state == "published" for e in timeline.entries)
        ]
    return mark_safe(
        render_to_string(
            "plans/staff/updates/_timeline.html",
            {"item": item, "timeline": timeline, "write_links": write_links},
            request=request,
        )
    )
