"""Reads for the reports (quarterly, annual, accomplishments): published progress updates of a date range and
milestones done in it, for the elements of the adopted version only. Drafts and submissions never appear."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from civicplan.plans.models import Milestone, ProgressUpdate, UpdateState

__all__ = ["milestones_done_between", "published_updates_between"]


def published_updates_between(
    item_ids: Collection[int], start: dt.date, end: dt.date
) -> list[ProgressUpdate]:
    """Published updates of the given actions whose reporting period overlaps `start`..`end`, oldest period first.
    One query (the action's code and the period come with it)."""
    if not item_ids:
        return []
    return list(
        ProgressUpdate.objects.filter(
            state=UpdateState.PUBLISHED,
            action_id__in=list(item_ids),
            period__starts_on__lte=end,
            period__ends_on__gte=start,
        )
        .select_related("period", "status", "action")
        .order_by("period__starts_on", "action__code", "pk")
    )


def milestones_done_between(item_ids: Collection[int], start: dt.date, end: dt.date) -> list[Milestone]:
    """Milestones (not archived) of the given actions done between `start` and `end`, in date order. One query."""
    if not item_ids:
        return []
    return list(
        Milestone.objects.filter(
            action_id__in=list(item_ids),
            archived_at__isnull=True,
            done_on__gte=start,
            done_on__lte=end,
        )
        .select_related("action")
        .order_by("done_on", "action__code", "pk")
    )
