"""Where the money goes: budget lines split among the plan elements they serve, rolled up the plan tree, and the
totals, gaps and per-action figures built on that split.

One computation serves every page, export and command, so they all show the same numbers: a fiscal year's lines
and allocations are loaded in two queries (`load_years`), each line is split to the cent by `split_line`, and the
parts are rolled up from action to strategy to goal to priority (`roll_up`). What no allocation claims is "outside
the plan". Priority totals plus "outside the plan" always equal the year's total, exactly."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from django.db.models import Case, DecimalField, Exists, F, OuterRef, Prefetch, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext, gettext_lazy

from civicplan.accounts.models import Department, Organization
from civicplan.budget.models import (
    AMOUNT_FIELDS,
    MONEY,
    ActionFunding,
    Allocation,
    BudgetLine,
    Fund,
    FundingStatus,
)
from civicplan.budget.selectors.common import budget_years, current_fiscal_year, plan_fiscal_years
from civicplan.budget.services.allocations import split_line
from civicplan.lib.codes import code_key
from civicplan.lib.money import format_money
from civicplan.plans.models import Level, Plan, PlanItem

__all__ = [
    "FUNDED_STATUSES",
    "KIND_CHOICES",
    "ActionGap",
    "ActionMoney",
    "FundingYear",
    "Gaps",
    "LineDetail",
    "LinePart",
    "LineRow",
    "MoneyRow",
    "PlanMoney",
    "PlanTree",
    "PublicMoney",
    "TotalRow",
    "Totals",
    "UnlinkedLines",
    "YearData",
    "YearMoney",
    "action_funding_years",
    "action_money",
    "budget_gaps",
    "budget_lines",
    "budget_totals",
    "choose_fiscal_year",
    "choose_kind",
    "code_key",
    "item_money_by_year",
    "kind_label",
    "line_detail",
    "load_years",
    "percent_of",
    "plan_money",
    "plan_tree",
    "public_money",
    "roll_up",
    "year_money",
]

ZERO = Decimal(0)
TENTH = Decimal("0.1")
# Which amounts a page adds up. "budgeted" is what the city plans to spend: revised once there is one, else adopted.
KIND_CHOICES: list[tuple[str, Any]] = [
    ("adopted", gettext_lazy("Adopted")),
    ("revised", gettext_lazy("Revised")),
    ("actual", gettext_lazy("Actual")),
    ("budgeted", gettext_lazy("Budgeted (revised, else adopted)")),
]
KINDS = [kind for kind, _label in KIND_CHOICES]
# An action counts as funded in a year with either of these statuses (or with money allocated to it).
FUNDED_STATUSES = {FundingStatus.FUNDED, FundingStatus.PARTIAL}


def kind_label(kind: str) -> str:
    return str(dict(KIND_CHOICES)[kind])


def choose_kind(raw: str | None) -> str:
    return raw if raw in KINDS else "adopted"


def choose_fiscal_year(organization: Organization, raw: str | None, years: list[int] | None = None) -> int:
    """The fiscal year a page shows: `?year=` when it is a year; else the current fiscal year if it has budget
    lines; else the latest year that has some; else the current fiscal year (an empty page says so)."""
    if raw and raw.strip().isdigit() and 1900 <= int(raw) <= 2999:
        return int(raw)
    years = budget_years(organization) if years is None else years
    current = current_fiscal_year(organization)
    if current in years or not years:
        return current
    return years[-1]


def percent_of(part: Decimal, whole: Decimal | None) -> Decimal | None:
    """`part` as a percentage of `whole`, to a tenth; None when there is no whole to compare with."""
    if not whole:
        return None
    return (part / abs(whole) * 100).quantize(TENTH, rounding=ROUND_HALF_EVEN)


def _money_field() -> DecimalField:
    return DecimalField(**MONEY)


def _amount_expression(kind: str) -> Any:
    if kind == "budgeted":
        return Coalesce(F("revised_amount"), F("adopted_amount"), output_field=_money_field())
    return F(AMOUNT_FIELDS[kind])


# --- The plan tree --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanTree:
    """Every item of a plan from one query: by id, each one's parent, and the children in plan order."""

    items: dict[int, PlanItem]
    parent_of: dict[int, int | None]
    children: dict[int | None, list[int]]

    def active(self, item_id: int) -> bool:
        """Not archived, and no archived ancestor."""
        node: int | None = item_id
        while node is not None:
            if self.items[node].archived_at is not None:
                return False
            node = self.parent_of[node]
        return True

    def subtree(self, item_id: int) -> list[int]:
        found = [item_id]
        for child in self.children.get(item_id, []):
            found.extend(self.subtree(child))
        return found

    def ancestor(self, item_id: int, level: str) -> PlanItem | None:
        node: int | None = item_id
        while node is not None:
            if self.items[node].level == level:
                return self.items[node]
            node = self.parent_of[node]
        return None

    def of_level(self, level: str, *, active_only: bool = True) -> list[PlanItem]:
        found = [item for item in self.items.values() if item.level == level]
        if active_only:
            found = [item for item in found if self.active(item.pk)]
        return sorted(found, key=lambda item: code_key(item.code))


def plan_tree(plan: Plan) -> PlanTree:
    items = {
        item.pk: item
        for item in PlanItem.objects.filter(plan_id=plan.pk)
        .select_related("department")
        .only(
            "id",
            "plan_id",
            "parent_id",
            "level",
            "code",
            "order",
            "title_en",
            "title_es",
            "archived_at",
            "department__id",
            "department__code",
            "department__name_en",
            "department__name_es",
        )
    }
    children: dict[int | None, list[int]] = defaultdict(list)
    for item in sorted(items.values(), key=lambda i: (i.order, code_key(i.code))):
        children[item.parent_id].append(item.pk)
    return PlanTree(
        items=items, parent_of={pk: item.parent_id for pk, item in items.items()}, children=children
    )


def roll_up(
    direct: Mapping[int, Decimal], parent_of: Mapping[int, int | None]
) -> tuple[dict[int, Decimal], Decimal]:
    """Money reaching each element: its own allocations plus its descendants'. An allocation to a goal counts for
    the goal and its priority, never for the goal's strategies or actions. Also returns what went to elements that
    are not in this tree (another plan, or a version residents do not see)."""
    reached: dict[int, Decimal] = defaultdict(Decimal)
    elsewhere = ZERO
    for item_id, amount in direct.items():
        if item_id not in parent_of:
            elsewhere += amount
            continue
        node: int | None = item_id
        while node is not None:
            reached[node] += amount
            node = parent_of.get(node)
    return reached, elsewhere


# --- A year's lines and allocations, and their split ------------------------------------------------------------


@dataclass(frozen=True)
class LineAmounts:
    id: int
    proposed: Decimal | None
    adopted: Decimal | None
    revised: Decimal | None
    actual: Decimal | None
    is_transfer: bool

    def amount(self, kind: str) -> Decimal | None:
        if kind == "budgeted":
            return self.revised if self.revised is not None else self.adopted
        value: Decimal | None = getattr(self, kind)
        return value


@dataclass(frozen=True)
class YearData:
    """One fiscal year's lines and, per line, its allocations as (item id, share %, fixed amount) in the order
    `split_line` gives the rounding cents."""

    fiscal_year: int
    lines: dict[int, LineAmounts]
    allocations: dict[int, list[tuple[int, Decimal | None, Decimal | None]]]

    def allocated_items(self) -> set[int]:
        return {item_id for parts in self.allocations.values() for item_id, _share, _fixed in parts}


def load_years(organization: Organization, years: Collection[int]) -> dict[int, YearData]:
    """Lines and allocations of several fiscal years, in two queries whatever their number."""
    lines: dict[int, dict[int, LineAmounts]] = {year: {} for year in years}
    line_year: dict[int, int] = {}
    rows = BudgetLine.objects.filter(organization=organization, fiscal_year__in=list(years)).values_list(
        "id",
        "fiscal_year",
        "proposed_amount",
        "adopted_amount",
        "revised_amount",
        "actual_amount",
        "is_transfer",
    )
    for pk, year, proposed, adopted, revised, actual, is_transfer in rows:
        lines[year][pk] = LineAmounts(pk, proposed, adopted, revised, actual, is_transfer)
        line_year[pk] = year
    allocations: dict[int, dict[int, list[tuple[int, Decimal | None, Decimal | None]]]] = {
        year: defaultdict(list) for year in years
    }
    parts = (
        Allocation.objects.filter(line__organization=organization, line__fiscal_year__in=list(years))
        .order_by("line_id", "pk")
        .values_list("line_id", "item_id", "share_percent", "amount")
    )
    for line_id, item_id, share, fixed in parts:
        allocations[line_year[line_id]][line_id].append((item_id, share, fixed))
    return {year: YearData(year, lines[year], dict(allocations[year])) for year in years}


@dataclass(frozen=True)
class YearMoney:
    """A year's total for one kind of amount and where it goes: `direct[item_id]` is what allocations give each
    element, `unlinked` what no allocation claims. `sum(direct) + unlinked == total`, to the cent."""

    fiscal_year: int
    kind: str
    net_transfers: bool
    total: Decimal
    transfers: Decimal  # the transfer lines' amount: in `total`, unless netted out
    unlinked: Decimal
    direct: dict[int, Decimal]
    line_count: int


def year_money(data: YearData, kind: str, *, net_transfers: bool = False) -> YearMoney:
    total = transfers = unlinked = ZERO
    direct: dict[int, Decimal] = defaultdict(Decimal)
    count = 0
    for line in data.lines.values():
        amount = line.amount(kind)
        if amount is None:
            continue
        if line.is_transfer:
            transfers += amount
            if net_transfers:
                continue
        count += 1
        total += amount
        parts = data.allocations.get(line.id, [])
        split = split_line(amount, [(share, fixed) for _item, share, fixed in parts])
        for (item_id, _share, _fixed), part in zip(parts, split.parts, strict=True):
            direct[item_id] += part
        unlinked += split.rest
    return YearMoney(data.fiscal_year, kind, net_transfers, total, transfers, unlinked, dict(direct), count)


# --- Money by priority and goal (staff overview, export, command) -----------------------------------------------


class _ChangeMixin:
    amount: Decimal
    previous: Decimal | None

    @property
    def change(self) -> Decimal | None:
        return None if self.previous is None else self.amount - self.previous

    @property
    def change_percent(self) -> Decimal | None:
        """None when last year had nothing to compare with (no lines, or zero)."""
        if not self.previous:
            return None
        return percent_of(self.amount - self.previous, self.previous)

    @property
    def amount_text(self) -> str:
        return format_money(self.amount)

    @property
    def previous_text(self) -> str:
        return format_money(self.previous)

    @property
    def change_text(self) -> str:
        change = self.change
        if change is None:
            return "—"
        return ("+" if change > 0 else "") + format_money(change)


@dataclass(frozen=True)
class MoneyRow(_ChangeMixin):
    """A priority or goal (a PlanItem on staff pages, a PublicNode on the public page) and the money reaching it."""

    item: Any
    amount: Decimal
    previous: Decimal | None
    share: Decimal | None  # percent of the year's total
    children: list[MoneyRow] = field(default_factory=list)


@dataclass(frozen=True)
class OutsideMoney(_ChangeMixin):
    amount: Decimal
    previous: Decimal | None


@dataclass(frozen=True)
class PlanMoney(_ChangeMixin):
    fiscal_year: int
    kind: str
    net_transfers: bool
    amount: Decimal  # the year's total
    previous: Decimal | None  # last year's total, None when last year has no lines
    transfers: Decimal
    unlinked: Decimal  # parts of lines no allocation claims
    elsewhere: Decimal  # allocated to elements of another plan
    priorities: list[MoneyRow]
    line_count: int
    previous_outside: Decimal | None = None  # last year's money outside the plan, None when no lines

    @property
    def total(self) -> Decimal:
        return self.amount

    @property
    def outside_row(self) -> OutsideMoney:
        """Outside the plan this year and last, with the change, like a priority's row."""
        return OutsideMoney(self.outside, self.previous_outside)

    @property
    def outside(self) -> Decimal:
        return self.unlinked + self.elsewhere

    @property
    def linked(self) -> Decimal:
        return self.amount - self.outside

    @property
    def outside_share(self) -> Decimal | None:
        return percent_of(self.outside, self.amount)

    @property
    def linked_share(self) -> Decimal | None:
        return percent_of(self.linked, self.amount)

    @property
    def linked_text(self) -> str:
        return format_money(self.linked)

    @property
    def outside_text(self) -> str:
        return format_money(self.outside)

    @property
    def elsewhere_text(self) -> str:
        return format_money(self.elsewhere)

    @property
    def transfers_text(self) -> str:
        return format_money(self.transfers)


def plan_money(
    plan: Plan | None,
    organization: Organization,
    fiscal_year: int,
    *,
    kind: str = "adopted",
    net_transfers: bool = False,
    tree: PlanTree | None = None,
    years: list[int] | None = None,
) -> PlanMoney:
    """Money reaching each priority and goal of the plan in a fiscal year, with last year's for comparison.
    Five queries (plan items, two years of lines and allocations, which years have lines)."""
    if tree is None:
        tree = plan_tree(plan) if plan else PlanTree(items={}, parent_of={}, children={})
    years = budget_years(organization) if years is None else years
    loaded = load_years(organization, [fiscal_year, fiscal_year - 1])
    now = year_money(loaded[fiscal_year], kind, net_transfers=net_transfers)
    has_previous = (fiscal_year - 1) in years
    before = year_money(loaded[fiscal_year - 1], kind, net_transfers=net_transfers) if has_previous else None
    reached, elsewhere = roll_up(now.direct, tree.parent_of)
    reached_before, elsewhere_before = roll_up(before.direct, tree.parent_of) if before else ({}, ZERO)

    def row(item: PlanItem, children: list[MoneyRow]) -> MoneyRow:
        amount = reached.get(item.pk, ZERO)
        previous = reached_before.get(item.pk, ZERO) if before else None
        return MoneyRow(item, amount, previous, percent_of(amount, now.total), children)

    priorities = []
    for priority_id in tree.children.get(None, []):
        priority = tree.items[priority_id]
        goals = [tree.items[pk] for pk in tree.children.get(priority_id, [])]
        goal_rows = [row(goal, []) for goal in goals if tree.active(goal.pk) or reached.get(goal.pk)]
        if tree.active(priority_id) or reached.get(priority_id):
            priorities.append(row(priority, goal_rows))
    return PlanMoney(
        fiscal_year=fiscal_year,
        kind=kind,
        net_transfers=net_transfers,
        amount=now.total,
        previous=before.total if before else None,
        transfers=now.transfers,
        unlinked=now.unlinked,
        elsewhere=elsewhere,
        priorities=priorities,
        line_count=now.line_count,
        previous_outside=before.unlinked + elsewhere_before if before else None,
    )


# --- Residents' view: the adopted plan only -------------------------------------------------------------------


@dataclass(frozen=True)
class PublicMoney:
    """The adopted budget by priority of the adopted plan. `not_adopted` is money linked to elements that are
    not in the adopted version yet; `unlinked` serves no plan element. Priorities + both == total."""

    fiscal_year: int
    total: Decimal
    transfers: Decimal
    net_transfers: bool
    priorities: list[MoneyRow]
    unlinked: Decimal
    not_adopted: Decimal
    line_count: int

    @property
    def total_text(self) -> str:
        return format_money(self.total)

    @property
    def transfers_text(self) -> str:
        return format_money(self.transfers)

    @property
    def unlinked_text(self) -> str:
        return format_money(self.unlinked)

    @property
    def not_adopted_text(self) -> str:
        return format_money(self.not_adopted)

    @property
    def unlinked_share(self) -> Decimal | None:
        return percent_of(self.unlinked, self.total)

    @property
    def not_adopted_share(self) -> Decimal | None:
        return percent_of(self.not_adopted, self.total)


def public_money(public_plan: Any, organization: Organization, fiscal_year: int) -> PublicMoney:
    """Adopted amounts, interfund transfers netted out (they move money between the city's own funds and would
    count it twice), rolled up the ADOPTED version's tree: a draft element never appears, and money linked to one
    counts as "not yet in the adopted plan". Two queries beyond the public plan."""
    data = load_years(organization, [fiscal_year])[fiscal_year]
    money = year_money(data, "adopted", net_transfers=True)
    parent_of: dict[int, int | None] = {}
    for priority in public_plan.priorities:
        _public_parents(priority, None, parent_of)
    reached, not_adopted = roll_up(money.direct, parent_of)
    priorities = [
        MoneyRow(
            priority,
            reached.get(priority.id, ZERO),
            None,
            percent_of(reached.get(priority.id, ZERO), money.total),
            [
                MoneyRow(
                    goal,
                    reached.get(goal.id, ZERO),
                    None,
                    percent_of(reached.get(goal.id, ZERO), money.total),
                )
                for goal in priority.children
            ],
        )
        for priority in public_plan.priorities
    ]
    return PublicMoney(
        fiscal_year=fiscal_year,
        total=money.total,
        transfers=money.transfers,
        net_transfers=True,
        priorities=priorities,
        unlinked=money.unlinked,
        not_adopted=not_adopted,
        line_count=money.line_count,
    )


def _public_parents(node: Any, parent: int | None, parent_of: dict[int, int | None]) -> None:
    parent_of[node.id] = parent
    for child in node.children:
        _public_parents(child, node.id, parent_of)


# --- Totals by fund and by department -------------------------------------------------------------------------


@dataclass(frozen=True)
class TotalRow:
    group: Fund | Department
    gross: Decimal  # every line, interfund transfers included
    transfers: Decimal
    net_transfers: bool

    @property
    def net(self) -> Decimal:
        return self.gross - self.transfers

    @property
    def amount(self) -> Decimal:
        return self.net if self.net_transfers else self.gross

    @property
    def code(self) -> str:
        return str(self.group.code)

    def name(self, language: str | None = None) -> str:
        return self.group.localized("name", language)

    @property
    def gross_text(self) -> str:
        return format_money(self.gross)

    @property
    def transfers_text(self) -> str:
        return format_money(self.transfers)

    @property
    def net_text(self) -> str:
        return format_money(self.net)

    @property
    def amount_text(self) -> str:
        return format_money(self.amount)


@dataclass(frozen=True)
class Totals:
    by: str  # "fund" or "department"
    fiscal_year: int
    kind: str
    net_transfers: bool
    rows: list[TotalRow]

    @property
    def gross(self) -> Decimal:
        return sum((row.gross for row in self.rows), ZERO)

    @property
    def transfers(self) -> Decimal:
        return sum((row.transfers for row in self.rows), ZERO)

    @property
    def net(self) -> Decimal:
        return self.gross - self.transfers

    @property
    def total(self) -> Decimal:
        return self.net if self.net_transfers else self.gross

    @property
    def total_text(self) -> str:
        return format_money(self.total)

    @property
    def gross_text(self) -> str:
        return format_money(self.gross)

    @property
    def transfers_text(self) -> str:
        return format_money(self.transfers)

    @property
    def net_text(self) -> str:
        return format_money(self.net)


def budget_totals(
    organization: Organization,
    fiscal_year: int,
    *,
    by: str,
    kind: str = "adopted",
    net_transfers: bool = False,
) -> Totals:
    """A fiscal year's total per fund or per department, with the interfund transfers in each (summed by the
    database). Two queries."""
    if by not in {"fund", "department"}:
        raise ValueError(f"unknown grouping {by!r}")
    amount = _amount_expression(kind)
    sums = (
        BudgetLine.objects.filter(organization=organization, fiscal_year=fiscal_year)
        .values(f"{by}_id")
        .annotate(
            gross=Coalesce(Sum(amount), Value(ZERO), output_field=_money_field()),
            transfers=Coalesce(
                Sum(
                    Case(
                        When(is_transfer=True, then=amount), default=Value(ZERO), output_field=_money_field()
                    )
                ),
                Value(ZERO),
                output_field=_money_field(),
            ),
        )
        .order_by()
    )
    found = {row[f"{by}_id"]: (row["gross"], row["transfers"]) for row in sums}
    model = Fund if by == "fund" else Department
    groups = model.objects.filter(pk__in=list(found))
    ordered = sorted(
        groups, key=lambda g: (g.code, g.name_en) if by == "fund" else (g.name_en.casefold(), g.code)
    )
    rows = [TotalRow(group, found[group.pk][0], found[group.pk][1], net_transfers) for group in ordered]
    return Totals(by=by, fiscal_year=fiscal_year, kind=kind, net_transfers=net_transfers, rows=rows)


# --- Gaps: goals without money, unfunded actions, money without a goal ------------------------------------------


@dataclass(frozen=True)
class ActionGap:
    action: PlanItem
    funding: ActionFunding | None

    @property
    def reason(self) -> str:
        if self.funding is None:
            return gettext("No funding recorded and no budget line linked")
        return str(self.funding.get_status_display())

    @property
    def estimated_text(self) -> str:
        return format_money(self.funding.estimated_cost if self.funding else None)


@dataclass(frozen=True)
class LineRow:
    """A budget line as lists show it, with the plan elements it is linked to."""

    line: BudgetLine
    kind: str = "adopted"

    @property
    def amount(self) -> Decimal | None:
        return self.line.budgeted if self.kind == "budgeted" else self.line.amount(self.kind)

    @property
    def amount_text(self) -> str:
        return format_money(self.amount)

    @property
    def proposed_text(self) -> str:
        return format_money(self.line.proposed_amount)

    @property
    def adopted_text(self) -> str:
        return format_money(self.line.adopted_amount)

    @property
    def revised_text(self) -> str:
        return format_money(self.line.revised_amount)

    @property
    def actual_text(self) -> str:
        return format_money(self.line.actual_amount)

    @property
    def items(self) -> list[PlanItem]:
        """Linked elements (prefetched by `budget_lines`)."""
        return [allocation.item for allocation in self.line.allocations.all()]


@dataclass(frozen=True)
class UnlinkedLines:
    """Budget lines linked to no plan element at all (interfund transfers left out), largest first."""

    lines: list[LineRow]
    count: int
    total: Decimal
    budget_total: Decimal  # the year's total without transfers

    @property
    def share(self) -> Decimal | None:
        return percent_of(self.total, self.budget_total)

    @property
    def total_text(self) -> str:
        return format_money(self.total)

    @property
    def budget_total_text(self) -> str:
        return format_money(self.budget_total)


@dataclass(frozen=True)
class Gaps:
    fiscal_year: int
    kind: str
    goals: list[tuple[PlanItem, PlanItem | None]]  # (goal, its priority)
    actions: list[ActionGap]
    unlinked: UnlinkedLines

    @property
    def marked_unfunded(self) -> int:
        """Actions whose funding status for the year says they lack money (unfunded, requested, deferred)."""
        return sum(1 for gap in self.actions if gap.funding is not None)

    @property
    def not_costed(self) -> int:
        return len(self.actions) - self.marked_unfunded


def budget_gaps(
    plan: Plan,
    organization: Organization,
    fiscal_year: int,
    *,
    kind: str = "adopted",
    limit: int | None = 50,
    tree: PlanTree | None = None,
) -> Gaps:
    """Goals with no funded action and no money in the year; actions not funded in the year; lines that serve no
    plan element. Five queries."""
    tree = tree or plan_tree(plan)
    data = load_years(organization, [fiscal_year])[fiscal_year]
    allocated = data.allocated_items()
    funding = {
        row.action_id: row
        for row in ActionFunding.objects.filter(action__plan=plan, fiscal_year=fiscal_year).select_related(
            "fund"
        )
    }
    funded_actions = {pk for pk, row in funding.items() if row.status in FUNDED_STATUSES}
    goals = []
    for goal in tree.of_level(str(Level.GOAL)):
        subtree = tree.subtree(goal.pk)
        if not (allocated.intersection(subtree) or funded_actions.intersection(subtree)):
            goals.append((goal, tree.ancestor(goal.pk, str(Level.PRIORITY))))
    actions = []
    for action in tree.of_level(str(Level.ACTION)):
        row = funding.get(action.pk)
        unfunded = row.status not in FUNDED_STATUSES if row else action.pk not in allocated
        if unfunded:
            actions.append(ActionGap(action, row))
    # What someone marked unfunded, requested or deferred comes first; actions nobody has costed yet follow
    # (many actions are policy work with no budget of their own). Each part stays in plan order.
    actions.sort(key=lambda gap: gap.funding is None)
    return Gaps(fiscal_year, kind, goals, actions, _unlinked_lines(data, kind, limit))


def _unlinked_lines(data: YearData, kind: str, limit: int | None) -> UnlinkedLines:
    budget_total = total = ZERO
    candidates: list[tuple[Decimal, int]] = []
    for line in data.lines.values():
        amount = line.amount(kind)
        if line.is_transfer or amount is None:
            continue
        budget_total += amount
        if line.id not in data.allocations:
            total += amount
            candidates.append((amount, line.id))
    candidates.sort(key=lambda pair: (-pair[0], pair[1]))
    chosen = [pk for _amount, pk in (candidates if limit is None else candidates[:limit])]
    found = BudgetLine.objects.filter(pk__in=chosen).select_related("fund", "department").in_bulk()
    lines = [LineRow(found[pk], kind) for pk in chosen if pk in found]
    return UnlinkedLines(lines, len(candidates), total, budget_total)


# --- Estimated, budgeted and actual per action ----------------------------------------------------------------


@dataclass(frozen=True)
class ActionMoney:
    action: PlanItem
    funding: ActionFunding | None
    budgeted: Decimal
    actual: Decimal

    @property
    def estimated(self) -> Decimal | None:
        return self.funding.estimated_cost if self.funding else None

    @property
    def variance(self) -> Decimal | None:
        """Budgeted minus estimated: negative when the budget falls short of what the action will cost."""
        return None if self.estimated is None else self.budgeted - self.estimated

    @property
    def spent_variance(self) -> Decimal:
        """Actual minus budgeted."""
        return self.actual - self.budgeted

    @property
    def status_label(self) -> str:
        if self.funding is None:
            return gettext("Funded by a linked budget line") if self.budgeted else gettext("Not recorded")
        return str(self.funding.get_status_display())

    @property
    def estimated_text(self) -> str:
        return format_money(self.estimated)

    @property
    def budgeted_text(self) -> str:
        return format_money(self.budgeted)

    @property
    def actual_text(self) -> str:
        return format_money(self.actual)

    @property
    def variance_text(self) -> str:
        return format_money(self.variance)

    @property
    def spent_variance_text(self) -> str:
        return format_money(self.spent_variance)


def action_money(
    plan: Plan,
    organization: Organization,
    fiscal_year: int,
    *,
    department_id: int | None = None,
    tree: PlanTree | None = None,
) -> list[ActionMoney]:
    """Every active action (of a department, if given) with its estimated cost, the budgeted and actual money
    of the lines linked to it, and its funding status. Four queries."""
    tree = tree or plan_tree(plan)
    data = load_years(organization, [fiscal_year])[fiscal_year]
    budgeted = year_money(data, "budgeted").direct
    actual = year_money(data, "actual").direct
    funding = {
        row.action_id: row
        for row in ActionFunding.objects.filter(action__plan=plan, fiscal_year=fiscal_year).select_related(
            "fund"
        )
    }
    return [
        ActionMoney(
            action, funding.get(action.pk), budgeted.get(action.pk, ZERO), actual.get(action.pk, ZERO)
        )
        for action in tree.of_level(str(Level.ACTION))
        if department_id is None or action.department_id == department_id
    ]


# --- Budget lines ---------------------------------------------------------------------------------------------


def budget_lines(
    organization: Organization,
    fiscal_year: int,
    *,
    fund_id: int | None = None,
    department_id: int | None = None,
    linked: bool | None = None,
) -> QuerySet[BudgetLine]:
    """A fiscal year's lines, filtered, with fund, department and linked elements loaded up front."""
    lines = BudgetLine.objects.filter(organization=organization, fiscal_year=fiscal_year)
    if fund_id:
        lines = lines.filter(fund_id=fund_id)
    if department_id:
        lines = lines.filter(department_id=department_id)
    if linked is not None:
        has_allocation = Exists(Allocation.objects.filter(line_id=OuterRef("pk")))
        lines = lines.filter(has_allocation) if linked else lines.exclude(has_allocation)
    return lines.select_related("fund", "department").prefetch_related(
        Prefetch("allocations", queryset=Allocation.objects.select_related("item").order_by("pk"))
    )


@dataclass(frozen=True)
class LinePart:
    allocation: Allocation
    budgeted: Decimal
    actual: Decimal | None

    @property
    def share_text(self) -> str:
        """`33.3333%`, `50%`; "" for a fixed amount."""
        share = self.allocation.share_percent
        return f"{format(share.normalize(), 'f')}%" if share is not None else ""

    @property
    def budgeted_text(self) -> str:
        return format_money(self.budgeted, cents=True)

    @property
    def actual_text(self) -> str:
        return format_money(self.actual, cents=True)


@dataclass(frozen=True)
class LineDetail:
    """A line and its cent-exact split: each allocation's part of the budgeted (and actual) amount, and the rest
    that serves no plan element."""

    line: BudgetLine
    parts: list[LinePart]
    rest_budgeted: Decimal
    rest_actual: Decimal | None

    @property
    def rest_budgeted_text(self) -> str:
        return format_money(self.rest_budgeted, cents=True)

    @property
    def rest_actual_text(self) -> str:
        return format_money(self.rest_actual, cents=True)


def line_detail(line: BudgetLine) -> LineDetail:
    allocations = list(line.allocations.select_related("item").order_by("pk"))
    pairs = [(a.share_percent, a.amount) for a in allocations]
    budgeted = split_line(line.budgeted if line.budgeted is not None else ZERO, pairs)
    actual = split_line(line.actual_amount, pairs) if line.actual_amount is not None else None
    parts = [
        LinePart(allocation, budgeted.parts[index], actual.parts[index] if actual else None)
        for index, allocation in enumerate(allocations)
    ]
    return LineDetail(line, parts, budgeted.rest, actual.rest if actual else None)


# --- Per item and year (item sections, an action's funding page) ----------------------------------------------


def item_money_by_year(
    item_ids: Iterable[int], kinds: Collection[str] = ("budgeted", "actual"), *, net_transfers: bool = False
) -> dict[int, dict[str, Decimal]]:
    """For each fiscal year, the money of each kind that lines give `item_ids` (together). Every allocation of
    those lines is loaded so each split is the same cent-exact split the other pages make. One query."""
    wanted = set(item_ids)
    rows = Allocation.objects.filter(
        line_id__in=Allocation.objects.filter(item_id__in=wanted).values("line_id")
    )
    if net_transfers:
        rows = rows.filter(line__is_transfer=False)
    rows = rows.order_by("line_id", "pk").values_list(
        "line_id",
        "item_id",
        "share_percent",
        "amount",
        "line__fiscal_year",
        "line__adopted_amount",
        "line__revised_amount",
        "line__actual_amount",
    )
    by_line: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in rows:
        by_line[row[0]].append(row)
    found: dict[int, dict[str, Decimal]] = {}
    for parts in by_line.values():
        _line, _item, _share, _fixed, year, adopted, revised, actual = parts[0]
        line = LineAmounts(0, None, adopted, revised, actual, False)
        for kind in kinds:
            amount = line.amount(kind)
            if amount is None:
                continue
            split = split_line(amount, [(share, fixed) for _l, _i, share, fixed, *_rest in parts])
            mine = sum((p for p, row in zip(split.parts, parts, strict=True) if row[1] in wanted), ZERO)
            year_found = found.setdefault(year, {k: ZERO for k in kinds})
            year_found[kind] += mine
    return found


@dataclass(frozen=True)
class FundingYear:
    fiscal_year: int
    funding: ActionFunding | None
    budgeted: Decimal
    actual: Decimal

    @property
    def estimated_text(self) -> str:
        return format_money(self.funding.estimated_cost if self.funding else None)

    @property
    def budgeted_text(self) -> str:
        return format_money(self.budgeted)

    @property
    def actual_text(self) -> str:
        return format_money(self.actual)


def action_funding_years(action: PlanItem) -> list[FundingYear]:
    """The action's funding row and linked money for each fiscal year of its plan (and any other year that has
    money for it). Two queries."""
    rows = {
        row.fiscal_year: row for row in ActionFunding.objects.filter(action=action).select_related("fund")
    }
    money = item_money_by_year([action.pk])
    years = sorted(set(plan_fiscal_years(action.plan)) | set(rows) | set(money))
    return [
        FundingYear(
            year,
            rows.get(year),
            money.get(year, {}).get("budgeted", ZERO),
            money.get(year, {}).get("actual", ZERO),
        )
        for year in years
    ]
