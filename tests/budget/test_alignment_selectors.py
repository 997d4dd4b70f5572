"""The alignment arithmetic against hand-computed numbers (see tests/budget/alignment_world.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from civicplan.budget import selectors
from tests.budget.alignment_world import YEAR, build_world

D = Decimal


@pytest.fixture
def world(plan, department_a, department_b):
    return build_world(plan, department_a, department_b)


def _by_code(money):
    rows = {}
    for priority in money.priorities:
        rows[priority.item.code] = priority
        for goal in priority.children:
            rows[goal.item.code] = goal
    return rows


def test_it_rolls_money_up_to_priorities_and_goals_to_the_cent(plan, organization, world):
    money = selectors.plan_money(plan, organization, YEAR)
    rows = _by_code(money)
    assert money.total == D("1583.34")
    assert rows["1"].amount == D("666.66")
    assert rows["1.1"].amount == D("333.33")
    assert rows["1.2"].amount == D("333.33")
    assert rows["2"].amount == D("266.67")
    assert rows["2.1"].amount == D("266.67")
    assert rows["2.2"].amount == D("0")
    assert money.outside == D("650.01")
    assert money.linked == D("933.33")
    assert sum(row.amount for row in money.priorities) + money.outside == money.total


def test_an_allocation_to_a_goal_counts_for_the_goal_and_its_priority_not_its_children(
    plan, organization, world
):
    data = selectors.load_years(organization, [YEAR])[YEAR]
    direct = selectors.year_money(data, "adopted").direct
    reached, elsewhere = selectors.roll_up(direct, selectors.plan_tree(plan).parent_of)
    strategy = world.items["1.2.1"]
    assert reached[world.items["1.2"].pk] == D("333.33")
    assert reached.get(strategy.pk, D(0)) == 0
    assert elsewhere == 0


def test_it_nets_out_interfund_transfers_when_asked(plan, organization, world):
    money = selectors.plan_money(plan, organization, YEAR, net_transfers=True)
    assert money.total == D("1383.34")
    assert money.outside == D("450.01")
    assert money.transfers == D("200.00")
    assert sum(row.amount for row in money.priorities) + money.outside == money.total


def test_it_compares_with_the_year_before(plan, organization, world):
    money = selectors.plan_money(plan, organization, YEAR)
    rows = _by_code(money)
    assert rows["1"].previous == D("500.00")
    assert rows["1"].change == D("166.66")
    assert rows["1"].change_percent == D("33.3")
    assert rows["2"].previous == D("0")
    assert rows["2"].change_percent is None  # nothing to compare with
    assert money.previous == D("500.00")
    assert money.change_percent == D("216.7")
    # Outside the plan has its year before too, so last year's column adds up to last year's total.
    assert money.outside_row.previous == money.previous - sum(row.previous for row in money.priorities) == 0
    assert money.outside_row.change == D("650.01")


def test_a_year_without_a_year_before_has_no_change(plan, organization, world):
    money = selectors.plan_money(plan, organization, YEAR - 1)
    assert money.previous is None
    assert money.change is None
    assert money.outside_row.previous is None and money.outside_row.change_text == "—"
    assert _by_code(money)["1"].change_percent is None


def test_it_uses_revised_else_adopted_for_budgeted_and_actual_amounts(plan, organization, world):
    budgeted = _by_code(selectors.plan_money(plan, organization, YEAR, kind="budgeted"))
    actual = selectors.plan_money(plan, organization, YEAR, kind="actual")
    assert budgeted["1.1"].amount == D("400.00")  # 33.3333% of 1,200.00
    assert budgeted["2.1"].amount == D("266.67")  # no revised amount: the adopted one
    assert _by_code(actual)["1.1"].amount == D("300.00")
    assert actual.total == D("900.00")


def test_it_totals_by_fund_and_department_with_and_without_transfers(organization, world):
    by_fund = selectors.budget_totals(organization, YEAR, by="fund")
    rows = {row.code: row for row in by_fund.rows}
    assert rows["100"].gross == D("1050.01")
    assert rows["200"].gross == D("533.33")
    assert rows["200"].transfers == D("200.00")
    assert rows["200"].net == D("333.33")
    assert by_fund.total == D("1583.34")
    net = selectors.budget_totals(organization, YEAR, by="department", net_transfers=True)
    assert {row.code: row.amount for row in net.rows} == {"PW": D("1050.01"), "CDD": D("333.33")}
    assert net.total == D("1383.34")


def test_it_finds_goals_and_actions_without_money_and_lines_outside_the_plan(plan, organization, world):
    gaps = selectors.budget_gaps(plan, organization, YEAR)
    assert [goal.code for goal, _priority in gaps.goals] == ["2.2"]
    # Actions someone marked (here 2.2.1.1, requested) come first, then those nobody has costed, in plan order.
    assert [gap.action.code for gap in gaps.actions] == [
        "2.2.1.1",
        "1.2.1.1",
        "1.2.1.2",
        "2.1.1.1",
        "2.2.1.2",
    ]
    assert (gaps.marked_unfunded, gaps.not_costed) == (1, 4)
    requested = next(gap for gap in gaps.actions if gap.action.code == "2.2.1.1")
    assert requested.reason == "Requested"
    assert [row.line.description for row in gaps.unlinked.lines] == ["Office supplies"]
    assert gaps.unlinked.count == 1
    assert gaps.unlinked.total == D("50.01")
    assert gaps.unlinked.budget_total == D("1383.34")
    assert gaps.unlinked.share == D("3.6")


def test_a_funded_action_funds_its_goal(plan, organization, world):
    from civicplan.budget.models import ActionFunding

    ActionFunding.objects.create(action=world.items["2.2.1.2"], fiscal_year=YEAR, status="partial")
    gaps = selectors.budget_gaps(plan, organization, YEAR)
    assert gaps.goals == []


def test_it_gives_each_action_its_estimated_budgeted_and_actual_money(
    plan, organization, world, department_a
):
    rows = {row.action.code: row for row in selectors.action_money(plan, organization, YEAR)}
    first = rows["1.1.1.1"]
    assert (first.estimated, first.budgeted, first.actual) == (D("450.00"), D("400.00"), D("300.00"))
    assert first.variance == D("-50.00")
    assert first.spent_variance == D("-100.00")
    assert rows["2.1.1.2"].budgeted == D("100.00")
    assert rows["1.2.1.1"].estimated is None and rows["1.2.1.1"].variance is None
    only_a = selectors.action_money(plan, organization, YEAR, department_id=department_a.pk)
    assert {row.action.department_id for row in only_a} == {department_a.pk}


def test_a_lines_detail_splits_it_to_the_cent(world):
    detail = selectors.line_detail(world.lines["L2"])
    assert [part.budgeted for part in detail.parts] == [D("166.67"), D("100.00")]
    assert detail.rest_budgeted == D("66.66")
    assert detail.rest_actual is None


def test_money_per_item_and_year_matches_the_overview(plan, organization, world):
    goal = world.items["1.1"]
    ids = [goal.pk, *[child.pk for child in plan.items.filter(parent=goal)], world.items["1.1.1.1"].pk]
    money = selectors.item_money_by_year(ids, ("adopted", "actual"))
    assert money[YEAR]["adopted"] == D("333.33")
    assert money[YEAR]["actual"] == D("300.00")
    assert money[YEAR - 1]["adopted"] == D("500.00")


def test_the_year_defaults_to_the_latest_with_lines_when_the_current_has_none(organization, world):
    assert selectors.choose_fiscal_year(organization, "2031") == 2031
    assert selectors.choose_fiscal_year(organization, "nonsense", [2024, 2025]) in {2025, 2024} | {
        selectors.current_fiscal_year(organization)
    }
    assert selectors.choose_fiscal_year(organization, None, [2020, 2021]) == 2021


def test_the_overview_costs_the_same_queries_with_three_times_the_data(
    plan, organization, world, department_a, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.budget.alignment_world import more_lines

    with CaptureQueriesContext(connection) as small:
        selectors.plan_money(plan, organization, YEAR)
    more_lines(plan, department_a, 12, world.general)
    with CaptureQueriesContext(connection) as large:
        selectors.plan_money(plan, organization, YEAR)
    assert len(small) == len(large) <= 5
