"""Reporting periods that have ended and published progress updates, for the "what changed" and follow tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from civicplan.plans.models import Plan, PlanItem, ProgressUpdate, ReportingPeriod, UpdateState


def ended_quarters(plan: Plan, today: dt.date | None = None) -> tuple[ReportingPeriod, ReportingPeriod]:
    """The quarter before last and the last quarter, both ended before `today` (the real today by default)."""
    today = today or timezone.localdate()
    last_end = today - dt.timedelta(days=10)
    last_start = last_end - dt.timedelta(days=90)
    before_end = last_start - dt.timedelta(days=1)
    before_start = before_end - dt.timedelta(days=90)

    def period(name: str, start: dt.date, end: dt.date) -> ReportingPeriod:
        return ReportingPeriod.objects.create(
            plan=plan,
            name_en=f"Quarter {name}",
            name_es=f"Trimestre {name}",
            starts_on=start,
            ends_on=end,
            opens_on=end - dt.timedelta(days=5),
            due_on=end + dt.timedelta(days=15),
        )

    return period("A", before_start, before_end), period("B", last_start, last_end)


def published(
    action: PlanItem,
    period: ReportingPeriod,
    status_key: str,
    *,
    narrative: str = "Work went on.",
    published_at: dt.datetime | None = None,
    **overrides: Any,
) -> ProgressUpdate:
    values: dict[str, Any] = {
        "state": UpdateState.PUBLISHED,
        "status": action.plan.statuses.get(key=status_key),
        "progress": Decimal(50),
        "narrative_en": narrative,
        "narrative_es": f"ES {narrative}",
        "published_at": published_at or timezone.now(),
    }
    return ProgressUpdate.objects.create(action=action, period=period, **{**values, **overrides})
