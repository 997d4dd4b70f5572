"""Departments' budget requests through their life: written (draft), submitted in the request window, scored by
the coordinator and finance, then adopted (it becomes a funded budget line allocated to the plan elements it cites)
or not funded; a department may withdraw it before the decision.

States are said in words, never with a 403: a request being scored cannot be edited ("ask the coordinator"), a
decided one cannot change, a late one can only be entered by the coordinator. Each write is one transaction with a
history row naming who and why."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from civicplan.accounts.models import Department, User
from civicplan.budget.models import (
    REQUEST_PROGRAM,
    ActionFunding,
    BudgetCycle,
    BudgetLine,
    BudgetRequest,
    Fund,
    FundingStatus,
    RequestState,
)
from civicplan.budget.selectors.calendar import request_window, window_message
from civicplan.budget.selectors.requests import CITABLE_LEVELS
from civicplan.core.history import record_change
from civicplan.core.models import ContentGeneration
from civicplan.lib.money import split_amount
from civicplan.plans.models import Level, PlanItem

from .allocations import allocate_line, set_action_funding

__all__ = [
    "REQUEST_PROGRAM",
    "SCORE_FIELDS",
    "RequestConflict",
    "decide_request",
    "save_request",
    "score_request",
    "state_problem",
    "submit_request",
    "withdraw_request",
]

SCORE_FIELDS = ("score_alignment", "score_need", "score_readiness")
ADOPT, NOT_FUNDED = "adopt", "not_funded"


class RequestConflict(Exception):
    """Someone saved the request after this person opened it."""

    def __init__(self, current: BudgetRequest) -> None:
        super().__init__("budget request edit conflict")
        self.current = current


def _require(user: User, perm: str, obj: Any = None) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied(_("You do not have permission to do this."))


def _date(value: dt.date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def _may_enter_late(user: User) -> bool:
    """The coordinator (and finance, who hold the same budget rights) may enter a request outside the window."""
    return bool(user.has_perm("budget.manage_budget"))


def _check_window(cycle: BudgetCycle, user: User, today: dt.date | None) -> None:
    if _may_enter_late(user):
        return
    window = request_window(cycle, today)
    if not window.is_open:
        raise ValidationError(window_message(cycle, window))


def _locked(budget_request: BudgetRequest, expected_version: int | None) -> BudgetRequest:
    current = (
        BudgetRequest.objects.select_for_update()
        .select_related("cycle__organization")
        .get(pk=budget_request.pk)
    )
    if expected_version is not None and current.lock_version != expected_version:
        raise RequestConflict(current)
    return current


def state_problem(budget_request: BudgetRequest) -> str | None:
    """Why the request's content can no longer change, or None while it can."""
    state = budget_request.state
    if state == RequestState.DRAFT:
        return None
    if state == RequestState.SUBMITTED:
        if any(getattr(budget_request, name) is not None for name in SCORE_FIELDS):
            return _("This request is being scored, so it can no longer be changed: ask the coordinator.")
        return None
    if state == RequestState.WITHDRAWN:
        return _("This request was withdrawn; it can no longer be changed.")
    return _("This request was decided (%(state)s); it can no longer be changed.") % {
        "state": budget_request.get_state_display()
    }


def _save(budget_request: BudgetRequest, user: User, reason: str) -> None:
    budget_request.lock_version += 1
    budget_request.full_clean()
    record_change(budget_request, user, reason)
    budget_request.save()


# --- Writing ------------------------------------------------------------------------------------------------------


def _check_items(items: list[PlanItem], cycle: BudgetCycle) -> None:
    for item in items:
        if item.level not in CITABLE_LEVELS:
            raise ValidationError(
                {
                    "items": _("A request cites goals, strategies or actions (%(code)s is not one).")
                    % {"code": item.code}
                }
            )
        if item.archived_at is not None:
            raise ValidationError(
                {
                    "items": _("%(code)s is archived: cite an element of the current plan.")
                    % {"code": item.code}
                }
            )
        if item.plan.organization_id != cycle.organization_id:
            raise ValidationError(
                {"items": _("%(code)s belongs to another organization's plan.") % {"code": item.code}}
            )


def _apply(budget_request: BudgetRequest, cycle: BudgetCycle, data: dict[str, Any]) -> None:
    year = int(data["fiscal_year"])
    if year not in cycle.fiscal_years:
        raise ValidationError({"fiscal_year": _("Choose a fiscal year of this budget cycle.")})
    amount = Decimal(data["amount"])
    if amount <= 0:
        raise ValidationError({"amount": _("The amount must be more than zero.")})
    fund: Fund = data["fund"]
    if fund.organization_id != cycle.organization_id:
        raise ValidationError({"fund": _("Choose one of the city's funds.")})
    budget_request.fiscal_year, budget_request.amount, budget_request.fund = year, amount, fund
    for name in ("title_en", "title_es", "justification_en", "justification_es"):
        setattr(budget_request, name, (data.get(name) or "").strip())


def _department_for(user: User, cycle: BudgetCycle, wanted: Department | None) -> Department:
    """Editors write for their own department; the coordinator chooses."""
    department = wanted if _may_enter_late(user) else getattr(user, "department", None)
    if department is None:
        raise ValidationError({"department": _("Choose the department asking for the money.")})
    if department.organization_id != cycle.organization_id:
        raise ValidationError({"department": _("Choose one of the city's departments.")})
    return department


@transaction.atomic
def save_request(
    *,
    user: User,
    cycle: BudgetCycle,
    data: dict[str, Any],
    budget_request: BudgetRequest | None = None,
    expected_version: int | None = None,
    today: dt.date | None = None,
) -> BudgetRequest:
    """Create a draft, or change a draft (or a submitted request nobody has scored yet). `data` holds title and
    justification in both languages, amount, fund, fiscal_year, items (plan elements) and, for the coordinator,
    department. A department creates requests only while the cycle's window is open. Raises RequestConflict when
    someone saved since `expected_version`."""
    if budget_request is None:
        _require(user, "budget.add_request")
        department = _department_for(user, cycle, data.get("department"))
        _require(user, "budget.write_request", BudgetRequest(department=department))
        _check_window(cycle, user, today)
        current = BudgetRequest(cycle=cycle, department=department, created_by=user, lock_version=0)
        reason = _("Request written")
    else:
        _require(user, "budget.write_request", budget_request)
        current = _locked(budget_request, expected_version)
        problem = state_problem(current)
        if problem:
            raise ValidationError(problem)
        if _may_enter_late(user) and data.get("department") is not None:
            current.department = _department_for(user, cycle, data["department"])
        reason = _("Request changed")
    items = list(data.get("items") or [])
    _check_items(items, cycle)
    _apply(current, cycle, data)
    if current.state == RequestState.SUBMITTED:
        _check_complete(current, items)  # the public reads a submitted request in both languages
    _save(current, user, reason)
    current.items.set(items)
    if current.state == RequestState.SUBMITTED:
        _mark_requested(current, user)
    return current


def _check_complete(budget_request: BudgetRequest, items: list[PlanItem]) -> None:
    problems = {}
    if not budget_request.title_es:
        problems["title_es"] = _("Add the title in Spanish: the public reads requests in both languages.")
    if not budget_request.justification_es:
        problems["justification_es"] = _(
            "Add the justification in Spanish: the public reads requests in both languages."
        )
    if not items:
        problems["items"] = _("Cite at least one goal, strategy or action this request advances.")
    if problems:
        raise ValidationError(problems)


@transaction.atomic
def submit_request(
    *,
    budget_request: BudgetRequest,
    user: User,
    today: dt.date | None = None,
    expected_version: int | None = None,
) -> BudgetRequest:
    """Hand a draft in: inside the request window (the coordinator may submit late), with the Spanish title and
    justification and at least one cited plan element. Cited actions become "requested" for the fiscal year."""
    _require(user, "budget.write_request", budget_request)
    current = _locked(budget_request, expected_version)
    if current.state != RequestState.DRAFT:
        raise ValidationError(_state_message(current))
    _check_window(current.cycle, user, today)
    _check_complete(current, list(current.items.all()))
    current.state = RequestState.SUBMITTED
    current.submitted_at = _moment(today)
    _save(current, user, _("Submitted"))
    _mark_requested(current, user)
    return current


def _state_message(budget_request: BudgetRequest) -> str:
    if budget_request.state == RequestState.SUBMITTED and budget_request.submitted_at:
        return _("This request was already submitted, on %(date)s.") % {
            "date": _date(timezone.localtime(budget_request.submitted_at).date())
        }
    return _("This request is %(state)s; only a draft can be submitted.") % {
        "state": budget_request.get_state_display().lower()
    }


def _moment(today: dt.date | None) -> dt.datetime:
    now = timezone.now()
    if today is None or today == timezone.localdate(now):
        return now
    return timezone.make_aware(dt.datetime.combine(today, dt.time(12)))


@transaction.atomic
def withdraw_request(*, budget_request: BudgetRequest, user: User) -> BudgetRequest:
    """The department (or the coordinator) takes back a draft or a submitted request. Cited actions that were
    "requested" only because of it go back to "unfunded"."""
    _require(user, "budget.write_request", budget_request)
    current = _locked(budget_request, None)
    if current.state not in (RequestState.DRAFT, RequestState.SUBMITTED):
        raise ValidationError(
            _("This request is %(state)s; only a draft or a submitted request can be withdrawn.")
            % {"state": current.get_state_display().lower()}
        )
    was_submitted = current.state == RequestState.SUBMITTED
    current.state = RequestState.WITHDRAWN
    _save(current, user, _("Withdrawn"))
    if was_submitted:
        _release_requested(current, user)
    return current


# --- Scoring and deciding -----------------------------------------------------------------------------------------


@transaction.atomic
def score_request(*, budget_request: BudgetRequest, user: User, scores: dict[str, int]) -> BudgetRequest:
    """Score a submitted request 0-3 on each criterion (advances council priorities, need or mandate, ready to
    start). Once scored, the department can no longer change it."""
    _require(user, "budget.score_request", budget_request)
    current = _locked(budget_request, None)
    if current.state != RequestState.SUBMITTED:
        raise ValidationError(
            _("Only submitted requests are scored; this one is %(state)s.")
            % {"state": current.get_state_display().lower()}
        )
    problems = {}
    for name in SCORE_FIELDS:
        value = scores.get(name)
        if value is None or not 0 <= int(value) <= 3:
            problems[name] = _("Give a score from 0 to 3.")
        else:
            setattr(current, name, int(value))
    if problems:
        raise ValidationError(problems)
    _save(current, user, _("Scored %(score)s of 9") % {"score": current.score})
    return current


@transaction.atomic
def decide_request(
    *,
    budget_request: BudgetRequest,
    user: User,
    decision: str,
    adopted_amount: Decimal | None = None,
    note: str = "",
) -> BudgetRequest:
    """Record the council's decision on a submitted request. "adopt" turns it into a budget line of the adopted
    amount (the requested one unless given), allocated in equal parts to the plan elements it cites, and marks its
    cited actions funded; "not_funded" records the note and releases actions that were only "requested"."""
    _require(user, "budget.score_request", budget_request)
    current = _locked(budget_request, None)
    if current.state != RequestState.SUBMITTED:
        raise ValidationError(
            _("Only a submitted request can be decided; this one is %(state)s.")
            % {"state": current.get_state_display().lower()}
        )
    current.decision_note = (note or "").strip()
    if decision == ADOPT:
        _adopt(current, user, adopted_amount if adopted_amount is not None else current.amount)
    elif decision == NOT_FUNDED:
        current.state, current.adopted_amount = RequestState.NOT_FUNDED, None
        _save(current, user, _("Not funded"))
        _release_requested(current, user)
    else:
        raise ValidationError({"decision": _("Choose adopt or not funded.")})
    return current


def _adopt(budget_request: BudgetRequest, user: User, amount: Decimal) -> None:
    if amount <= 0:
        raise ValidationError({"adopted_amount": _("The adopted amount must be more than zero.")})
    items = [item for item in budget_request.items.order_by("code") if item.archived_at is None]
    if not items:
        raise ValidationError(
            _("Every plan element this request cites has been archived: there is nothing to fund it against.")
        )
    line = BudgetLine(
        organization_id=budget_request.cycle.organization_id,
        fiscal_year=budget_request.fiscal_year,
        fund=budget_request.fund,
        department=budget_request.department,
        program=REQUEST_PROGRAM,
        account="",
        description=f"Request #{budget_request.pk}: {budget_request.title_en}"[:500],
        adopted_amount=amount,
        source=f"Budget request #{budget_request.pk}",
    )
    line.full_clean(exclude=["identity"])
    record_change(line, user, _("Adopted budget request #%(id)s") % {"id": budget_request.pk})
    line.save()
    # Equal parts that add up to the line to the cent ($100,000.00 over 3: 33,333.34 + 33,333.33 + 33,333.33).
    parts = split_amount(amount, [Decimal(1)] * len(items))
    for item, part in zip(items, parts, strict=True):
        allocate_line(
            line=line,
            item=item,
            user=user,
            amount=part,
            note=_("From budget request #%(id)s") % {"id": budget_request.pk},
        )
        if item.level == Level.ACTION:
            _fund_action(item, budget_request, user, part)
    budget_request.state, budget_request.adopted_amount, budget_request.line = (
        RequestState.ADOPTED,
        amount,
        line,
    )
    _save(budget_request, user, _("Adopted"))
    ContentGeneration.bump()  # a new line on the public "Where the money goes" page


def _in_plan(action: PlanItem, fiscal_year: int) -> bool:
    plan = action.plan
    return plan.start_fiscal_year <= fiscal_year < plan.start_fiscal_year + plan.years


def _fund_action(action: PlanItem, budget_request: BudgetRequest, user: User, part: Decimal) -> None:
    """The action is funded that year from the request's fund; an estimate already given is kept."""
    if not _in_plan(action, budget_request.fiscal_year):
        return  # the plan keeps funding only for its own fiscal years
    existing = ActionFunding.objects.filter(action=action, fiscal_year=budget_request.fiscal_year).first()
    set_action_funding(
        action=action,
        fiscal_year=budget_request.fiscal_year,
        user=user,
        status=FundingStatus.FUNDED,
        estimated_cost=existing.estimated_cost if existing and existing.estimated_cost is not None else part,
        fund=budget_request.fund,
        note=existing.note if existing else "",
    )


# --- Funding status of cited actions ------------------------------------------------------------------------------


def _cited_actions(budget_request: BudgetRequest) -> list[PlanItem]:
    return [
        item
        for item in budget_request.items.select_related("plan").filter(
            level=Level.ACTION, archived_at__isnull=True
        )
        if _in_plan(item, budget_request.fiscal_year)
    ]


def _set_status(funding: ActionFunding, status: str, user: User, reason: str) -> None:
    """A consequence of the request, written directly: the department submitting it may not hold
    `budget.change_funding` on every action it cites, and the status only says money was asked for."""
    if funding.pk:
        funding.lock_version += 1
    funding.status = status
    funding.full_clean()
    record_change(funding, user, reason)
    funding.save()


def _mark_requested(budget_request: BudgetRequest, user: User) -> None:
    """Submitting shows on the gaps page: each cited action without funding that year becomes "requested"."""
    changed = False
    reason = _("Requested in budget request #%(id)s") % {"id": budget_request.pk}
    for action in _cited_actions(budget_request):
        funding = ActionFunding.objects.select_for_update().filter(
            action=action, fiscal_year=budget_request.fiscal_year
        ).first() or ActionFunding(action=action, fiscal_year=budget_request.fiscal_year)
        if funding.pk is None or funding.status == FundingStatus.UNFUNDED:
            _set_status(funding, str(FundingStatus.REQUESTED), user, reason)
            changed = True
    if changed:
        ContentGeneration.bump()


def _release_requested(budget_request: BudgetRequest, user: User) -> None:
    """Actions "requested" only through this request go back to "unfunded" (another submitted request citing
    them for the same year keeps them requested)."""
    changed = False
    reason = _("Budget request #%(id)s was %(state)s") % {
        "id": budget_request.pk,
        "state": budget_request.get_state_display().lower(),
    }
    for action in _cited_actions(budget_request):
        still_asked = (
            BudgetRequest.objects.filter(
                items=action, fiscal_year=budget_request.fiscal_year, state=RequestState.SUBMITTED
            )
            .exclude(pk=budget_request.pk)
            .exists()
        )
        funding = (
            ActionFunding.objects.select_for_update()
            .filter(action=action, fiscal_year=budget_request.fiscal_year)
            .first()
        )
        if funding is not None and funding.status == FundingStatus.REQUESTED and not still_asked:
            _set_status(funding, str(FundingStatus.UNFUNDED), user, reason)
            changed = True
    if changed:
        ContentGeneration.bump()
