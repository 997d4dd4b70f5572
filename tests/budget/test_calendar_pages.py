"""Budget calendar pages: the calendar with its merged timeline, cycles and milestones, for the right people."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from civicplan.budget.models import BudgetCycle, CalendarMilestone, MilestoneKind
from civicplan.plans.models import ReportingPeriod
from tests import factories as f
from tests.web.test_authorization_matrix import MATRIX, PERSONAS, _budget_world, _denied

MY_URLS = ["budget:calendar", "budget:cycle-new", "budget:cycle-edit"] + [
    name for name in MATRIX if name.startswith("budget:milestone")
]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_gets_the_access_the_matrix_gives_on_calendar_pages(
    client, request, adopted_plan, coordinator, department_a, persona, method
):
    people = {name: request.getfixturevalue(name) for name in PERSONAS if name != "anonymous"}
    goal = adopted_plan.items.filter(level="goal").first()
    action = adopted_plan.items.filter(level="action", department=department_a).first()
    args = _budget_world(adopted_plan, coordinator, department_a, action, goal)
    if persona != "anonymous":
        client.force_login(people[persona])
    failures = []
    for name in MY_URLS:
        allowed = MATRIX[name][0 if method == "get" else 1]
        response = getattr(client, method)(reverse(name, kwargs=args[name]))
        if persona in allowed and _denied(response, persona):
            failures.append(f"{method} {name}: {persona} should be allowed, got {response.status_code}")
        elif persona not in allowed and not _denied(response, persona) and response.status_code != 405:
            failures.append(f"{method} {name}: {persona} should be denied, got {response.status_code}")
    assert not failures, "\n".join(failures)


def _period(plan, name, due):
    ends = due - dt.timedelta(days=15)
    return ReportingPeriod.objects.create(
        plan=plan,
        name_en=name,
        name_es=name.replace("FY", "AF").replace("Q", "T"),
        starts_on=ends.replace(day=1) - dt.timedelta(days=60),
        ends_on=ends,
        opens_on=ends - dt.timedelta(days=14),
        due_on=due,
    )


def test_the_calendar_merges_update_due_dates_and_budget_milestones_in_date_order(
    client, organization, adopted_plan, council_member
):
    cycle = BudgetCycle.objects.create(organization=organization, first_fiscal_year=2026)
    CalendarMilestone.objects.create(cycle=cycle, kind=MilestoneKind.KICKOFF, date=dt.date(2026, 1, 15))
    CalendarMilestone.objects.create(cycle=cycle, kind=MilestoneKind.REQUESTS_DUE, date=dt.date(2026, 2, 27))
    CalendarMilestone.objects.create(
        cycle=cycle, kind=MilestoneKind.OTHER, title_en="Budget town hall", date=dt.date(2026, 5, 20)
    )
    _period(adopted_plan, "FY 2025-26 Q3", dt.date(2026, 4, 15))
    _period(adopted_plan, "FY 2025-26 Q2", dt.date(2026, 1, 30))
    client.force_login(council_member)
    response = client.get(reverse("budget:calendar"))
    assert response.status_code == 200
    body = response.content.decode()
    table = body.split("in date order</caption>")[1]
    order = [
        "Budget kick-off",
        "Progress updates for FY 2025-26 Q2 due",
        "Department requests due",
        "Progress updates for FY 2025-26 Q3 due",
        "Budget town hall",
    ]
    positions = [table.index(label) for label in order]
    assert positions == sorted(positions)
    assert (
        '<svg xmlns="http://www.w3.org/2000/svg"' in body and "Budget calendar and progress updates" in body
    )
    assert "FY 2026-27" in body and "New budget cycle" not in body  # council reads, never changes


def test_the_year_filter_narrows_the_timeline_to_one_fiscal_year(client, organization, adopted_plan, viewer):
    cycle = BudgetCycle.objects.create(organization=organization, first_fiscal_year=2027)
    CalendarMilestone.objects.create(cycle=cycle, kind=MilestoneKind.KICKOFF, date=dt.date(2027, 1, 15))
    CalendarMilestone.objects.create(cycle=cycle, kind=MilestoneKind.MID_YEAR, date=dt.date(2028, 2, 15))
    client.force_login(viewer)
    whole = client.get(reverse("budget:calendar")).content.decode()
    assert "Jan. 15, 2027" in whole and "Feb. 15, 2028" in whole
    one_year = client.get(reverse("budget:calendar"), {"year": 2026}).content.decode()
    timeline = one_year.split('id="timeline"')[1]
    assert "Jan. 15, 2027" in timeline and "Feb. 15, 2028" not in timeline
    assert "From July 1, 2026 to June 30, 2027." in one_year


def test_the_calendar_says_the_request_window_state(client, organization, adopted_plan, editor_a):
    f.make_cycle(organization, 2026)
    client.force_login(editor_a)
    body = client.get(reverse("budget:calendar")).content.decode()
    assert "Requests open" in body and "20 days left" in body


def test_the_calendar_takes_the_same_queries_whatever_the_number_of_cycles(
    client, organization, adopted_plan, finance
):
    client.force_login(finance)
    f.make_cycle(organization, 2025)
    client.get(reverse("budget:calendar"))
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("budget:calendar")).status_code == 200
    for year in (2026, 2027, 2028):
        f.make_cycle(organization, year)
        _period(adopted_plan, f"FY {year} Q1", dt.date(year, 10, 15))
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("budget:calendar")).status_code == 200
    assert len(many) == len(few)


# --- Cycles -------------------------------------------------------------------------------------------------------


def test_finance_creates_a_cycle_with_the_usual_milestones_and_is_sent_to_edit_them(
    client, organization, adopted_plan, finance
):
    client.force_login(finance)
    page = client.get(reverse("budget:cycle-new")).content.decode()
    assert '<option value="2030">FY 2030-31</option>' in page  # the plan's years and the next one
    assert "Add the usual milestones with suggested dates" in page and "checked" in page
    response = client.post(
        reverse("budget:cycle-new"), {"first_fiscal_year": "2026", "years": "2", "add_usual_milestones": "on"}
    )
    cycle = BudgetCycle.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "budget:cycle-edit", args=[cycle.pk]
    )
    assert cycle.fiscal_years == [2026, 2027] and cycle.milestones.count() == 7
    page = client.get(response["Location"]).content.decode()
    assert "Jan. 15, 2026" in page and "Department requests due" in page and "Remove" in page


def test_a_duplicate_cycle_is_refused_next_to_the_field_keeping_the_choice(
    client, organization, adopted_plan, coordinator
):
    BudgetCycle.objects.create(organization=organization, first_fiscal_year=2027)
    client.force_login(coordinator)
    response = client.post(reverse("budget:cycle-new"), {"first_fiscal_year": "2027", "years": "2"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is already a budget cycle for FY 2027-28." in body
    assert '<option value="2027" selected>' in body and 'value="2" id="id_years_1" checked' in body
    assert BudgetCycle.objects.count() == 1
    response = client.post(reverse("budget:cycle-new"), {"first_fiscal_year": "2026", "years": "2"})
    assert (
        response.status_code == 400
        and "FY 2027-28 is already part of the budget cycle FY 2027-28." in response.content.decode()
    )
    assert CalendarMilestone.objects.count() == 0


def test_a_cycle_is_changed_from_its_page(client, organization, adopted_plan, coordinator):
    cycle = BudgetCycle.objects.create(organization=organization, first_fiscal_year=2027)
    client.force_login(coordinator)
    response = client.post(
        reverse("budget:cycle-edit", args=[cycle.pk]), {"first_fiscal_year": "2027", "years": "2"}
    )
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert cycle.years == 2


# --- Milestones ---------------------------------------------------------------------------------------------------


def test_milestones_are_added_edited_and_removed_after_confirmation(
    client, organization, adopted_plan, finance
):
    cycle = f.make_cycle(organization, 2026)
    client.force_login(finance)
    assert client.get(reverse("budget:milestone-new", args=[cycle.pk])).status_code == 200
    response = client.post(
        reverse("budget:milestone-new", args=[cycle.pk]),
        {"kind": "study_session", "title_en": "", "title_es": "", "date": "2026-04-15"},
    )
    assert response.status_code == 302
    added = cycle.milestones.get(kind="study_session")
    response = client.post(
        reverse("budget:milestone-edit", args=[added.pk]),
        {
            "kind": "study_session",
            "title_en": "Council workshop",
            "title_es": "Taller del concejo",
            "date": "2026-04-16",
        },
    )
    added.refresh_from_db()
    assert (
        response.status_code == 302
        and added.title_en == "Council workshop"
        and added.date == dt.date(2026, 4, 16)
    )
    confirm = client.post(reverse("budget:milestone-delete", args=[added.pk]))
    assert (
        confirm.status_code == 200
        and "Remove “Council workshop” on April 16, 2026" in confirm.content.decode()
    )
    assert CalendarMilestone.objects.filter(pk=added.pk).exists()
    response = client.post(reverse("budget:milestone-delete", args=[added.pk]), {"confirm": "yes"})
    assert response.status_code == 302 and not CalendarMilestone.objects.filter(pk=added.pk).exists()


def test_removing_a_window_milestone_warns_that_requests_stop(
    client, organization, adopted_plan, coordinator
):
    cycle = f.make_cycle(organization, 2026)
    due = cycle.milestones.get(kind=MilestoneKind.REQUESTS_DUE)
    client.force_login(coordinator)
    body = client.post(reverse("budget:milestone-delete", args=[due.pk])).content.decode()
    assert "Without it the cycle has no request window" in body


def test_the_milestone_form_keeps_input_and_says_what_is_wrong(
    client, organization, adopted_plan, coordinator
):
    cycle = f.make_cycle(organization, 2026)
    kickoff = cycle.milestones.get(kind=MilestoneKind.KICKOFF).date
    client.force_login(coordinator)
    early = (kickoff - dt.timedelta(days=3)).isoformat()
    response = client.post(
        reverse("budget:milestone-new", args=[cycle.pk]),
        {"kind": "requests_due", "title_en": "Second deadline", "title_es": "", "date": early},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "already has a “Department requests due” milestone" in body
    assert 'value="Second deadline"' in body and f'value="{early}"' in body
    response = client.post(
        reverse("budget:milestone-new", args=[cycle.pk]), {"kind": "other", "date": "soon"}
    )
    assert response.status_code == 400 and "Enter a valid date." in response.content.decode()


def test_the_calendar_shows_days_until_each_milestone(client, organization, adopted_plan, coordinator):
    cycle = f.make_cycle(organization, 2026)
    CalendarMilestone.objects.create(cycle=cycle, kind=MilestoneKind.OTHER, date=timezone.localdate())
    client.force_login(coordinator)
    body = client.get(reverse("budget:calendar")).content.decode()
    assert "in 20 days" in body and "today" in body and "past" in body and "New budget cycle" in body
