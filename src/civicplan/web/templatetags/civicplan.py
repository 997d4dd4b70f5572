"""Template helpers shared by every module's pages: bilingual fields, progress bars, status tags."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.translation import get_language

register = template.Library()


@register.simple_tag
def localized(obj: Any, field: str) -> str:
    """`{% localized item "title" %}`: the Spanish text on Spanish pages, English when Spanish is empty."""
    language = (get_language() or "en")[:2]
    value = getattr(obj, f"{field}_{language}", "") if language in {"en", "es"} else ""
    return value or getattr(obj, f"{field}_en", "")


@register.inclusion_tag("web/includes/progress_bar.html")
def progress_bar(value: Decimal | int | None, label: str = "") -> dict[str, Any]:
    """A progress bar drawn as SVG (no inline style, so the CSP stays strict) with the figure in text."""
    width = None if value is None else max(0.0, min(100.0, float(value)))
    return {"value": value, "width": width, "label": label}


@register.inclusion_tag("web/includes/status_tag.html")
def status_tag(status: Any) -> dict[str, Any]:
    return {"status": status}


@register.filter
def percent(value: Decimal | int | None) -> str:
    if value is None:
        return "–"
    number = Decimal(value)
    return f"{number:.0f}%" if number == number.to_integral_value() else f"{number:.1f}%"
