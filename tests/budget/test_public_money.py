"""Residents' "Where the money goes": the adopted budget by adopted priority, in English and Spanish, never a draft."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civicplan.budget import selectors
from civicplan.budget.models import Allocation
from civicplan.plans import services
from tests import factories as f
from tests.budget.alignment_world import YEAR, build_world, more_lines

D = Decimal
CANARY = "CANARY-DRAFT"


@pytest.fixture
def world(adopted_plan, department_a, department_b):
    return build_world(adopted_plan, department_a, department_b)


def test_it_shows_the_adopted_budget_by_priority_and_explains_what_is_counted(client, world):
    response = client.get("/en/budget/", {"year": YEAR})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Where the money goes" in body
    assert "$1,383" in body  # adopted total, transfers netted out
    assert "$667" in body and "$267" in body  # priorities 1 and 2
    assert "Not linked to a plan priority" in body and "$450" in body
    assert "Interfund transfers are not counted: $200" in body
    assert world.items["1.1"].title_en in body
    assert 'role="img"' in body and "<caption>" in body


def test_the_figures_reconcile_to_the_adopted_total(adopted_plan, organization, world):
    from civicplan.plans.selectors import public_plan

    money = selectors.public_money(public_plan(), organization, YEAR)
    assert money.total == D("1383.34")
    assert sum(row.amount for row in money.priorities) + money.unlinked + money.not_adopted == money.total
    assert [row.amount for row in money.priorities[0].children] == [D("333.33"), D("333.33")]


def test_it_speaks_spanish(client, world):
    body = client.get("/es/budget/", {"year": YEAR}).content.decode()
    assert '<html lang="es">' in body
    assert world.items["1.1"].title_es in body
    assert world.items["1.1"].title_en not in body


def test_no_draft_text_ever_appears_and_draft_money_still_reconciles(
    client, adopted_plan, organization, coordinator, world
):
    priority = world.items["1"]
    draft_goal = services.create_item(
        plan=adopted_plan,
        user=coordinator,
        parent=priority,
        data={"title_en": f"{CANARY} goal", "title_es": f"{CANARY} meta"},
    )
    Allocation.objects.create(line=world.lines["L3"], item=draft_goal, share_percent=D("100"))
    goal = world.items["1.1"]
    services.update_item(
        item=goal,
        user=coordinator,
        expected_version=goal.lock_version,
        data={"title_en": f"{CANARY} reworded", "title_es": f"{CANARY} cambiada"},
    )
    for language in ("en", "es"):
        body = client.get(f"/{language}/budget/", {"year": YEAR}).content.decode()
        assert CANARY not in body
    body = client.get("/en/budget/", {"year": YEAR}).content.decode()
    assert "Not yet in the adopted plan" in body and "$50" in body
    assert "$667" in body  # priority 1 does not count the draft goal's money
    assert goal.title_en in body  # the adopted title, not the reworded draft


def test_without_an_adopted_plan_it_says_so(client, plan, department_a, department_b):
    build_world(plan, department_a, department_b)
    body = client.get("/en/budget/").content.decode()
    assert "has not adopted a strategic plan yet" in body
    assert plan.items.get(code="1").title_en not in body


def test_anyone_may_read_it_and_it_costs_the_same_queries_with_more_data(
    client, adopted_plan, world, department_a, viewer
):
    client.get("/en/budget/", {"year": YEAR})
    with CaptureQueriesContext(connection) as small:
        client.get("/en/budget/", {"year": YEAR, "fresh": "1"})
    more_lines(adopted_plan, department_a, 20, world.general)
    with CaptureQueriesContext(connection) as large:
        assert client.get("/en/budget/", {"year": YEAR, "fresh": "2"}).status_code == 200
    assert len(small) == len(large) <= 15
    client.force_login(viewer)
    assert client.get("/en/budget/").status_code == 200


def test_it_is_cached_for_anonymous_readers_until_the_budget_changes(client, world, finance):
    client.get("/en/budget/", {"year": YEAR})
    with CaptureQueriesContext(connection) as cached:
        client.get("/en/budget/", {"year": YEAR})
    assert len(cached) <= 2
    from civicplan.budget.services import allocate_line

    allocate_line(line=world.lines["L3"], item=world.items["2.2"], user=finance, share_percent=D("100"))
    body = client.get("/en/budget/", {"year": YEAR}).content.decode()
    assert "$400" in body  # outside the plan dropped by the 50.01 now linked to goal 2.2


def test_a_request_adopted_ahead_of_the_budget_does_not_publish_that_year(client, adopted_plan, organization):
    """Adopting one request for a future year makes a funded line, but that year's budget is not adopted yet:
    residents are told so instead of reading the request as the whole budget."""
    from civicplan.budget.models import REQUEST_PROGRAM

    year = adopted_plan.start_fiscal_year + 3
    department = organization.departments.first()
    f.make_budget_line(organization, department, year, program=REQUEST_PROGRAM, adopted_amount=400000)
    page = client.get(f"/en/budget/?year={year}").content.decode()
    assert "There is no adopted budget for" in page and "400,000" not in page
