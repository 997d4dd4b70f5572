"""The staff dashboards: the whole plan for the coordinator, one department, and the council's read-only summary."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from civicplan.plans.models import Level
from tests import factories as f


@pytest.fixture
def period(adopted_plan):
    return f.make_open_period(adopted_plan)


@pytest.fixture
def tracked(adopted_plan, period, editor_a, department_a):
    """One update handed in for department A; the rest still owed."""
    action = adopted_plan.items.filter(level=Level.ACTION, department=department_a).first()
    f.make_submitted_update(action, period, editor_a)
    goal = adopted_plan.items.filter(level=Level.GOAL).first()
    indicator = f.make_indicator(adopted_plan, items=[goal], name_en="Potholes repaired on time")
    return action, indicator


def test_the_coordinator_sees_updates_by_department_and_the_plan_roll_up(
    client, coordinator, tracked, period
):
    client.force_login(coordinator)
    response = client.get(reverse("web:dashboard"))
    assert response.status_code == 200
    page = response.content.decode()
    completeness = {row.department.code: row for row in response.context["completeness"]}
    assert completeness["PW"].owed == 4 and completeness["PW"].submitted == 1
    assert completeness["CDD"].owed == 4 and completeness["CDD"].submitted == 0
    assert response.context["totals"].owed == 8
    assert reverse("staff:update-review", args=[period.plan_id, period.pk]) in page
    assert "Progress by priority" in page
    assert "<svg" in page and "<title" in page  # the status chart, with a table of the same figures
    assert response.context["actions_total"] == 8
    # The draft indicator has no owner, no value and no target: it needs follow-up.
    assert [row.indicator.name_en for row in response.context["stale_indicators"]] == [
        "Potholes repaired on time"
    ]


def test_a_department_dashboard_shows_only_that_departments_work(client, editor_b, tracked, department_a):
    client.force_login(editor_b)
    response = client.get(reverse("web:department-dashboard", args=[department_a.pk]))
    assert response.status_code == 200
    assert [row.department.code for row in response.context["completeness"]] == ["PW"]
    assert response.context["actions_total"] == 4
    # Editors read the dashboard; reviewing stays with the coordinator.
    assert not response.context["can_review"]


def test_the_department_picker_works_without_javascript(client, viewer, department_b, adopted_plan):
    client.force_login(viewer)
    response = client.get(reverse("web:dashboard"), {"department": department_b.pk})
    assert response.status_code == 302
    assert response["Location"] == reverse("web:department-dashboard", args=[department_b.pk])


def test_an_unknown_department_is_not_found(client, coordinator, adopted_plan):
    client.force_login(coordinator)
    assert client.get(reverse("web:department-dashboard", args=[99999])).status_code == 404


def test_the_council_summary_is_read_only_and_names_no_one(client, council_member, tracked, editor_a):
    client.force_login(council_member)
    response = client.get(reverse("web:council-summary"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Council summary" in page
    assert "/staff/items/" not in page  # no links into work pages
    assert editor_a.display_name not in page
    assert "<form" not in page.split("<main", 1)[1]  # nothing to submit


def test_dashboards_are_for_plan_roles_only(client, resident, adopted_plan):
    assert client.get(reverse("web:dashboard")).status_code == 302  # anonymous: to the sign-in page
    client.force_login(resident)
    assert client.get(reverse("web:dashboard")).status_code == 403


def test_the_dashboard_runs_the_same_queries_whatever_the_plans_size(
    client, coordinator, tracked, adopted_plan, department_a, department_b, period, editor_a
):
    client.force_login(coordinator)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("web:dashboard")).status_code == 200
        return len(queries)

    count()  # the first request after signing in also reads and refreshes the session
    before = count()
    assert before <= 20
    strategy = adopted_plan.items.filter(level=Level.STRATEGY).first()
    goal = adopted_plan.items.filter(level=Level.GOAL).first()
    for n in range(6):
        action = f.make_item(adopted_plan, strategy, department=department_a if n % 2 else department_b)
        f.make_milestone(action)
        f.make_submitted_update(action, period, editor_a)
        indicator = f.make_indicator(adopted_plan, items=[goal])
        f.make_target(indicator, 2026, 10)
    assert count() == before
