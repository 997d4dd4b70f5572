"""Staff alignment pages: money by priority, totals, gaps, actions, budget lines and linking a line to the plan."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from civicplan.budget.models import Allocation
from tests.budget.alignment_world import YEAR, build_world, more_lines
from tests.conftest import client_for

D = Decimal


@pytest.fixture
def world(plan, department_a, department_b):
    return build_world(plan, department_a, department_b)


def _get(client, user, name, **params):
    return client_for(client, user).get(reverse(f"budget:{name}"), {"year": YEAR, **params})


def test_it_shows_money_by_priority_with_the_outside_of_the_plan(client, viewer, world):
    response = _get(client, viewer, "overview")
    body = response.content.decode()
    assert response.status_code == 200
    assert "$1,583" in body  # the total
    assert "$667" in body  # priority 1: 666.66
    assert "$650" in body  # outside the plan
    assert "Including interfund transfers of $200" in body
    assert world.items["1.1"].title_en in body
    assert 'role="img"' in body  # the chart, with the table beside it
    assert "<caption>" in body


def test_it_shows_the_change_from_the_year_before(client, viewer, world):
    body = _get(client, viewer, "overview").content.decode()
    assert "+$167" in body and "(33.3%)" in body  # priority 1: 500.00 -> 666.66


def test_it_says_when_transfers_are_netted_out_and_which_amounts_it_shows(client, finance, world):
    body = _get(client, finance, "overview", net="1", kind="actual").content.decode()
    assert "Interfund transfers ($0) netted out" in body  # the transfer line has no actual amount
    assert "Actual amounts" in body
    assert "$900" in body


def test_an_empty_year_says_so(client, viewer, world):
    body = _get(client, viewer, "overview", year=2030).content.decode()
    assert "There are no budget lines for FY 2030-31 yet" in body


def test_it_totals_by_fund_and_department_and_says_how_transfers_count(client, council_member, world):
    body = _get(client, council_member, "totals").content.decode()
    assert "Including interfund transfers of $200" in body
    assert "$1,050" in body and "$533" in body
    netted = _get(client, council_member, "totals", net="1").content.decode()
    assert "Interfund transfers ($200) netted out" in netted
    assert "$1,383" in netted


def test_it_lists_the_gaps(client, editor_b, world):
    body = _get(client, editor_b, "gaps").content.decode()
    assert world.items["2.2"].title_en in body
    assert world.items["1.2.1.1"].title_en in body
    assert "Office supplies" in body
    assert "Street repair crews" not in body.split("outside-heading")[1]
    assert "3.6%" in body


def test_it_compares_estimated_budgeted_and_actual_per_action_and_filters_by_department(
    client, coordinator, world, department_b
):
    body = _get(client, coordinator, "actions").content.decode()
    assert "$450" in body and "$400" in body and "$300" in body and "-$50" in body
    only_b = _get(client, coordinator, "actions", department=department_b.pk).content.decode()
    assert world.items["1.1.1.2"].title_en in only_b
    assert world.items["1.1.1.1"].title_en not in only_b


def test_it_lists_lines_with_filters(client, viewer, world):
    body = _get(client, viewer, "lines").content.decode()
    assert "Street repair crews" in body and "Transfer" in body and "2.1.1.2" in body
    unlinked = _get(client, viewer, "lines", linked="no").content.decode()
    assert "Office supplies" in unlinked and "Street repair crews" not in unlinked
    by_fund = _get(client, viewer, "lines", fund=world.gas_tax.pk).content.decode()
    assert "Housing programs" in by_fund and "Office supplies" not in by_fund


def test_it_pages_lines_fifty_at_a_time(client, viewer, plan, world, department_a):
    more_lines(plan, department_a, 50, world.general)
    first = _get(client, viewer, "lines").content.decode()
    assert "Page 1 of 2" in first
    second = _get(client, viewer, "lines", page=2).content.decode()
    assert "Page 2 of 2" in second


def test_a_line_shows_its_split_to_the_cent(client, viewer, world):
    response = client_for(client, viewer).get(
        reverse("budget:line", kwargs={"line_id": world.lines["L2"].pk})
    )
    body = response.content.decode()
    assert "$166.67" in body and "$100.00" in body and "$66.66" in body
    assert "Save the link" not in body  # readers do not get the form


def test_a_manager_links_a_line_by_code(client, finance, world):
    line = world.lines["L3"]
    response = client_for(client, finance).post(
        reverse("budget:line", kwargs={"line_id": line.pk}), {"code": "2.2", "share_percent": "40"}
    )
    assert response.status_code == 302
    allocation = Allocation.objects.get(line=line)
    assert allocation.item == world.items["2.2"]
    assert allocation.share_percent == D("40")


def test_a_manager_links_a_line_from_the_list_with_a_fixed_amount(client, coordinator, world):
    line = world.lines["L3"]
    response = client_for(client, coordinator).post(
        reverse("budget:line", kwargs={"line_id": line.pk}),
        {"item": world.items["1.1.1.2"].pk, "amount": "$20"},
    )
    assert response.status_code == 302
    assert Allocation.objects.get(line=line).amount == D("20.00")


def test_a_share_over_a_hundred_percent_is_refused_next_to_the_field_and_the_form_keeps_it(
    client, finance, world
):
    line = world.lines["L1"]  # already 66.6666% allocated
    response = client_for(client, finance).post(
        reverse("budget:line", kwargs={"line_id": line.pk}),
        {"code": "2.2", "share_percent": "40", "note": "kept"},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_share_percent-error"' in body
    error = body.split('id="id_share_percent-error"')[1].split("</span>")[0]
    assert "over 100%" in error
    assert 'value="40"' in body and 'value="kept"' in body and 'value="2.2"' in body
    assert not Allocation.objects.filter(line=line, item=world.items["2.2"]).exists()


def test_an_unknown_code_or_both_parts_are_refused_in_words(client, finance, world):
    url = reverse("budget:line", kwargs={"line_id": world.lines["L3"].pk})
    body = client_for(client, finance).post(url, {"code": "9.9", "share_percent": "10"}).content.decode()
    assert "No active goal, strategy or action has the code 9.9" in body
    both = client.post(url, {"code": "2.2", "share_percent": "10", "amount": "5"}).content.decode()
    assert "not both" in both


def test_changing_an_allocation_prefills_the_form(client, finance, world):
    allocation = Allocation.objects.get(line=world.lines["L2"], item=world.items["2.1.1"])
    url = reverse("budget:line", kwargs={"line_id": world.lines["L2"].pk})
    body = client_for(client, finance).get(url, {"change": allocation.pk}).content.decode()
    assert 'value="50"' in body


@pytest.mark.parametrize("persona", ["editor_a", "council_member", "viewer"])
def test_people_who_do_not_manage_the_budget_cannot_link_or_unlink_lines(client, request, world, persona):
    user = request.getfixturevalue(persona)
    client_for(client, user)
    line = world.lines["L3"]
    response = client.post(
        reverse("budget:line", kwargs={"line_id": line.pk}), {"code": "2.2", "share_percent": "1"}
    )
    assert response.status_code == 403
    allocation = Allocation.objects.filter(line=world.lines["L1"]).first()
    response = client.post(reverse("budget:allocation-delete", kwargs={"allocation_id": allocation.pk}))
    assert response.status_code == 403
    assert Allocation.objects.filter(pk=allocation.pk).exists()
    assert not Allocation.objects.filter(line=line).exists()


def test_a_manager_unlinks_a_line_by_post_only(client, finance, world):
    allocation = Allocation.objects.filter(line=world.lines["L1"]).first()
    url = reverse("budget:allocation-delete", kwargs={"allocation_id": allocation.pk})
    client_for(client, finance)
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("budget:line", kwargs={"line_id": world.lines["L1"].pk})
    assert not Allocation.objects.filter(pk=allocation.pk).exists()


def test_anonymous_people_are_sent_to_sign_in_and_residents_cannot_read(client, resident, world):
    response = client.get(reverse("budget:overview"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(resident)
    assert client.get(reverse("budget:overview")).status_code == 403


@pytest.mark.parametrize("name", ["overview", "totals", "gaps", "actions", "lines"])
def test_pages_cost_the_same_queries_with_three_times_the_data(
    client, viewer, plan, world, department_a, name
):
    client_for(client, viewer)
    url = reverse(f"budget:{name}")
    client.get(url, {"year": YEAR})  # warm up the session and caches
    with CaptureQueriesContext(connection) as small:
        assert client.get(url, {"year": YEAR}).status_code == 200
    more_lines(plan, department_a, 20, world.general)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url, {"year": YEAR}).status_code == 200
    assert len(small) == len(large)
    assert len(large) <= 15


def test_a_line_page_costs_the_same_queries_with_more_allocations(client, finance, plan, world):
    url = reverse("budget:line", kwargs={"line_id": world.lines["L3"].pk})
    client_for(client, finance).get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for code in ["1.1.1.2", "2.2.1.1", "2.2.1.2"]:
        Allocation.objects.create(line=world.lines["L3"], item=world.items[code], share_percent=D("10"))
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(small) == len(large) <= 15
