"""`manage.py budget_summary` prints the numbers the pages show (it calls the same selectors)."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from civicplan.budget import selectors
from tests.budget.alignment_world import YEAR, build_world

D = Decimal


@pytest.fixture
def world(plan, department_a, department_b):
    return build_world(plan, department_a, department_b)


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("budget_summary", *args, stdout=out)
    return out.getvalue()


def test_it_prints_totals_by_fund_as_the_totals_page_does(organization, world):
    summary = json.loads(_run("--fiscal-year", "FY 2025-26", "--by", "fund"))
    totals = selectors.budget_totals(organization, YEAR, by="fund")
    assert summary["fiscal_year"] == "FY 2025-26"
    assert {row["code"]: D(row["amount"]) for row in summary["rows"]} == {
        row.code: row.amount for row in totals.rows
    }
    assert D(summary["total"]) == totals.total == D("1583.34")
    assert D(summary["interfund_transfers"]) == D("200.00")


def test_it_nets_transfers_by_department(organization, world):
    summary = json.loads(_run("--fiscal-year", "2025-26", "--by", "department", "--net-transfers"))
    totals = selectors.budget_totals(organization, YEAR, by="department", net_transfers=True)
    assert {row["code"]: D(row["amount"]) for row in summary["rows"]} == {
        row.code: row.amount for row in totals.rows
    }
    assert D(summary["total"]) == D("1383.34") == totals.total


def test_it_prints_priorities_and_outside_the_plan_as_the_overview_does(plan, organization, world):
    summary = json.loads(
        _run("--fiscal-year", "2026", "--by", "priority", "--kind", "budgeted")
    )  # 2026 = the end
    money = selectors.plan_money(plan, organization, YEAR, kind="budgeted")
    amounts = {row["code"]: D(row["amount"]) for row in summary["rows"]}
    assert amounts["1"] == money.priorities[0].amount
    assert amounts["2"] == money.priorities[1].amount
    assert amounts["outside"] == money.outside
    assert sum(amounts.values()) == D(summary["total"]) == money.total


def test_it_writes_csv(world):
    lines = _run("--fiscal-year", "FY 2025-26", "--by", "priority", "--format", "csv").splitlines()
    assert lines[0] == "code,name,amount"
    assert lines[-2].startswith("outside,Outside the plan,650.01")
    assert lines[-1] == "total,Total,1583.34"


def test_it_refuses_a_year_it_cannot_read(world):
    with pytest.raises(CommandError, match="Cannot read the fiscal year"):
        _run("--fiscal-year", "next year", "--by", "fund")
