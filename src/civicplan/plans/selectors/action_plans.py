"""Action plans: milestones, owners, contributors, dependencies and evidence links, and the timelines that draw
them per goal and per department. Each read runs a fixed number of queries whatever the number of actions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet

from civicplan.accounts.models import Department, Role, User
from civicplan.lib.codes import code_key
from civicplan.plans.models import EvidenceLink, Level, Milestone, Plan, PlanItem

__all__ = [
    "PLAN_ROLES",
    "ActionPlan",
    "MilestoneView",
    "Schedule",
    "ScheduleRow",
    "action_by_code",
    "action_plan",
    "department_timeline",
    "dependency_candidates",
    "item_timeline",
    "milestone_is_overdue",
    "plan_people",
]

PLAN_ROLES = (Role.COORDINATOR, Role.EDITOR, Role.COUNCIL, Role.VIEWER)


def milestone_is_overdue(milestone: Milestone, today: dt.date) -> bool:
    """Overdue: the due date has passed and it is not done."""
    return milestone.done_on is None and milestone.due_on < today


@dataclass
class MilestoneView:
    milestone: Milestone
    overdue: bool

    @property
    def done(self) -> bool:
        return self.milestone.done_on is not None


@dataclass
class ActionPlan:
    action: PlanItem
    owner: User | None
    contributors: list[User]
    depends_on: list[PlanItem]
    blocks: list[PlanItem]
    milestones: list[MilestoneView]
    evidence: list[EvidenceLink]

    @property
    def overdue_count(self) -> int:
        return sum(1 for milestone in self.milestones if milestone.overdue)


def action_plan(action: PlanItem, *, today: dt.date) -> ActionPlan:
    """Everything the action's plan shows, in six queries."""
    owner = (
        User.objects.select_related("department").filter(pk=action.owner_id).first()
        if action.owner_id
        else None
    )
    contributors = list(
        action.contributors.select_related("department").order_by("last_name", "first_name", "username")
    )
    depends_on = list(action.depends_on.select_related("department").order_by("code", "pk"))
    blocks = list(
        action.dependents.filter(archived_at__isnull=True).select_related("department").order_by("code")
    )
    milestones = [
        MilestoneView(milestone, milestone_is_overdue(milestone, today))
        for milestone in action.milestones.filter(archived_at__isnull=True)
    ]
    evidence = list(action.evidence.filter(archived_at__isnull=True).select_related("added_by"))
    return ActionPlan(action, owner, contributors, depends_on, blocks, milestones, evidence)


def plan_people() -> QuerySet[User]:
    """People who may own or help with an action: active accounts with a plan role."""
    return (
        User.objects.filter(is_active=True, role__in=PLAN_ROLES)
        .select_related("department")
        .order_by("last_name", "first_name", "username")
    )


def action_by_code(plan: Plan, code: str) -> PlanItem | None:
    return plan.items.filter(level=Level.ACTION, archived_at__isnull=True, code=code.strip()).first()


def dependency_candidates(action: PlanItem) -> QuerySet[PlanItem]:
    """Actions of the same plan this one could wait on (the page offers their codes as suggestions)."""
    return (
        action.plan.items.filter(level=Level.ACTION, archived_at__isnull=True)
        .exclude(pk=action.pk)
        .order_by("code")
        .only("pk", "code", "title_en", "title_es")
    )


# --- Timelines ------------------------------------------------------------------------------------------------------


@dataclass
class ScheduleRow:
    action: PlanItem
    milestones: list[MilestoneView] = field(default_factory=list)

    @property
    def overdue_count(self) -> int:
        return sum(1 for milestone in self.milestones if milestone.overdue)


@dataclass
class Schedule:
    entries: list[ScheduleRow]

    @property
    def overdue_count(self) -> int:
        return sum(entry.overdue_count for entry in self.entries)


def _timeline(actions: QuerySet[PlanItem], today: dt.date) -> Schedule:
    """Two queries: the actions (with department and status) and their active milestones."""
    rows = (
        actions.filter(level=Level.ACTION, archived_at__isnull=True)
        .select_related("department", "status", "owner")
        .prefetch_related(
            Prefetch(
                "milestones", queryset=Milestone.objects.filter(archived_at__isnull=True), to_attr="live"
            )
        )
        .order_by("code", "pk")
    )
    entries = [
        ScheduleRow(action, [MilestoneView(m, milestone_is_overdue(m, today)) for m in action.live])
        for action in rows
    ]
    entries.sort(key=lambda entry: code_key(entry.action.code))
    return Schedule(entries)


def item_timeline(item: PlanItem, *, today: dt.date) -> Schedule:
    """The active actions below a priority, goal or strategy."""
    depth = {Level.PRIORITY: 3, Level.GOAL: 2, Level.STRATEGY: 1}.get(item.level)
    if depth is None:
        return _timeline(PlanItem.objects.filter(pk=item.pk), today)
    lookup = "__".join(["parent"] * depth)
    archived = Q()
    for level in range(1, depth):  # the strategy (and goal) between must be active too
        archived |= Q(**{"__".join(["parent"] * level) + "__archived_at__isnull": False})
    return _timeline(PlanItem.objects.filter(**{lookup: item}).exclude(archived), today)


def department_timeline(plan: Plan, department: Department, *, today: dt.date) -> Schedule:
    return _timeline(plan.items.filter(department=department), today)
