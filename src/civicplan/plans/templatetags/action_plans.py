"""The action plan on the staff item page: `{% action_plan_section item %}` for actions (owner, contributors,
dependencies, milestones, evidence) and `{% goal_timeline_link item %}` for the levels above (a link to the
timeline of their actions). A fixed number of queries whatever the number of milestones."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from civicplan.plans.models import Level
from civicplan.plans.selectors import action_plan

register = template.Library()


@register.simple_tag(takes_context=True)
def action_plan_section(context: Any, item: Any) -> SafeString:
    if getattr(item, "level", None) != Level.ACTION:
        return mark_safe("")
    request = context.get("request")
    user = getattr(request, "user", None)
    can_plan = bool(user and user.has_perm("plans.plan_action", item)) and not item.is_archived
    return render_to_string(
        "plans/staff/action_plans/_section.html",
        {"item": item, "ap": action_plan(item, today=timezone.localdate()), "can_plan": can_plan},
        request=request,
    )


@register.simple_tag
def goal_timeline_link(item: Any) -> SafeString:
    """A link to the timeline of the actions under a priority, goal or strategy (nothing for actions)."""
    if getattr(item, "level", Level.ACTION) == Level.ACTION or item.is_archived:
        return mark_safe("")
    return format_html(
        '<p class="margin-top-3"><a class="usa-button usa-button--outline" href="{}">{}</a></p>',
        reverse("staff:item-timeline", args=[item.pk]),
        _("Timeline of the actions under %(code)s") % {"code": item.code},
    )
