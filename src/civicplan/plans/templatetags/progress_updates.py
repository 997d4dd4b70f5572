"""Staff item-page sections for actions (filled in by the progress updates work)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def update_history_section(context: Any, item: Any) -> str:
    return ""
