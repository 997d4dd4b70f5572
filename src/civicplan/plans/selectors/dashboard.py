"""Reads for the staff dashboards: the plan's roll-up by priority, actions by status, and what falls due soon.
Each function runs a fixed number of queries whatever the plan's size."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from civicplan.plans.models import (
    Level,
    Milestone,
    Plan,
    PlanItem,
    ProgressUpdate,
    ReportingPeriod,
    Status,
    UpdateState,
)

__all__ = [
    "DueItem",
    "PlanOverview",
    "PriorityRollup",
    "StatusCount",
    "due_soon",
    "plan_overview",
    "waiting_review_count",
]


@dataclass
class StatusCount:
    status: Status | None  # None: actions without a status yet
    count: int


@dataclass
class PriorityRollup:
    item: PlanItem
    progress: Decimal | None  # the priority's roll-up, or the mean of the department's actions under it
    actions: int
    complete: int
    by_status: list[StatusCount] = field(default_factory=list)


@dataclass
class DueItem:
    """An action or a milestone that falls due (or fell due) around today."""

    kind: str  # "action" or "milestone"
    due_on: dt.date
    action: PlanItem
    title_en: str
    title_es: str
    overdue: bool

    def localized(self, field_name: str, language: str | None = None) -> str:
        from django.utils.translation import get_language

        language = (language or get_language() or "en")[:2]
        value = getattr(self, f"{field_name}_{language}", "") if language in {"en", "es"} else ""
        return value or getattr(self, f"{field_name}_en", "")


@dataclass
class PlanOverview:
    rollup: list[PriorityRollup]
    status_counts: list[StatusCount]


def plan_overview(plan: Plan, *, department_id: int | None = None) -> PlanOverview:
    """Each priority with its progress and its actions by status, and the actions by status overall (only the
    department's actions when one is given). Two queries: the statuses and one pass over the tree."""
    statuses = list(plan.statuses.all())
    status_by_id = {status.pk: status for status in statuses}
    tree = list(
        PlanItem.objects.filter(plan=plan, archived_at__isnull=True)
        .only(
            "id",
            "parent_id",
            "level",
            "code",
            "title_en",
            "title_es",
            "progress",
            "order",
            "status_id",
            "department_id",
        )
        .order_by("order", "pk")
    )
    parent_of = {item.pk: item.parent_id for item in tree}
    priorities = [item for item in tree if item.level == Level.PRIORITY]
    priority_ids = {p.pk for p in priorities}

    def priority_of(item_id: int | None) -> int | None:
        while item_id is not None and item_id not in priority_ids:
            item_id = parent_of.get(item_id)
        return item_id

    actions = [
        item
        for item in tree
        if item.level == Level.ACTION and (department_id is None or item.department_id == department_id)
    ]
    grouped: dict[int, list[PlanItem]] = defaultdict(list)
    for action in actions:
        owner = priority_of(action.parent_id)
        if owner is not None:
            grouped[owner].append(action)
    rollup = []
    for priority in priorities:
        mine = grouped.get(priority.pk, [])
        counts = Counter(action.status_id for action in mine)
        progress = priority.progress
        if department_id is not None:
            values = [action.progress for action in mine if action.progress is not None]
            progress = (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.1")) if values else None
        complete = sum(
            1 for a in mine if a.status_id in status_by_id and status_by_id[a.status_id].counts_as_complete
        )
        rollup.append(
            PriorityRollup(
                item=priority,
                progress=progress,
                actions=len(mine),
                complete=complete,
                by_status=[StatusCount(s, counts[s.pk]) for s in statuses if counts.get(s.pk)],
            )
        )
    overall = Counter(action.status_id for action in actions)
    status_counts = [StatusCount(status, overall.get(status.pk, 0)) for status in statuses]
    if overall.get(None):
        status_counts.append(StatusCount(None, overall[None]))
    return PlanOverview(rollup=rollup, status_counts=status_counts)


def waiting_review_count(plan: Plan, *, period: ReportingPeriod | None = None) -> int:
    """How many submitted updates wait for the coordinator (one COUNT query)."""
    updates = ProgressUpdate.objects.filter(period__plan=plan, state=UpdateState.SUBMITTED)
    if period is not None:
        updates = updates.filter(period=period)
    return updates.count()


def due_soon(
    plan: Plan, *, today: dt.date, days: int = 30, department_id: int | None = None, limit: int = 50
) -> list[DueItem]:
    """Open actions and milestones due in the next `days` days, and those already overdue, soonest first."""
    horizon = today + dt.timedelta(days=days)
    actions = PlanItem.objects.filter(
        plan=plan, level=Level.ACTION, archived_at__isnull=True, due_date__lte=horizon
    ).exclude(status__counts_as_complete=True)
    milestones = Milestone.objects.filter(
        action__plan=plan, action__archived_at__isnull=True, archived_at__isnull=True, done_on__isnull=True
    ).filter(due_on__lte=horizon)
    if department_id is not None:
        actions = actions.filter(department_id=department_id)
        milestones = milestones.filter(action__department_id=department_id)
    rows = [
        DueItem("action", a.due_date, a, a.title_en, a.title_es, a.due_date < today)
        for a in actions.select_related("department").order_by("due_date")[:limit]
        if a.due_date is not None
    ]
    rows += [
        DueItem("milestone", m.due_on, m.action, m.title_en, m.title_es, m.due_on < today)
        for m in milestones.select_related("action", "action__department").order_by("due_on")[:limit]
    ]
    rows.sort(key=lambda row: (row.due_on, row.action.code))
    return rows[:limit]
