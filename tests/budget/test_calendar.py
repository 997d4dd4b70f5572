"""Budget cycles, milestones, the request window and the merged timeline, through services and selectors."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from civicplan.budget import selectors, services
from civicplan.budget.models import BudgetCycle, BudgetReminderLog, CalendarMilestone
from civicplan.plans.models import ReportingPeriod
from tests import factories as f


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _cycle(organization, user, first=2026, years=1, usual=False):
    return services.save_cycle(
        organization=organization,
        user=user,
        data={"first_fiscal_year": first, "years": years},
        add_usual_milestones=usual,
    )


def test_the_usual_milestones_of_a_july_fiscal_year():
    assert services.default_milestones(2026, 1) == [
        ("kickoff", dt.date(2026, 1, 15)),
        ("requests_due", dt.date(2026, 2, 28)),
        ("study_session", dt.date(2026, 4, 15)),
        ("proposed", dt.date(2026, 5, 1)),
        ("adoption", dt.date(2026, 6, 15)),
        ("mid_year", dt.date(2027, 2, 15)),
    ]


def test_a_biennial_cycle_gets_a_mid_year_review_each_year_and_leap_years_end_february_on_the_29th():
    milestones = services.default_milestones(2028, 2)
    assert ("requests_due", dt.date(2028, 2, 29)) in milestones
    assert [day for kind, day in milestones if kind == "mid_year"] == [
        dt.date(2029, 2, 15),
        dt.date(2030, 2, 15),
    ]


def test_creating_a_cycle_with_the_usual_milestones(organization, coordinator):
    cycle = _cycle(organization, coordinator, usual=True)
    assert cycle.fiscal_years == [2026]
    assert list(cycle.milestones.values_list("kind", flat=True)) == [
        "kickoff",
        "requests_due",
        "study_session",
        "proposed",
        "adoption",
        "mid_year",
    ]
    assert cycle.history.first().history_user == coordinator


def test_a_second_cycle_for_the_same_fiscal_year_is_refused_clearly(organization, finance):
    _cycle(organization, finance)
    with pytest.raises(ValidationError) as error:
        _cycle(organization, finance)
    assert error.value.message_dict["first_fiscal_year"] == [
        "There is already a budget cycle for FY 2026-27."
    ]


def test_a_biennial_cycle_overlapping_another_is_refused(organization, finance):
    _cycle(organization, finance, first=2027)
    with pytest.raises(ValidationError) as error:
        _cycle(organization, finance, first=2026, years=2)
    assert error.value.message_dict["years"] == ["FY 2027-28 is already part of the budget cycle FY 2027-28."]
    biennial = _cycle(organization, finance, first=2028, years=2)
    with pytest.raises(
        ValidationError, match="FY 2029-30 is already part of the budget cycle FY 2028-29 – FY 2029-30"
    ):
        _cycle(organization, finance, first=2029)
    assert biennial.fiscal_years == [2028, 2029]


def test_a_cycle_cannot_drop_a_year_its_requests_are_for(organization, coordinator, department_a, plan):
    cycle = _cycle(organization, coordinator, first=2026, years=2)
    f.make_budget_request(cycle, department_a, [plan.items.get(code="1.1")], fiscal_year=2027)
    with pytest.raises(ValidationError, match="1 requests of this cycle"):
        services.save_cycle(
            organization=organization,
            user=coordinator,
            data={"first_fiscal_year": 2026, "years": 1},
            cycle=cycle,
        )


def test_only_the_coordinator_and_finance_set_the_calendar(
    organization, editor_a, council_member, coordinator
):
    for person in (editor_a, council_member):
        with pytest.raises(PermissionDenied):
            _cycle(organization, person)
    cycle = _cycle(organization, coordinator)
    with pytest.raises(PermissionDenied):
        services.save_milestone(
            cycle=cycle, user=editor_a, data={"kind": "other", "date": dt.date(2026, 3, 1)}
        )


# --- Milestones -------------------------------------------------------------------------------------------------


def test_a_cycle_has_one_kickoff_and_requests_are_not_due_before_it(organization, finance):
    cycle = _cycle(organization, finance, usual=True)
    with pytest.raises(ValidationError) as error:
        services.save_milestone(
            cycle=cycle, user=finance, data={"kind": "kickoff", "date": dt.date(2026, 1, 2)}
        )
    assert (
        "already has a “Budget kick-off” milestone, on Jan. 15, 2026" in error.value.message_dict["kind"][0]
    )
    due = cycle.milestones.get(kind="requests_due")
    with pytest.raises(ValidationError) as error:
        services.save_milestone(
            cycle=cycle,
            user=finance,
            milestone=due,
            data={"kind": "requests_due", "date": dt.date(2026, 1, 10)},
        )
    assert "before the kick-off" in error.value.message_dict["date"][0]


def test_milestones_are_added_changed_and_removed(organization, finance):
    cycle = _cycle(organization, finance)
    added = services.save_milestone(
        cycle=cycle,
        user=finance,
        data={
            "kind": "other",
            "title_en": " Budget town hall ",
            "title_es": "Foro",
            "date": dt.date(2026, 3, 3),
        },
    )
    assert added.title_en == "Budget town hall" and added.label() == "Budget town hall"
    changed = services.save_milestone(
        cycle=cycle,
        user=finance,
        milestone=added,
        data={"kind": "study_session", "date": dt.date(2026, 4, 2)},
    )
    assert changed.label() == "Council study session"
    with translation.override("es"):
        assert changed.label() != ""  # the kind's name in Spanish once translated, never empty
    BudgetReminderLog.objects.create(
        milestone=changed, recipient=finance, kind="before", sent_on=dt.date(2026, 3, 26)
    )
    milestone_id = changed.pk
    services.delete_milestone(milestone=changed, user=finance)
    assert not CalendarMilestone.objects.filter(pk=milestone_id).exists()
    assert not BudgetReminderLog.objects.exists()
    removal = CalendarMilestone.history.filter(id=milestone_id).first()
    assert removal.history_type == "-" and removal.history_change_reason == "Milestone removed"


# --- The request window -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "state", "message"),
    [
        (dt.date(2026, 1, 14), "upcoming", "Requests for FY 2026-27 open on Jan. 15, 2026."),
        (
            dt.date(2026, 1, 15),
            "open",
            "Requests for FY 2026-27 are open until Feb. 28, 2026 — 44 days left.",
        ),
        (dt.date(2026, 2, 27), "open", "Requests for FY 2026-27 are open until Feb. 28, 2026 — 1 day left."),
        (dt.date(2026, 2, 28), "open", "Requests for FY 2026-27 are due today, Feb. 28, 2026."),
        (dt.date(2026, 3, 1), "closed", "Requests for FY 2026-27 were due on Feb. 28, 2026."),
    ],
)
def test_the_request_window_in_words(organization, coordinator, today, state, message):
    cycle = BudgetCycle.objects.prefetch_related("milestones").get(
        pk=_cycle(organization, coordinator, usual=True).pk
    )
    window = selectors.request_window(cycle, today)
    assert window.state == state
    assert selectors.window_message(cycle, window) == message


# --- One timeline -------------------------------------------------------------------------------------------------


def test_the_timeline_merges_budget_milestones_and_update_due_dates_in_date_order(
    organization, plan, coordinator
):
    _cycle(organization, coordinator, usual=True)
    ReportingPeriod.objects.create(
        plan=plan,
        name_en="FY 2025-26 Q3",
        name_es="AF 2025-26 T3",
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 3, 31),
        opens_on=dt.date(2026, 3, 17),
        due_on=dt.date(2026, 4, 15),
    )
    ReportingPeriod.objects.create(
        plan=plan,
        name_en="FY 2025-26 Q2",
        name_es="AF 2025-26 T2",
        starts_on=dt.date(2025, 10, 1),
        ends_on=dt.date(2025, 12, 31),
        opens_on=dt.date(2025, 12, 17),
        due_on=dt.date(2026, 1, 15),
    )
    start, end = selectors.calendar_range(organization, plan, 2025)
    assert (start, end) == (dt.date(2025, 7, 1), dt.date(2026, 6, 30))
    entries = selectors.calendar_timeline(organization, plan, start=start, end=end)
    assert [(entry.date, entry.label) for entry in entries] == [
        (dt.date(2026, 1, 15), "Budget kick-off"),
        (dt.date(2026, 1, 15), "Progress updates for FY 2025-26 Q2 due"),
        (dt.date(2026, 2, 28), "Department requests due"),
        (dt.date(2026, 4, 15), "Council study session"),
        (dt.date(2026, 4, 15), "Progress updates for FY 2025-26 Q3 due"),
        (dt.date(2026, 5, 1), "Proposed budget released"),
        (dt.date(2026, 6, 15), "Budget adoption"),
    ]  # the mid-year review (February 2027) is in the next fiscal year
    assert {entry.kind_label for entry in entries} == {"Budget", "Progress update due"}
    svg = selectors.timeline_svg(entries, start=start, end=end, today=dt.date(2026, 3, 1))
    assert svg.startswith("<svg") and "5 budget milestones and 2 progress-update due dates" in svg
    whole = selectors.calendar_range(organization, plan, None)
    assert whole == (dt.date(2025, 7, 1), dt.date(2030, 6, 30))
