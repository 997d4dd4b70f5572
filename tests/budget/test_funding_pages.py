"""An action's funding per fiscal year (budget:action-funding) and the "Funding" block on plan item pages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from civicplan.budget.models import ActionFunding, Allocation
from civicplan.budget.services import set_action_funding
from tests import factories as f
from tests.budget.alignment_world import YEAR, build_world, more_lines
from tests.conftest import client_for

D = Decimal


@pytest.fixture
def world(plan, department_a, department_b):
    return build_world(plan, department_a, department_b)


def _url(action, year=None):
    url = reverse("budget:action-funding", kwargs={"item_id": action.pk})
    return f"{url}?year={year}" if year else url


def test_it_shows_each_plan_year_with_estimated_budgeted_and_actual(client, editor_a, world):
    action = world.items["1.1.1.1"]  # department A
    body = client_for(client, editor_a).get(_url(action, YEAR)).content.decode()
    for label in ["FY 2025-26", "FY 2026-27", "FY 2029-30"]:
        assert label in body
    assert "$450" in body and "$400" in body and "$300" in body  # estimated, budgeted, actual in FY 2025-26
    assert "$500" in body  # FY 2024-25, before the plan, still has money linked to the action


def test_whoever_carries_the_action_out_saves_its_funding(client, editor_a, world):
    action = world.items["1.2.1.1"]
    response = client_for(client, editor_a).post(
        _url(action, YEAR + 1),
        {
            "year": YEAR + 1,
            "lock_version": 0,
            "status": "requested",
            "estimated_cost": "$12,500",
            "note": "Bids",
        },
    )
    assert response.status_code == 302
    funding = ActionFunding.objects.get(action=action, fiscal_year=YEAR + 1)
    assert (funding.status, funding.estimated_cost, funding.note) == ("requested", D("12500.00"), "Bids")


def test_a_bad_amount_is_refused_next_to_the_field_and_kept(client, finance, world):
    action = world.items["1.2.1.1"]
    response = client_for(client, finance).post(
        _url(action, YEAR), {"year": YEAR, "lock_version": 0, "status": "funded", "estimated_cost": "12,5"}
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_estimated_cost-error"' in body and 'value="12,5"' in body
    assert not ActionFunding.objects.filter(action=action, fiscal_year=YEAR).exists()


def test_a_year_outside_the_plan_is_refused_in_words(client, coordinator, world):
    action = world.items["1.2.1.1"]
    response = client_for(client, coordinator).post(
        _url(action), {"year": 2040, "lock_version": 0, "status": "funded"}
    )
    assert response.status_code == 400
    assert "outside the plan" in response.content.decode()


def test_a_save_made_in_between_shows_both_versions_with_409(client, finance, coordinator, world):
    action = world.items["1.1.1.1"]
    client_for(client, finance)
    opened = ActionFunding.objects.get(action=action, fiscal_year=YEAR).lock_version
    set_action_funding(
        action=action,
        fiscal_year=YEAR,
        user=coordinator,
        status="partial",
        estimated_cost=D("999"),
        note="theirs",
    )
    response = client.post(
        _url(action, YEAR),
        {"year": YEAR, "lock_version": opened, "status": "funded", "estimated_cost": "500", "note": "mine"},
    )
    body = response.content.decode()
    assert response.status_code == 409
    assert "Someone else saved" in body
    assert "mine" in body and "theirs" in body and "$999.00" in body and "$500.00" in body
    assert ActionFunding.objects.get(action=action, fiscal_year=YEAR).note == "theirs"
    # Saving again now is a deliberate choice to replace the version this person has seen.
    current = ActionFunding.objects.get(action=action, fiscal_year=YEAR).lock_version
    assert f'name="lock_version" value="{current}"' in body
    again = client.post(
        _url(action, YEAR),
        {"year": YEAR, "lock_version": current, "status": "funded", "estimated_cost": "500", "note": "mine"},
    )
    assert again.status_code == 302
    assert ActionFunding.objects.get(action=action, fiscal_year=YEAR).note == "mine"


def test_a_row_created_in_between_is_a_conflict_too(client, finance, coordinator, world):
    action = world.items["1.2.1.2"]
    client_for(client, finance)
    set_action_funding(action=action, fiscal_year=YEAR, user=coordinator, status="funded", note="first")
    response = client.post(_url(action, YEAR), {"year": YEAR, "lock_version": 0, "status": "unfunded"})
    assert response.status_code == 409


@pytest.mark.parametrize("persona", ["editor_b", "council_member", "viewer"])
def test_people_who_neither_fund_nor_carry_out_the_action_cannot_change_its_funding(
    client, request, world, persona
):
    client_for(client, request.getfixturevalue(persona))
    action = world.items["1.1.1.1"]  # department A
    assert client.get(_url(action, YEAR)).status_code == 403
    response = client.post(_url(action, YEAR), {"year": YEAR, "lock_version": 1, "status": "unfunded"})
    assert response.status_code == 403
    assert ActionFunding.objects.get(action=action, fiscal_year=YEAR).status == "funded"


def test_only_actions_have_a_funding_page(client, coordinator, world):
    assert client_for(client, coordinator).get(_url(world.items["1.1"])).status_code == 404


def test_the_staff_item_page_shows_a_funding_block(client, viewer, world):
    client_for(client, viewer)
    goal = client.get(reverse("staff:item", kwargs={"item_id": world.items["1.1"].pk})).content.decode()
    assert (
        "Funding" in goal and "$400" in goal and "$300" in goal
    )  # budgeted 1,200 x 33.3333%, actual 900 x 33.3333%
    action = client.get(reverse("staff:item", kwargs={"item_id": world.items["1.1.1.1"].pk})).content.decode()
    assert "Funded" in action and "$450" in action
    assert reverse("budget:action-funding", kwargs={"item_id": world.items["1.1.1.1"].pk}) not in action


def test_funders_get_a_link_to_change_the_funding(client, editor_a, world):
    action = world.items["1.1.1.1"]
    body = (
        client_for(client, editor_a)
        .get(reverse("staff:item", kwargs={"item_id": action.pk}))
        .content.decode()
    )
    assert reverse("budget:action-funding", kwargs={"item_id": action.pk}) in body


def test_the_public_goal_page_shows_the_adopted_money_reaching_it(client, adopted_plan, world):
    goal = world.items["1.1"]
    body = client.get(reverse("plans:goal", kwargs={"code": goal.code})).content.decode()
    assert "Money in the adopted budget" in body
    assert "$333" in body and "$500" in body  # FY 2025-26 and FY 2024-25, adopted amounts
    empty = client.get(reverse("plans:goal", kwargs={"code": "2.2"})).content.decode()
    assert "Money in the adopted budget" not in empty  # nothing to show: no block at all


def test_the_staff_funding_block_costs_the_same_queries_with_more_money(
    client, viewer, plan, world, department_a
):
    url = reverse("staff:item", kwargs={"item_id": world.items["1.1"].pk})
    client_for(client, viewer).get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    more_lines(plan, department_a, 16, world.general)
    line = f.make_budget_line(plan.organization, department_a, YEAR + 2, fund=world.general)
    Allocation.objects.create(line=line, item=world.items["1.1.1.2"], share_percent=D("10"))
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(small) == len(large)


def test_the_funding_page_costs_the_same_queries_with_more_years(client, finance, plan, world, department_a):
    action = world.items["1.1.1.1"]
    client_for(client, finance).get(_url(action, YEAR))
    with CaptureQueriesContext(connection) as small:
        client.get(_url(action, YEAR))
    more_lines(plan, department_a, 16, world.general)
    for year in (YEAR + 1, YEAR + 2):
        line = f.make_budget_line(plan.organization, department_a, year, fund=world.general)
        Allocation.objects.create(line=line, item=action, share_percent=D("10"))
    with CaptureQueriesContext(connection) as large:
        client.get(_url(action, YEAR))
    assert len(small) == len(large) <= 15
