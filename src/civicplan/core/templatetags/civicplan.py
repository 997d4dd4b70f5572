"""Template helpers shared by every module's pages: bilingual fields, progress bars, status tags."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def localized(obj: Any, field: str) -> str:
    """`{% localized item "title" %}`: the Spanish text on Spanish pages, English when Spanish is empty."""
    language = (get_language() or "en")[:2]
    value = getattr(obj, f"{field}_{language}", "") if language in {"en", "es"} else ""
    return value or getattr(obj, f"{field}_en", "")


@register.simple_tag
def progress_bar(value: Decimal | int | None) -> SafeString:
    """`{% progress_bar item.progress %}`: an SVG bar (attributes, not inline style, so the CSP stays strict)
    hidden from screen readers, with the figure in text. Python rather than an included template: the staff
    tree draws thousands of them."""
    if value is None:
        return format_html(
            '<span class="cp-progress"><span class="cp-progress__text">{}</span></span>', _("no data")
        )
    width = max(0.0, min(100.0, float(value)))
    return format_html(
        '<span class="cp-progress"><svg class="cp-progress__bar" aria-hidden="true" focusable="false" width="100" '
        'height="10" viewBox="0 0 100 10" preserveAspectRatio="none"><rect width="100" height="10" rx="2" '
        'fill="#dfe1e2"/><rect width="{}" height="10" rx="2" fill="#005ea2"/></svg>'
        '<span class="cp-progress__text">{}</span></span>',
        f"{width:.1f}",
        _("%(value)s complete") % {"value": percent(value)},
    )


@register.simple_tag
def status_tag(status: Any) -> SafeString:
    """`{% status_tag item.status %}`: the status's colour as a dot (decorative) and its name in the page's language."""
    if not status:
        return mark_safe("")
    return format_html(
        '<span class="cp-status"><svg aria-hidden="true" focusable="false" width="12" height="12" viewBox="0 0 12 12">'
        '<circle cx="6" cy="6" r="6" fill="{}"/></svg> {}</span>',
        status.color,
        status.localized("name"),
    )


@register.filter
def percent(value: Decimal | int | None) -> str:
    if value is None:
        return "–"
    number = Decimal(value)
    # number_format writes the reader's decimal sign: 12.5% in English, 12,5% in Spanish.
    return f"{number_format(number, decimal_pos=0 if number == number.to_integral_value() else 1)}%"


@register.simple_tag(takes_context=True)
def item_sections(
    context: Any,
    item_id: int,
    level: str,
    child_ids: Any = (),
    public: bool = False,
    descendant_ids: Any = None,
) -> SafeString:
    """`{% item_sections node.id node.level child_ids public=True descendant_ids=node.descendant_ids %}`: what
    other modules add to an item's page (see core.registry.ItemSection). Public pages pass the adopted version's
    descendants, so a section never has to rebuild the adopted tree; staff pages leave them out (None)."""
    from civicplan.core.registry import item_sections as sections

    request = context.get("request")
    parts = [
        section.render(
            request,
            item_id=item_id,
            child_ids=list(child_ids),
            level=level,
            public=public,
            descendant_ids=None if descendant_ids is None else list(descendant_ids),
        )
        for section in sections()
    ]
    return mark_safe("".join(str(part) for part in parts if part))  # each section returns escaped HTML
