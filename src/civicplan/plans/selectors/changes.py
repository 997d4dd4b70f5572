"""What changed on the adopted plan: the latest completed reporting period (a fiscal quarter by default) against
the one before it, for the public home, and what changed on one goal since a moment, for followers' digests.
Only published progress updates of actions in the adopted version: drafts never reach the public."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from civicplan.lib.codes import code_key
from civicplan.plans.models import Level, ProgressUpdate, ReportingPeriod, Status, UpdateState

from .structure import PublicNode, PublicPlan

__all__ = ["Change", "QuarterChanges", "goal_changes_since", "goal_of_action", "quarter_changes"]


@dataclass
class Change:
    """One action's published update, with the status it had in the period before (None: no earlier report)."""

    action: PublicNode
    goal_code: str
    strategy_code: str
    period_name: str
    status: Status | None
    previous_status: Status | None
    narrative: str
    published_at: dt.datetime | None

    @property
    def completed(self) -> bool:
        was_complete = bool(self.previous_status and self.previous_status.counts_as_complete)
        return bool(self.status and self.status.counts_as_complete) and not was_complete

    @property
    def status_changed(self) -> bool:
        return (
            self.previous_status is not None
            and self.status is not None
            and self.previous_status != self.status
        )


@dataclass
class QuarterChanges:
    period: ReportingPeriod
    previous: ReportingPeriod | None
    period_name: str
    previous_name: str
    updates: list[Change] = field(default_factory=list)

    @property
    def completed(self) -> list[Change]:
        return [change for change in self.updates if change.completed]

    @property
    def status_changes(self) -> list[Change]:
        """Status changes other than completions (those have their own list)."""
        return [change for change in self.updates if change.status_changed and not change.completed]

    @property
    def total(self) -> int:
        return len(self.updates)


def goal_of_action(code: str) -> tuple[str, str]:
    """The goal's and the strategy's codes of an action code (`2.3.1.4` -> `2.3`, `2.3.1`)."""
    parts = code.split(".")
    return ".".join(parts[:2]), ".".join(parts[:3])


def _language_of(language: str | None) -> str:
    from django.utils.translation import get_language

    return (language or get_language() or "en")[:2]


def _public_actions(plan: PublicPlan) -> dict[int, PublicNode]:
    return {node.id: node for node in plan.by_code.values() if node.level == str(Level.ACTION)}


def _previous_statuses(plan: PublicPlan, action_ids: list[int], before: dt.date) -> dict[int, Status | None]:
    """Each action's status in its latest published update of a period that started before `before`."""
    status_by_id = {status.pk: status for status in plan.statuses}
    found: dict[int, Status | None] = {}
    rows = (
        ProgressUpdate.objects.filter(
            action_id__in=action_ids, state=UpdateState.PUBLISHED, period__starts_on__lt=before
        )
        .order_by("action_id", "-period__starts_on")
        .values_list("action_id", "status_id")
    )
    for action_id, status_id in rows:
        found.setdefault(action_id, status_by_id.get(status_id))
    return found


def _changes(
    plan: PublicPlan,
    updates: list[ProgressUpdate],
    actions: dict[int, PublicNode],
    language: str,
    previous_statuses: dict[int, Status | None] | None = None,
) -> list[Change]:
    status_by_id = {status.pk: status for status in plan.statuses}
    changes = []
    for update in updates:
        previous = previous_statuses
        if previous is None:
            previous = _previous_statuses(plan, [update.action_id], update.period.starts_on)
        goal_code, strategy_code = goal_of_action(actions[update.action_id].code)
        changes.append(
            Change(
                action=actions[update.action_id],
                goal_code=goal_code,
                strategy_code=strategy_code,
                period_name=update.period.localized("name", language),
                status=status_by_id.get(update.status_id),
                previous_status=previous.get(update.action_id),
                narrative=update.localized_narrative(language),
                published_at=update.published_at,
            )
        )
    return changes


def quarter_changes(
    plan: PublicPlan | None, *, today: dt.date | None = None, language: str | None = None
) -> QuarterChanges | None:
    """The latest reporting period that has ended, with every published update of it; None before the first
    period ends. A fixed number of queries plus one per update (a quarter has tens, not thousands)."""
    if plan is None:
        return None
    today = today or timezone.localdate()
    language = _language_of(language)
    periods = list(
        ReportingPeriod.objects.filter(plan_id=plan.version.plan_id, ends_on__lt=today).order_by(
            "-starts_on"
        )[:2]
    )
    if not periods:
        return None
    actions = _public_actions(plan)
    updates = list(
        ProgressUpdate.objects.filter(
            period=periods[0], state=UpdateState.PUBLISHED, action_id__in=list(actions)
        ).select_related("period")
    )
    previous = _previous_statuses(plan, [update.action_id for update in updates], periods[0].starts_on)
    changes = sorted(
        _changes(plan, updates, actions, language, previous), key=lambda change: code_key(change.action.code)
    )
    previous_period = periods[1] if len(periods) > 1 else None
    return QuarterChanges(
        period=periods[0],
        previous=previous_period,
        period_name=periods[0].localized("name", language),
        previous_name=previous_period.localized("name", language) if previous_period else "",
        updates=changes,
    )


def goal_changes_since(
    plan: PublicPlan, goal: PublicNode, since: dt.datetime | None, *, language: str | None = None
) -> list[Change]:
    """Updates published on the goal's actions after `since` (all of them when None), oldest first."""
    language = _language_of(language)
    actions = {node.id: node for node in goal.actions()}
    updates = ProgressUpdate.objects.filter(
        action_id__in=list(actions), state=UpdateState.PUBLISHED
    ).select_related("period")
    if since is not None:
        updates = updates.filter(published_at__gt=since)
    ordered = list(updates.order_by("published_at", "pk"))
    return _changes(plan, ordered, actions, language)
