"""Template helpers of the indicator pages: the status tag (a shape and words, never colour alone), numbers in the
indicator's unit, small charts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from civicplan.performance.display import indicator_sparkline
from civicplan.performance.status import IndicatorStatus

register = template.Library()

# A different shape per status, so the tag reads without colour; the words always follow.
_SHAPES = {
    IndicatorStatus.ON_TRACK: ("#00a91c", '<circle cx="6" cy="6" r="5.5" fill="{}"/>'),
    IndicatorStatus.NEEDS_ATTENTION: ("#e5a000", '<path d="M6 0.5 L11.5 11.5 L0.5 11.5 Z" fill="{}"/>'),
    IndicatorStatus.OFF_TRACK: ("#d83933", '<rect x="0.5" y="0.5" width="11" height="11" fill="{}"/>'),
    IndicatorStatus.NO_DATA: (
        "#71767a",
        '<circle cx="6" cy="6" r="5" fill="none" stroke="{}" stroke-width="1.5"/>',
    ),
    IndicatorStatus.NO_TARGET: ("#71767a", '<path d="M1 6 H11" stroke="{}" stroke-width="2"/>'),
}


@register.simple_tag
def indicator_status(status: Any) -> SafeString:
    """`{% indicator_status row.status %}`."""
    status = IndicatorStatus(status)
    color, shape = _SHAPES[status]
    return format_html(
        '<span class="cp-indicator-status cp-indicator-status--{}"><svg aria-hidden="true" focusable="false" '
        'width="12" height="12" viewBox="0 0 12 12">{}</svg> {}</span>',
        str(status),
        format_html(shape, color),
        status.label,
    )


@register.simple_tag
def indicator_amount(row: Any, value: Decimal | None) -> str:
    """`{% indicator_amount row measurement.value %}`: the number with the indicator's unit and decimals."""
    return row.fmt.amount(value) if value is not None else "–"


@register.simple_tag
def indicator_period(row: Any, start: dt.date) -> str:
    return row.fmt.period(start)


@register.simple_tag
def indicator_fiscal_year(row: Any, year: int) -> str:
    return row.fmt.fiscal_year(year)


@register.simple_tag
def indicator_target_for(row: Any, start: dt.date) -> str:
    from civicplan.performance.selectors import target_text

    return target_text(row.target_for(start), row.indicator, row.fmt)


@register.simple_tag
def indicator_spark(row: Any, prefix: str = "spark") -> SafeString:
    """A small trend line; its accessible name gives the latest value, the target and the status."""
    return mark_safe(indicator_sparkline(row, chart_id=f"{prefix}-{row.indicator.pk}"))
