"""A small budget with hand-computed numbers, shared by the alignment tests (selectors, pages, export, command).

FY 2025 (the small plan's first year), adopted amounts:
  L1  1,000.00 (revised 1,200.00, actual 900.00), General Fund, Public Works: 33.3333% to action 1.1.1.1 and
      33.3333% to goal 1.2 -> 333.33 + 333.33, rest 333.34 outside the plan
  L2    333.33, Gas Tax, Community Development: 50% to strategy 2.1.1 (166.67), 100.00 fixed to action 2.1.1.2,
      rest 66.66
  L3     50.01, General Fund, Public Works: not linked
  L4    200.00, Gas Tax, Community Development: an interfund transfer, not linked
Total 1,583.34 (1,383.34 without the transfer). Priority 1: 666.66 (goal 1.1 333.33, goal 1.2 333.33);
priority 2: 266.67 (goal 2.1 266.67, goal 2.2 0); outside the plan 650.01 (450.01 with the transfer netted).
FY 2024: one line of 500.00, all of it to action 1.1.1.1.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from civicplan.budget.models import ActionFunding, Allocation
from tests import factories as f

D = Decimal
YEAR = 2025


@dataclass
class World:
    items: dict[str, Any]
    lines: dict[str, Any]
    general: Any
    gas_tax: Any


def build_world(plan: Any, department_a: Any, department_b: Any) -> World:
    organization = plan.organization
    items = {item.code: item for item in plan.items.all()}
    general = f.make_fund(organization, "100", name_en="General Fund", name_es="Fondo General")
    gas_tax = f.make_fund(organization, "200", name_en="Gas Tax", name_es="Impuesto a la gasolina")
    l1 = f.make_budget_line(
        organization,
        department_a,
        YEAR,
        fund=general,
        description="Street repair crews",
        adopted_amount=D("1000.00"),
        revised_amount=D("1200.00"),
        actual_amount=D("900.00"),
    )
    l2 = f.make_budget_line(
        organization,
        department_b,
        YEAR,
        fund=gas_tax,
        description="Housing programs",
        adopted_amount=D("333.33"),
    )
    l3 = f.make_budget_line(
        organization,
        department_a,
        YEAR,
        fund=general,
        description="Office supplies",
        adopted_amount=D("50.01"),
    )
    l4 = f.make_budget_line(
        organization,
        department_b,
        YEAR,
        fund=gas_tax,
        description="Transfer to General Fund",
        adopted_amount=D("200.00"),
        is_transfer=True,
    )
    Allocation.objects.create(line=l1, item=items["1.1.1.1"], share_percent=D("33.3333"))
    Allocation.objects.create(line=l1, item=items["1.2"], share_percent=D("33.3333"))
    Allocation.objects.create(line=l2, item=items["2.1.1"], share_percent=D("50"))
    Allocation.objects.create(line=l2, item=items["2.1.1.2"], amount=D("100.00"))
    l0 = f.make_budget_line(organization, department_a, YEAR - 1, fund=general, adopted_amount=D("500.00"))
    Allocation.objects.create(line=l0, item=items["1.1.1.1"], share_percent=D("100"))
    ActionFunding.objects.create(
        action=items["1.1.1.1"], fiscal_year=YEAR, status="funded", estimated_cost=D("450.00"), fund=general
    )
    ActionFunding.objects.create(
        action=items["1.1.1.2"], fiscal_year=YEAR, status="funded", estimated_cost=D("400")
    )
    ActionFunding.objects.create(
        action=items["2.2.1.1"], fiscal_year=YEAR, status="requested", estimated_cost=D("1000.00")
    )
    return World(items, {"L0": l0, "L1": l1, "L2": l2, "L3": l3, "L4": l4}, general, gas_tax)


def more_lines(plan: Any, department: Any, count: int, fund: Any) -> None:
    """Extra lines linked to actions, to show a page's query count does not grow with data."""
    actions = list(plan.items.filter(level="action").order_by("pk"))
    for index in range(count):
        line = f.make_budget_line(
            plan.organization, department, YEAR, fund=fund, adopted_amount=D("10.00") + index
        )
        Allocation.objects.create(line=line, item=actions[index % len(actions)], share_percent=D("25"))
        ActionFunding.objects.get_or_create(
            action=actions[index % len(actions)], fiscal_year=YEAR + 1, defaults={"status": "requested"}
        )
