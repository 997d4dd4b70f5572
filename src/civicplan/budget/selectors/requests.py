"""Reads of budget requests: who may see which request, the filtered list, the plan elements a request may cite
and the ranked list council reads.

Visibility: a request nobody has submitted yet (a draft, or a draft withdrawn before it was submitted) is its
department's working paper, seen only by that department's editors, the coordinator and finance staff. Once
submitted, every plan role reads it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from civicplan.accounts.models import Organization
from civicplan.budget.models import BudgetCycle, BudgetRequest, RequestState
from civicplan.lib.codes import code_key
from civicplan.lib.money import format_money
from civicplan.plans.models import Level, Plan, PlanItem

from .calendar import cycles_of, request_window
from .common import fy_label

__all__ = [
    "CITABLE_LEVELS",
    "RANKED_STATES",
    "RankedRequest",
    "Ranking",
    "RequestView",
    "can_see_request",
    "citable_items",
    "default_cycle",
    "item_choices",
    "ranking",
    "request_list",
    "request_view",
    "visible_requests",
]

CITABLE_LEVELS = (Level.GOAL, Level.STRATEGY, Level.ACTION)
RANKED_STATES = (RequestState.SUBMITTED, RequestState.ADOPTED, RequestState.NOT_FUNDED)
NO_PRIORITY = 10**6  # ranks after every real priority


def _sees_every_draft(user: Any) -> bool:
    """The coordinator and finance staff read every department's drafts (they help write and score them)."""
    return bool(user.has_perm("budget.manage_budget"))


def visible_requests(user: Any) -> QuerySet[BudgetRequest]:
    """The requests `user` may read: every submitted one, plus drafts of their own department (all drafts for the
    coordinator and finance)."""
    requests = BudgetRequest.objects.all()
    if not user.has_perm("budget.view_budget"):
        return requests.none()
    if _sees_every_draft(user):
        return requests
    shown = Q(submitted_at__isnull=False)
    if getattr(user, "department_id", None):
        shown |= Q(department_id=user.department_id)
    return requests.filter(shown)


def can_see_request(user: Any, budget_request: BudgetRequest) -> bool:
    if not user.has_perm("budget.view_budget"):
        return False
    if budget_request.submitted_at is not None or _sees_every_draft(user):
        return True
    return bool(
        budget_request.department_id and budget_request.department_id == getattr(user, "department_id", None)
    )


@dataclass(frozen=True)
class RequestView:
    """A request with what its pages print: the fiscal year's label and the amounts as money."""

    request: BudgetRequest
    items: list[PlanItem]
    year_label: str
    amount_text: str
    adopted_text: str


def request_view(budget_request: BudgetRequest) -> RequestView:
    """Reads `items` through the prefetch when there is one."""
    return RequestView(
        request=budget_request,
        items=sorted(budget_request.items.all(), key=lambda item: code_key(item.code)),
        year_label=fy_label(budget_request.fiscal_year, budget_request.cycle.organization),
        amount_text=format_money(budget_request.amount, cents=True),
        adopted_text=format_money(budget_request.adopted_amount, cents=True),
    )


def _with_details(requests: QuerySet[BudgetRequest]) -> QuerySet[BudgetRequest]:
    return requests.select_related("department", "fund", "cycle__organization", "line").prefetch_related(
        Prefetch("items", queryset=PlanItem.objects.order_by("code"))
    )


def request_list(
    user: Any,
    *,
    organization: Organization,
    cycle_id: int | None = None,
    state: str | None = None,
    department_id: int | None = None,
) -> list[RequestView]:
    """What `user` may read, filtered; newest cycle first, then department and title. Two queries."""
    requests = visible_requests(user).filter(cycle__organization=organization)
    if cycle_id is not None:
        requests = requests.filter(cycle_id=cycle_id)
    if state:
        requests = requests.filter(state=state)
    if department_id is not None:
        requests = requests.filter(department_id=department_id)
    ordered = requests.order_by("-cycle__first_fiscal_year", "department__name_en", "title_en", "pk")
    return [request_view(budget_request) for budget_request in _with_details(ordered)]


def default_cycle(organization: Organization, today: dt.date | None = None) -> BudgetCycle | None:
    """The cycle a department most likely means: the one whose request window is open, else the next one to
    open, else the newest."""
    today = today or timezone.localdate()
    cycles = list(cycles_of(organization))
    if not cycles:
        return None
    windows = [(cycle, request_window(cycle, today)) for cycle in cycles]
    for wanted in ("open", "upcoming"):
        matching = [cycle for cycle, window in windows if window.state == wanted]
        if matching:
            return min(matching, key=lambda cycle: cycle.first_fiscal_year)
    return cycles[0]


# --- Citable plan elements ----------------------------------------------------------------------------------------


def citable_items(plan: Plan | None) -> QuerySet[PlanItem]:
    """Goals, strategies and actions of `plan` that are not archived, in code order."""
    if plan is None:
        return PlanItem.objects.none()
    return (
        PlanItem.objects.filter(plan=plan, level__in=CITABLE_LEVELS, archived_at__isnull=True)
        .select_related("parent")
        .order_by("code")
    )


def item_choices(plan: Plan | None) -> list[tuple[str, list[tuple[int, str]]]]:
    """Choices for the multi-select, one group per priority (in the council's order): "1.2 Title"."""
    if plan is None:
        return []
    priorities = list(
        PlanItem.objects.filter(plan=plan, level=Level.PRIORITY, archived_at__isnull=True).order_by(
            "order", "pk"
        )
    )
    groups: dict[str, list[tuple[int, str]]] = {priority.code: [] for priority in priorities}
    for item in sorted(citable_items(plan), key=lambda item: code_key(item.code)):
        root = item.code.split(".")[0]
        groups.setdefault(root, []).append((item.pk, f"{item.code} {item.localized('title')}"))
    labels = {priority.code: f"{priority.code} {priority.localized('title')}" for priority in priorities}
    return [(labels.get(code, code), choices) for code, choices in groups.items() if choices]


# --- Ranking ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RankedRequest:
    rank: int
    view: RequestView
    priority: PlanItem | None  # the highest-ranked priority among the cited elements
    running_total: Decimal  # requested amounts of this and every request ranked above it

    @property
    def request(self) -> BudgetRequest:
        return self.view.request

    @property
    def running_text(self) -> str:
        return format_money(self.running_total, cents=True)


@dataclass(frozen=True)
class Ranking:
    rows: list[RankedRequest]
    total_requested: Decimal
    total_adopted: Decimal
    unscored: int

    @property
    def requested_text(self) -> str:
        return format_money(self.total_requested, cents=True)

    @property
    def adopted_text(self) -> str:
        return format_money(self.total_adopted, cents=True)


def _priorities(plan_ids: set[int]) -> dict[tuple[int, str], tuple[int, PlanItem]]:
    """(plan, priority code) -> (position in the council's order, the priority)."""
    priorities = PlanItem.objects.filter(plan_id__in=plan_ids, level=Level.PRIORITY).order_by(
        "plan_id", "order", "pk"
    )
    result: dict[tuple[int, str], tuple[int, PlanItem]] = {}
    for position, priority in enumerate(priorities):
        result[(priority.plan_id, priority.code)] = (position, priority)
    return result


def _best_priority(
    items: list[PlanItem], priorities: dict[tuple[int, str], tuple[int, PlanItem]]
) -> tuple[int, PlanItem | None]:
    found = [priorities.get((item.plan_id, item.code.split(".")[0])) for item in items]
    ranked = [entry for entry in found if entry is not None]
    if not ranked:
        return NO_PRIORITY, None
    return min(ranked, key=lambda entry: entry[0])


def ranking(cycle: BudgetCycle) -> Ranking:
    """The cycle's submitted and decided requests, best first: total score (unscored last), then the council's
    order of the best priority a request advances, then the smaller amount. Four queries whatever the count."""
    requests = list(
        _with_details(BudgetRequest.objects.filter(cycle=cycle, state__in=RANKED_STATES)).order_by("pk")
    )
    plan_ids = {item.plan_id for request in requests for item in request.items.all()}
    priorities = _priorities(plan_ids)
    keyed = []
    for request in requests:
        view = request_view(request)
        position, priority = _best_priority(view.items, priorities)
        score = request.score
        key = (score is None, -(score or 0), position, request.amount, request.pk)
        keyed.append((key, view, priority))
    keyed.sort(key=lambda entry: entry[0])
    rows = []
    running = Decimal(0)
    for rank, (_key, view, priority) in enumerate(keyed, start=1):
        running += view.request.amount
        rows.append(RankedRequest(rank=rank, view=view, priority=priority, running_total=running))
    adopted = sum(
        (r.adopted_amount or Decimal(0) for r in requests if r.state == RequestState.ADOPTED), Decimal(0)
    )
    return Ranking(
        rows=rows,
        total_requested=running,
        total_adopted=adopted,
        unscored=sum(1 for r in requests if r.score is None),
    )
