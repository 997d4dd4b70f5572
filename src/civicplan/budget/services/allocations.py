"""Linking budget lines to plan elements, and each action's funding per fiscal year.

The arithmetic lives in `split_line`: a line's amount is split among its allocations to the cent, and what no
allocation takes is "outside the plan"; the parts and the rest always add up to the line."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from civicplan.accounts.models import User
from civicplan.budget.models import HUNDRED, ActionFunding, Allocation, BudgetLine, Fund, FundingStatus
from civicplan.core.history import record_change
from civicplan.core.models import ContentGeneration
from civicplan.lib.money import CENT, share_of, split_amount
from civicplan.plans.models import Level, PlanItem

__all__ = [
    "ALLOCATABLE_LEVELS",
    "FundingConflict",
    "LineSplit",
    "allocate_line",
    "remove_allocation",
    "set_action_funding",
    "split_line",
]

ALLOCATABLE_LEVELS = (Level.GOAL, Level.STRATEGY, Level.ACTION)


def _require(user: User, perm: str, obj: Any = None) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied(_("You do not have permission to do this."))


# --- Arithmetic -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineSplit:
    """A line's amount split among its allocations: `parts[i]` for the i-th allocation, `rest` for what serves no
    plan element. `sum(parts) + rest == amount`, to the cent."""

    amount: Decimal
    parts: list[Decimal]
    rest: Decimal


def split_line(amount: Decimal, allocations: list[tuple[Decimal | None, Decimal | None]]) -> LineSplit:
    """Split `amount` among allocations given as (share_percent, fixed amount) pairs, one of the two set.

    Percentage shares apply to the whole line and are split with the largest-remainder rule together with the
    unclaimed rest, so no cent is lost or invented. Fixed amounts then come out of that rest, capped at what is
    left (which only matters when a line shrinks after it was allocated, e.g. a revised budget)."""
    parts: list[Decimal] = [Decimal(0)] * len(allocations)
    shared = [(index, share) for index, (share, _fixed) in enumerate(allocations) if share is not None]
    rest = amount
    if shared:
        claimed = sum((share for _index, share in shared), Decimal(0))
        weights = [share for _index, share in shared] + [max(HUNDRED - claimed, Decimal(0))]
        pieces = split_amount(amount, weights)
        for (index, _share), piece in zip(shared, pieces, strict=False):
            parts[index] = piece
        rest = pieces[-1]
    sign = -1 if amount < 0 else 1
    for index, (share, fixed) in enumerate(allocations):
        if share is None and fixed is not None:
            take = min(abs(fixed), max(abs(rest), Decimal(0))) if sign * rest > 0 else Decimal(0)
            parts[index] = (sign * take).quantize(CENT)
            rest -= parts[index]
    return LineSplit(amount=amount, parts=parts, rest=rest)


# --- Allocations ----------------------------------------------------------------------------------------------


def _check_part(
    line: BudgetLine, share_percent: Decimal | None, amount: Decimal | None, exclude: int | None
) -> None:
    if (share_percent is None) == (amount is None):
        raise ValidationError(_("Give either a share in percent or an amount, not both."))
    others = line.allocations.exclude(pk=exclude) if exclude else line.allocations.all()
    other_shares = sum((a.share_percent for a in others if a.share_percent is not None), Decimal(0))
    other_amounts = sum((a.amount for a in others if a.amount is not None), Decimal(0))
    line_amount = line.budgeted if line.budgeted is not None else line.actual_amount or Decimal(0)
    if share_percent is not None:
        if share_percent <= 0 or share_percent > HUNDRED:
            raise ValidationError(_("A share is more than 0% and at most 100%."))
        taken = other_shares + (other_amounts / abs(line_amount) * HUNDRED if line_amount else Decimal(0))
        if taken + share_percent > HUNDRED:
            raise ValidationError(
                _(
                    "This line is already %(taken)s%% allocated; a share of %(share)s%% would take it over 100%%."
                )
                % {
                    "taken": format(taken.quantize(Decimal("0.01")), "f"),
                    "share": format(share_percent.normalize(), "f"),
                }
            )
    if amount is not None:
        if amount <= 0:
            raise ValidationError(_("The amount must be more than zero."))
        taken_amount = other_amounts + share_of(abs(line_amount), other_shares)
        if taken_amount + amount > abs(line_amount):
            raise ValidationError(
                _(
                    "The line is %(line)s and %(taken)s of it is already allocated; %(amount)s would be more than the line."
                )
                % {"line": _money(abs(line_amount)), "taken": _money(taken_amount), "amount": _money(amount)}
            )


def _money(value: Decimal) -> str:
    from civicplan.lib.money import format_money

    return format_money(value, cents=True)


@transaction.atomic
def allocate_line(
    *,
    line: BudgetLine,
    item: PlanItem,
    user: User,
    share_percent: Decimal | None = None,
    amount: Decimal | None = None,
    note: str = "",
) -> Allocation:
    """Link a budget line (or part of it) to a goal, strategy or action. Linking the same element again changes
    its part. Refuses, in words, a part over what is left of the line."""
    _require(user, "budget.manage_budget")
    line = BudgetLine.objects.select_for_update().get(pk=line.pk)
    if item.level not in ALLOCATABLE_LEVELS:
        raise ValidationError(_("Budget lines are linked to goals, strategies or actions."))
    if item.is_archived:
        raise ValidationError(_("%(code)s is archived.") % {"code": item.code})
    existing = Allocation.objects.filter(line=line, item=item).first()
    _check_part(line, share_percent, amount, exclude=existing.pk if existing else None)
    allocation = existing or Allocation(line=line, item=item, created_by=user)
    allocation.share_percent, allocation.amount, allocation.note = share_percent, amount, note
    allocation.full_clean()
    record_change(allocation, user, _("Linked budget line to %(code)s") % {"code": item.code})
    allocation.save()
    ContentGeneration.bump()  # the public "Where the money goes" page reads allocations
    return allocation


@transaction.atomic
def remove_allocation(*, allocation: Allocation, user: User) -> None:
    _require(user, "budget.manage_budget")
    record_change(allocation, user, _("Unlinked budget line"))
    allocation.delete()
    ContentGeneration.bump()


# --- Action funding -------------------------------------------------------------------------------------------


class FundingConflict(Exception):
    """Someone saved the action's funding for that year after this person opened it."""

    def __init__(self, current: ActionFunding) -> None:
        super().__init__("funding edit conflict")
        self.current = current


@transaction.atomic
def set_action_funding(
    *,
    action: PlanItem,
    fiscal_year: int,
    user: User,
    status: str,
    estimated_cost: Decimal | None = None,
    fund: Fund | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> ActionFunding:
    """Record an action's estimated cost, funding status and source fund for one fiscal year (one row per year;
    saving again updates it, and `expected_version` guards against a silent overwrite)."""
    _require(user, "budget.change_funding", action)
    if action.level != Level.ACTION:
        raise ValidationError(_("Funding status is kept for actions."))
    if status not in FundingStatus.values:
        raise ValidationError(_("Unknown funding status %(status)s.") % {"status": status})
    if estimated_cost is not None and estimated_cost < 0:
        raise ValidationError(_("The estimated cost cannot be negative."))
    first, last = action.plan.start_fiscal_year, action.plan.start_fiscal_year + action.plan.years - 1
    if not first <= fiscal_year <= last:
        raise ValidationError(_("That fiscal year is outside the plan."))
    funding = ActionFunding.objects.select_for_update().filter(action=action, fiscal_year=fiscal_year).first()
    if funding is None:
        funding = ActionFunding(action=action, fiscal_year=fiscal_year)
    elif expected_version is not None and funding.lock_version != expected_version:
        raise FundingConflict(funding)
    else:
        funding.lock_version += 1
    funding.status, funding.estimated_cost, funding.fund, funding.note = status, estimated_cost, fund, note
    funding.full_clean()
    record_change(funding, user, _("Funding for FY %(year)s") % {"year": fiscal_year})
    funding.save()
    ContentGeneration.bump()
    return funding
