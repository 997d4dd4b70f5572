"""Reporting periods and progress updates: what is owed, submitted, reviewed and published.

Definitions every page, mail and dashboard shares:

- A period *owes* one update for every active (non-archived) action of its plan whose status does not count as
  complete, plus every action that already has an update in that period (an action completed by this period's
  update still shows it).
- An update is *handed in* once it is submitted or published; *late* when the period's due date has passed and it
  is not handed in (or it was handed in after the due date: `submitted_late`).
- An action is *stale* when the latest period whose due date has passed owed an update for it and got none.
- The periods *in play* on a day are those open for updates (opens_on <= today <= due_on) and the latest one whose
  due date has passed: owners still owe that one and reminders still chase it.

Every function here runs a fixed number of queries, whatever the number of actions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from civicplan.accounts.models import Department, Role, User
from civicplan.plans.models import (
    Level,
    Plan,
    PlanItem,
    PlanState,
    ProgressUpdate,
    ReportingPeriod,
    UpdateState,
)

__all__ = [
    "HANDED_IN",
    "ActionTimeline",
    "CardState",
    "DepartmentCompleteness",
    "LateUpdate",
    "PeriodCards",
    "PeriodState",
    "PeriodSummary",
    "StaleActions",
    "TimelineEntry",
    "UpdateCard",
    "WaitingUpdate",
    "action_update_timeline",
    "completeness",
    "late_updates",
    "latest_due_period",
    "owed_actions",
    "period_state",
    "periods_in_play",
    "periods_of",
    "stale_actions",
    "submitted_late",
    "upcoming_periods",
    "update_card",
    "updates_owed_by",
    "updates_waiting_review",
]

# Plain strings (what `ProgressUpdate.state` holds once read back): without django-stubs, mypy takes a
# TextChoices member for its (value, label) tuple.
HANDED_IN = (str(UpdateState.SUBMITTED), str(UpdateState.PUBLISHED))


class PeriodState:
    UPCOMING = "upcoming"  # before opens_on
    OPEN = "open"  # owners may submit; the period has not ended
    DUE = "due"  # the period ended; updates are due by due_on
    CLOSED = "closed"  # past the due date


class CardState:
    NOT_STARTED = "not-started"
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    PUBLISHED = "published"


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def period_state(period: ReportingPeriod, today: dt.date | None = None) -> str:
    """upcoming / open / due / closed (see PeriodState)."""
    today = _today(today)
    if today < period.opens_on:
        return PeriodState.UPCOMING
    if today > period.due_on:
        return PeriodState.CLOSED
    if today > period.ends_on:
        return PeriodState.DUE
    return PeriodState.OPEN


def submitted_late(update: ProgressUpdate, period: ReportingPeriod) -> bool:
    return bool(update.submitted_at) and timezone.localdate(update.submitted_at) > period.due_on


def periods_of(plan: Plan) -> list[ReportingPeriod]:
    return list(plan.periods.order_by("starts_on"))


def latest_due_period(plan: Plan, today: dt.date | None = None) -> ReportingPeriod | None:
    """The latest period whose due date has passed: the one staleness and the late lists look at."""
    return plan.periods.filter(due_on__lt=_today(today)).order_by("-due_on", "-starts_on").first()


def periods_in_play(today: dt.date | None = None, *, plan: Plan | None = None) -> list[ReportingPeriod]:
    """Periods owners owe updates for on `today`: the open ones and the latest past-due one of each working plan.
    One query."""
    today = _today(today)
    periods = ReportingPeriod.objects.select_related("plan", "plan__organization").filter(opens_on__lte=today)
    periods = periods.filter(plan=plan) if plan else periods.exclude(plan__state=PlanState.ARCHIVED)
    chosen: list[ReportingPeriod] = []
    latest_past: dict[int, ReportingPeriod] = {}
    for period in periods.order_by("plan_id", "starts_on"):
        if period.due_on >= today:
            chosen.append(period)
        else:
            current = latest_past.get(period.plan_id)
            if current is None or (period.due_on, period.starts_on) > (current.due_on, current.starts_on):
                latest_past[period.plan_id] = period
    chosen.extend(latest_past.values())
    return sorted(chosen, key=lambda p: (p.plan_id, p.starts_on))


def _open_actions(plan_ids: Any) -> QuerySet[PlanItem]:
    return PlanItem.objects.filter(plan_id__in=plan_ids, level=Level.ACTION, archived_at__isnull=True)


def owed_actions(period: ReportingPeriod) -> QuerySet[PlanItem]:
    """The actions that owe an update for `period` (see the module docstring)."""
    has_update = ProgressUpdate.objects.filter(action=OuterRef("pk"), period=period)
    return (
        _open_actions([period.plan_id])
        .annotate(_has_update=Exists(has_update))
        .filter(Q(status__isnull=True) | Q(status__counts_as_complete=False) | Q(_has_update=True))
    )


# --- "My updates" -----------------------------------------------------------------------------------------------


@dataclass
class UpdateCard:
    """One action's update for one period, as the owner sees it."""

    action: PlanItem
    period: ReportingPeriod
    update: ProgressUpdate | None
    last_published: ProgressUpdate | None
    late: bool  # the due date has passed and it is not handed in

    @property
    def state(self) -> str:
        return self.update.state if self.update else CardState.NOT_STARTED

    @property
    def anchor(self) -> str:
        return f"update-{self.action.pk}-{self.period.pk}"

    @property
    def prefix(self) -> str:
        return f"u{self.action.pk}-{self.period.pk}"

    @property
    def spanish_missing(self) -> bool:
        return bool(
            self.update and self.update.state == UpdateState.SUBMITTED and not self.update.narrative_es
        )


@dataclass
class PeriodCards:
    period: ReportingPeriod
    state: str
    cards: list[UpdateCard] = field(default_factory=list)

    @property
    def outstanding(self) -> int:
        return sum(1 for card in self.cards if card.state not in HANDED_IN)


def _scope_for(user: User) -> Q:
    """Which actions a person is asked for: the ones they own; an editor, also their department's."""
    scope = Q(owner_id=user.pk)
    if user.role == Role.EDITOR and user.department_id:
        scope |= Q(department_id=user.department_id)
    return scope


def updates_owed_by(user: User, today: dt.date | None = None) -> list[PeriodCards]:
    """Everything `user` owes in the periods in play, one card per action and period. A fixed number of queries."""
    today = _today(today)
    periods = periods_in_play(today)
    if not periods:
        return []
    return _cards(periods, _scope_for(user), today)


def update_card(action: PlanItem, period: ReportingPeriod, today: dt.date | None = None) -> UpdateCard:
    """The card of one action and period (any period of its plan: the coordinator may write any)."""
    return _cards([period], Q(pk=action.pk), _today(today), owed_only=False)[0].cards[0]


def _cards(
    periods: list[ReportingPeriod], scope: Q, today: dt.date, *, owed_only: bool = True
) -> list[PeriodCards]:
    plan_ids = {p.plan_id for p in periods}
    period_ids = [p.pk for p in periods]
    has_update = ProgressUpdate.objects.filter(action=OuterRef("pk"), period_id__in=period_ids)
    actions_qs = (
        _open_actions(plan_ids)
        .filter(scope)
        .select_related("status", "department", "owner", "plan")
        .order_by("plan_id", "code", "pk")
    )
    if owed_only:
        actions_qs = actions_qs.annotate(_has_update=Exists(has_update)).filter(
            Q(status__isnull=True) | Q(status__counts_as_complete=False) | Q(_has_update=True)
        )
    else:
        actions_qs = PlanItem.objects.filter(scope).select_related("status", "department", "owner", "plan")
    actions = list(actions_qs)
    in_scope = actions_qs.values("pk")
    updates = {
        (u.action_id, u.period_id): u
        for u in ProgressUpdate.objects.filter(period_id__in=period_ids, action__in=in_scope)
        .select_related("status", "submitted_by", "reviewed_by")
        .prefetch_related("evidence")
    }
    last_published: dict[int, ProgressUpdate] = {}
    for published in (
        ProgressUpdate.objects.filter(action__in=in_scope, state=UpdateState.PUBLISHED)
        .select_related("status", "period")
        .order_by("action_id", "-period__starts_on")
    ):
        last_published.setdefault(published.action_id, published)
    result = []
    for period in periods:
        group = PeriodCards(period=period, state=period_state(period, today))
        for action in actions:
            if action.plan_id != period.plan_id:
                continue
            update = updates.get((action.pk, period.pk))
            complete = action.status is not None and action.status.counts_as_complete
            if owed_only and complete and update is None:
                continue
            handed_in = update is not None and update.state in HANDED_IN
            group.cards.append(
                UpdateCard(
                    action=action,
                    period=period,
                    update=update,
                    last_published=last_published.get(action.pk),
                    late=today > period.due_on and not handed_in,
                )
            )
        # What still needs the person's hand comes first: sent back, then not started or draft, then handed in.
        group.cards.sort(key=lambda card: _CARD_ORDER.get(card.state, 1))
        result.append(group)
    return result


_CARD_ORDER = {str(UpdateState.RETURNED): 0, str(UpdateState.SUBMITTED): 2, str(UpdateState.PUBLISHED): 3}


# --- Review, completeness, lateness, staleness -------------------------------------------------------------------


@dataclass
class DepartmentCompleteness:
    """One department's updates for a period. `department` is None for actions without a department."""

    department: Department | None
    owed: int = 0
    submitted: int = 0  # handed in: submitted or published
    approved: int = 0  # published
    late: int = 0  # not handed in after the due date

    @property
    def missing(self) -> int:
        return self.owed - self.submitted

    @property
    def percent_submitted(self) -> int:
        return round(100 * self.submitted / self.owed) if self.owed else 100


def completeness(
    period: ReportingPeriod, today: dt.date | None = None, *, departments: list[Department] | None = None
) -> tuple[list[DepartmentCompleteness], DepartmentCompleteness]:
    """Owed / submitted / approved / late per department for `period`, and the totals. Three queries (two when
    the caller already has the organization's departments)."""
    today = _today(today)
    past_due = today > period.due_on
    states = dict(ProgressUpdate.objects.filter(period=period).values_list("action_id", "state"))
    if departments is None:
        departments = list(Department.objects.filter(organization_id=period.plan.organization_id))
    by_id = {d.pk: d for d in departments}
    rows: dict[int | None, DepartmentCompleteness] = {}
    for action_id, department_id in owed_actions(period).values_list("pk", "department_id"):
        row = rows.setdefault(department_id, DepartmentCompleteness(by_id.get(department_id)))
        state = states.get(action_id)
        row.owed += 1
        if state in HANDED_IN:
            row.submitted += 1
        if state == UpdateState.PUBLISHED:
            row.approved += 1
        if past_due and state not in HANDED_IN:
            row.late += 1
    ordered = sorted(
        rows.values(), key=lambda r: (r.department is None, r.department.name_en if r.department else "")
    )
    total = DepartmentCompleteness(None)
    for row in ordered:
        total.owed += row.owed
        total.submitted += row.submitted
        total.approved += row.approved
        total.late += row.late
    return ordered, total


@dataclass
class LateUpdate:
    """An action whose update for `period` is past due and not handed in."""

    action: PlanItem
    period: ReportingPeriod
    update: ProgressUpdate | None  # a draft or a sent-back update, if any
    days_late: int

    @property
    def owner(self) -> User | None:
        return self.action.owner

    @property
    def department(self) -> Department | None:
        return self.action.department


def late_updates(
    plan: Plan, today: dt.date | None = None, *, period: ReportingPeriod | None = None
) -> list[LateUpdate]:
    """Updates past due and not handed in, for `period` (default: the latest past-due period), by department
    and code. Empty when the period is not past due. Three queries at most."""
    today = _today(today)
    period = period or latest_due_period(plan, today)
    if period is None or today <= period.due_on:
        return []
    updates = {u.action_id: u for u in ProgressUpdate.objects.filter(period=period).select_related("status")}
    late = []
    for action in owed_actions(period).select_related("department", "owner", "status"):
        update = updates.get(action.pk)
        if update is not None and update.state in HANDED_IN:
            continue
        late.append(LateUpdate(action, period, update, (today - period.due_on).days))
    late.sort(
        key=lambda row: (row.action.department.name_en if row.action.department else "~", row.action.code)
    )
    return late


@dataclass
class StaleActions:
    """Actions that missed the latest past-due period (`period`); empty when there is none."""

    period: ReportingPeriod | None
    action_ids: frozenset[int] = frozenset()

    def __contains__(self, action_id: object) -> bool:
        return action_id in self.action_ids

    def __len__(self) -> int:
        return len(self.action_ids)


def stale_actions(plan: Plan, today: dt.date | None = None) -> StaleActions:
    """The stale set of a plan in two queries (see the module docstring)."""
    period = latest_due_period(plan, today)
    if period is None:
        return StaleActions(None)
    handed_in = ProgressUpdate.objects.filter(action=OuterRef("pk"), period=period, state__in=HANDED_IN)
    ids = owed_actions(period).filter(~Exists(handed_in)).values_list("pk", flat=True)
    return StaleActions(period, frozenset(ids))


@dataclass
class WaitingUpdate:
    """A submitted update waiting for the coordinator (approval, or the Spanish text)."""

    update: ProgressUpdate
    late: bool

    @property
    def action(self) -> PlanItem:
        return self.update.action

    @property
    def period(self) -> ReportingPeriod:
        return self.update.period

    @property
    def spanish_missing(self) -> bool:
        return not self.update.narrative_es


def updates_waiting_review(plan: Plan, *, period: ReportingPeriod | None = None) -> list[WaitingUpdate]:
    """Submitted updates not yet published, oldest submission first. Two queries."""
    updates = ProgressUpdate.objects.filter(period__plan=plan, state=UpdateState.SUBMITTED)
    if period is not None:
        updates = updates.filter(period=period)
    updates = (
        updates.select_related(
            "action",
            "action__department",
            "action__owner",
            "action__status",
            "period",
            "status",
            "submitted_by",
        )
        .prefetch_related("evidence")
        .order_by("submitted_at", "pk")
    )
    return [WaitingUpdate(update, submitted_late(update, update.period)) for update in updates]


@dataclass
class PeriodSummary:
    period: ReportingPeriod
    state: str
    days_to_due: int


def upcoming_periods(
    plan: Plan, today: dt.date | None = None, days: int = 30, *, periods: list[ReportingPeriod] | None = None
) -> list[PeriodSummary]:
    """Periods open now or opening within `days`, with their state and the days left to the due date. One query,
    none when the caller passes the plan's periods."""
    today = _today(today)
    horizon = today + dt.timedelta(days=days)
    if periods is None:
        periods = list(plan.periods.filter(due_on__gte=today, opens_on__lte=horizon).order_by("starts_on"))
    return [
        PeriodSummary(period, period_state(period, today), (period.due_on - today).days)
        for period in sorted(periods, key=lambda p: p.starts_on)
        if period.due_on >= today and period.opens_on <= horizon
    ]


# --- An action's timeline ----------------------------------------------------------------------------------------


@dataclass
class TimelineEntry:
    period: ReportingPeriod
    state: str
    update: ProgressUpdate | None
    late: bool


@dataclass
class ActionTimeline:
    entries: list[TimelineEntry]
    stale_period: ReportingPeriod | None
    last_reported_at: dt.datetime | None


def action_update_timeline(action: PlanItem, today: dt.date | None = None) -> ActionTimeline:
    """Every period of the action's plan up to now (newest first) with its update. Four queries."""
    today = _today(today)
    periods = list(action.plan.periods.filter(opens_on__lte=today).order_by("-starts_on"))
    updates = {
        u.period_id: u
        for u in action.updates.select_related("status", "submitted_by", "reviewed_by").prefetch_related(
            "evidence"
        )
    }
    entries = []
    for period in periods:
        update = updates.get(period.pk)
        handed_in = update is not None and update.state in HANDED_IN
        entries.append(
            TimelineEntry(
                period=period,
                state=update.state if update else CardState.NOT_STARTED,
                update=update,
                late=(today > period.due_on and not handed_in)
                or bool(update and submitted_late(update, period)),
            )
        )
    stale_period = None
    past_due = [p for p in periods if p.due_on < today]
    if past_due:
        latest = max(past_due, key=lambda p: (p.due_on, p.starts_on))
        update = updates.get(latest.pk)
        complete = action.status is not None and action.status.counts_as_complete
        owed = not action.is_archived and (not complete or update is not None)
        if owed and (update is None or update.state not in HANDED_IN):
            stale_period = latest
    return ActionTimeline(entries, stale_period, action.last_reported_at)
