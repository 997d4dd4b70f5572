"""Benchmark budget data: funds, two fiscal years of budget lines (city 2 x 3,000, metro 2 x 30,000) with adopted and
actual amounts, ~60% of lines linked to goals, strategies or actions, a funding row per action and year, and a budget
cycle with requests. Bulk inserts with history rows (the services write one row at a time). Seeded: a scale always
gives the same data."""

from __future__ import annotations

import random
import time
from decimal import Decimal
from typing import Any

from generate import SEED, Generated, Scale

LINES_PER_YEAR = {"city": 3000, "metro": 30000}
REQUESTS = {"city": 60, "metro": 600}
FUNDS = [
    ("100", "General Fund", "Fondo General"),
    ("210", "Gas Tax", "Impuesto a la gasolina"),
    ("215", "SB 1 RMRA", "SB 1 RMRA"),
    ("230", "Measure K", "Medida K"),
    ("250", "CDBG", "CDBG"),
    ("310", "Capital Improvement", "Mejoras de capital"),
    ("510", "Water Enterprise", "Empresa de agua"),
    ("520", "Sewer Enterprise", "Empresa de alcantarillado"),
]
ACCOUNTS = [
    "5100 Salaries",
    "5200 Benefits",
    "6100 Contract Services",
    "6200 Supplies",
    "7100 Capital Outlay",
]
PROGRAMS = ["Administration", "Operations", "Maintenance", "Capital", "Outreach", "Planning"]


def generate_budget(data: Generated, scale: Scale, seed: int = SEED) -> dict[str, Any]:
    from simple_history.utils import bulk_create_with_history

    from civicplan.accounts.models import Department
    from civicplan.budget.models import (
        ActionFunding,
        Allocation,
        BudgetCycle,
        BudgetLine,
        BudgetRequest,
        CalendarMilestone,
        Fund,
        FundingStatus,
        MilestoneKind,
        line_identity,
    )
    from civicplan.plans.models import PlanItem

    rng = random.Random(f"{seed}-{scale.name}-budget")
    user = data.coordinator
    started = time.perf_counter()
    organization = data.organization
    funds = [
        Fund.objects.create(organization=organization, code=c, name_en=en, name_es=es) for c, en, es in FUNDS
    ]
    departments = list(Department.objects.filter(organization=organization))
    items = list(
        PlanItem.objects.filter(plan=data.plan, level__in=["goal", "strategy", "action"]).values_list(
            "pk", "level"
        )
    )
    actions = [pk for pk, level in items if level == "action"]
    first_year = data.plan.start_fiscal_year
    lines = []
    for year in (first_year, first_year + 1):
        for n in range(LINES_PER_YEAR[scale.name]):
            fund, department = rng.choice(funds), rng.choice(departments)
            program, account = rng.choice(PROGRAMS), rng.choice(ACCOUNTS)
            description = f"Line {n + 1}"
            adopted = Decimal(rng.randrange(1_000_00, 2_000_000_00)) / 100
            lines.append(
                BudgetLine(
                    organization=organization,
                    fiscal_year=year,
                    fund=fund,
                    department=department,
                    program=program,
                    account=account,
                    description=description,
                    identity=line_identity(
                        fund_id=fund.pk,
                        department_id=department.pk,
                        program=program,
                        account=account,
                        description=description,
                    ),
                    adopted_amount=adopted,
                    actual_amount=(adopted * Decimal(rng.uniform(0.8, 1.05))).quantize(Decimal("0.01"))
                    if year == first_year
                    else None,
                    is_transfer=n % 97 == 0,
                    source="bench",
                )
            )
    bulk_create_with_history(lines, BudgetLine, batch_size=2000, default_user=user)
    line_ids = list(BudgetLine.objects.filter(organization=organization).values_list("pk", flat=True))
    allocations = []
    for line_id in line_ids:
        if rng.random() < 0.6:
            for item_id, _level in rng.sample(items, rng.choice([1, 1, 2])):
                share = Decimal(rng.choice([25, 50, 100])) if rng.random() < 0.8 else None
                allocations.append(
                    Allocation(
                        line_id=line_id,
                        item_id=item_id,
                        share_percent=share / 2 if share else None,
                        amount=None if share else Decimal(1000),
                    )
                )
    bulk_create_with_history(allocations, Allocation, batch_size=2000, default_user=user)
    statuses = [s.value for s in FundingStatus]
    funding = [
        ActionFunding(
            action_id=action_id,
            fiscal_year=year,
            status=rng.choice(statuses),
            estimated_cost=Decimal(rng.randrange(10_000, 2_000_000)),
            fund=rng.choice(funds),
        )
        for action_id in actions
        for year in (first_year, first_year + 1)
    ]
    bulk_create_with_history(funding, ActionFunding, batch_size=2000, default_user=user)
    cycle = BudgetCycle.objects.create(organization=organization, first_fiscal_year=first_year + 2)
    for offset, kind in enumerate(
        [MilestoneKind.KICKOFF, MilestoneKind.REQUESTS_DUE, MilestoneKind.ADOPTION]
    ):
        CalendarMilestone.objects.create(
            cycle=cycle, kind=kind, date=data.plan.bounds[0].replace(year=first_year + 1 + offset // 2)
        )
    requests = []
    for n in range(REQUESTS[scale.name]):
        requests.append(
            BudgetRequest(
                cycle=cycle,
                fiscal_year=first_year + 2,
                department=rng.choice(departments),
                title_en=f"Request {n + 1}",
                title_es=f"Solicitud {n + 1}",
                justification_en="Needed.",
                justification_es="Necesario.",
                amount=Decimal(rng.randrange(10_000, 900_000)),
                fund=rng.choice(funds),
                state="submitted",
                score_alignment=rng.randrange(4),
                score_need=rng.randrange(4),
                score_readiness=rng.randrange(4),
            )
        )
    bulk_create_with_history(requests, BudgetRequest, batch_size=2000, default_user=user)
    through = BudgetRequest.items.through
    through.objects.bulk_create(
        [
            through(budgetrequest_id=request_id, planitem_id=item_id)
            for request_id in BudgetRequest.objects.filter(cycle=cycle).values_list("pk", flat=True)
            for item_id, _level in rng.sample(items, 2)
        ],
        batch_size=5000,
    )
    data.timings["budget"] = time.perf_counter() - started
    return {
        "budget lines": len(lines),
        "allocations": len(allocations),
        "action funding": len(funding),
        "requests": len(requests),
    }


def budget_staff_urls(data: Generated) -> dict[str, str]:
    """The budget pages whose query counts must not grow with the data (the alignment views)."""
    from civicplan.budget.models import BudgetLine, BudgetRequest
    from civicplan.plans.models import PlanItem

    year = data.plan.start_fiscal_year + 1
    line = (
        BudgetLine.objects.filter(organization=data.organization, allocations__isnull=False)
        .order_by("pk")
        .first()
    )
    action = PlanItem.objects.filter(plan=data.plan, level="action").order_by("code").first()
    request = BudgetRequest.objects.order_by("pk").first()
    urls = {
        "budget by priority": f"/en/staff/budget/?year={year}",
        "budget totals": f"/en/staff/budget/totals/?year={year}&net=1",
        "budget gaps": f"/en/staff/budget/gaps/?year={year}",
        "budget actions": f"/en/staff/budget/actions/?year={year}",
        "budget lines": f"/en/staff/budget/lines/?year={year}",
        "budget ranking": "/en/staff/budget/requests/ranking/",
    }
    if line is not None:
        urls["budget line"] = f"/en/staff/budget/lines/{line.pk}/"
    if action is not None:
        urls["action funding"] = f"/en/staff/budget/actions/{action.pk}/funding/"
    if request is not None:
        urls["budget request"] = f"/en/staff/budget/requests/{request.pk}/"
    return urls


def budget_public_urls(data: Generated) -> dict[str, str]:
    return {"where the money goes": f"/es/budget/?year={data.plan.start_fiscal_year + 1}"}
