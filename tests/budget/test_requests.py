"""Budget requests through their services: the window, submitting, scoring, ranking, adopting, visibility."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from civicplan.budget import selectors, services
from civicplan.budget.models import (
    ActionFunding,
    Allocation,
    BudgetLine,
    BudgetRequest,
    CalendarMilestone,
    FundingStatus,
    MilestoneKind,
    RequestState,
)
from civicplan.plans.models import Level
from tests import factories as f


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def fund(organization):
    return f.make_fund(organization)


@pytest.fixture
def cycle(organization, plan):
    """FY 2026-27, its request window open today (kick-off 10 days ago, due in 20 days)."""
    return f.make_cycle(organization, 2026)


@pytest.fixture
def closed_cycle(organization, plan):
    today = timezone.localdate()
    return f.make_cycle(organization, 2027, today=today - dt.timedelta(days=60))


def _items(plan, *codes):
    return [plan.items.get(code=code) for code in codes]


def _data(plan, fund, *codes, **overrides):
    data = {
        "fiscal_year": 2026,
        "title_en": "Street trees",
        "title_es": "Árboles urbanos",
        "justification_en": "Shade for the east side.",
        "justification_es": "Sombra para el lado este.",
        "amount": Decimal("120000.00"),
        "fund": fund,
        "items": _items(plan, *(codes or ("1.1",))),
    }
    return {**data, **overrides}


def _draft(plan, fund, cycle, user, *codes, **overrides):
    return services.save_request(user=user, cycle=cycle, data=_data(plan, fund, *codes, **overrides))


# --- The request window -------------------------------------------------------------------------------------------


def test_it_lets_an_editor_write_a_draft_for_their_department_while_the_window_is_open(
    plan, fund, cycle, editor_a, department_a
):
    draft = _draft(plan, fund, cycle, editor_a)
    assert draft.state == RequestState.DRAFT
    assert draft.department == department_a and draft.created_by == editor_a
    assert [item.code for item in draft.items.all()] == ["1.1"]
    assert draft.history.first().history_change_reason == "Request written"


def test_it_refuses_an_editor_creating_a_request_after_the_window_in_words(
    plan, fund, closed_cycle, editor_a
):
    due = closed_cycle.milestones.get(kind=MilestoneKind.REQUESTS_DUE).date
    with pytest.raises(ValidationError) as error:
        _draft(plan, fund, closed_cycle, editor_a, fiscal_year=2027)
    message = " ".join(error.value.messages)
    assert "Requests for FY 2027-28 were due on" in message
    assert str(due.year) in message
    assert not BudgetRequest.objects.exists()


def test_it_refuses_an_editor_before_the_kickoff_and_says_when_requests_open(
    plan, fund, organization, editor_a
):
    cycle = f.make_cycle(organization, 2026, today=timezone.localdate() + dt.timedelta(days=30))
    with pytest.raises(ValidationError, match="Requests for FY 2026-27 open on"):
        _draft(plan, fund, cycle, editor_a)


def test_it_says_a_cycle_without_both_dates_has_no_window(plan, fund, cycle, editor_a):
    cycle.milestones.filter(kind=MilestoneKind.KICKOFF).delete()
    window = selectors.request_window(cycle)
    assert window.state == "none"
    with pytest.raises(ValidationError, match="have no window yet"):
        _draft(plan, fund, cycle, editor_a)


def test_it_lets_the_coordinator_enter_a_request_for_any_department_after_the_window(
    plan, fund, closed_cycle, coordinator, department_b
):
    late = _draft(plan, fund, closed_cycle, coordinator, fiscal_year=2027, department=department_b)
    submitted = services.submit_request(budget_request=late, user=coordinator)
    assert submitted.department == department_b and submitted.state == RequestState.SUBMITTED


def test_it_refuses_an_editor_submitting_after_the_window(plan, fund, cycle, editor_a):
    draft = _draft(plan, fund, cycle, editor_a)
    later = timezone.localdate() + dt.timedelta(days=21)
    with pytest.raises(ValidationError, match="were due on"):
        services.submit_request(budget_request=draft, user=editor_a, today=later)
    draft.refresh_from_db()
    assert draft.state == RequestState.DRAFT


def test_it_writes_an_editors_request_for_their_own_department_whatever_they_choose(
    plan, fund, cycle, editor_a, department_a, department_b
):
    draft = _draft(plan, fund, cycle, editor_a, department=department_b)
    assert draft.department == department_a


# --- Submitting ---------------------------------------------------------------------------------------------------


def test_submitting_needs_the_spanish_text_and_a_cited_element(plan, fund, cycle, editor_a):
    draft = services.save_request(
        user=editor_a,
        cycle=cycle,
        data=_data(plan, fund, title_es="", justification_es="", items=[]),
    )
    with pytest.raises(ValidationError) as error:
        services.submit_request(budget_request=draft, user=editor_a)
    assert set(error.value.message_dict) == {"title_es", "justification_es", "items"}
    assert "Spanish" in error.value.message_dict["title_es"][0]
    draft.refresh_from_db()
    assert draft.state == RequestState.DRAFT


def test_submitting_marks_cited_actions_requested_for_the_year_unless_already_funded(
    plan, fund, cycle, editor_a, coordinator
):
    unfunded, funded = _items(plan, "1.1.1.1", "1.1.1.2")
    services.set_action_funding(
        action=funded, fiscal_year=2026, user=coordinator, status=FundingStatus.FUNDED
    )
    draft = _draft(plan, fund, cycle, editor_a, "1.1.1.1", "1.1.1.2")
    submitted = services.submit_request(budget_request=draft, user=editor_a)
    assert submitted.state == RequestState.SUBMITTED and submitted.submitted_at is not None
    assert ActionFunding.objects.get(action=unfunded, fiscal_year=2026).status == FundingStatus.REQUESTED
    assert ActionFunding.objects.get(action=funded, fiscal_year=2026).status == FundingStatus.FUNDED


def test_submitting_twice_is_refused_in_words(plan, fund, cycle, editor_a):
    submitted = services.submit_request(budget_request=_draft(plan, fund, cycle, editor_a), user=editor_a)
    with pytest.raises(ValidationError, match="already submitted"):
        services.submit_request(budget_request=submitted, user=editor_a)


# --- Editing, locking, withdrawing ---------------------------------------------------------------------------------


def test_the_department_may_edit_a_submitted_request_until_someone_scores_it(
    plan, fund, cycle, editor_a, finance
):
    submitted = services.submit_request(budget_request=_draft(plan, fund, cycle, editor_a), user=editor_a)
    changed = services.save_request(
        user=editor_a,
        cycle=cycle,
        data=_data(plan, fund, amount=Decimal("90000")),
        budget_request=submitted,
        expected_version=submitted.lock_version,
    )
    assert changed.amount == Decimal("90000") and changed.state == RequestState.SUBMITTED
    services.score_request(
        budget_request=changed,
        user=finance,
        scores={"score_alignment": 2, "score_need": 2, "score_readiness": 1},
    )
    changed.refresh_from_db()
    with pytest.raises(ValidationError, match=r"being scored.*ask the coordinator"):
        services.save_request(
            user=editor_a,
            cycle=cycle,
            data=_data(plan, fund, amount=Decimal("1")),
            budget_request=changed,
            expected_version=changed.lock_version,
        )


def test_a_submitted_request_keeps_its_spanish_text_when_edited(plan, fund, cycle, editor_a):
    submitted = services.submit_request(budget_request=_draft(plan, fund, cycle, editor_a), user=editor_a)
    with pytest.raises(ValidationError) as error:
        services.save_request(
            user=editor_a, cycle=cycle, data=_data(plan, fund, title_es=""), budget_request=submitted
        )
    assert "title_es" in error.value.message_dict


def test_it_raises_a_conflict_on_a_stale_lock_version(plan, fund, cycle, editor_a, coordinator):
    draft = _draft(plan, fund, cycle, editor_a)
    seen = draft.lock_version
    services.save_request(
        user=coordinator,
        cycle=cycle,
        data=_data(plan, fund, title_en="Coordinator's title"),
        budget_request=draft,
    )
    with pytest.raises(services.RequestConflict) as error:
        services.save_request(
            user=editor_a,
            cycle=cycle,
            data=_data(plan, fund, title_en="Mine"),
            budget_request=draft,
            expected_version=seen,
        )
    assert error.value.current.title_en == "Coordinator's title"


def test_an_editor_of_another_department_cannot_edit_submit_or_withdraw(
    plan, fund, cycle, editor_a, editor_b
):
    draft = _draft(plan, fund, cycle, editor_a)
    with pytest.raises(PermissionDenied):
        services.save_request(user=editor_b, cycle=cycle, data=_data(plan, fund), budget_request=draft)
    with pytest.raises(PermissionDenied):
        services.submit_request(budget_request=draft, user=editor_b)
    with pytest.raises(PermissionDenied):
        services.withdraw_request(budget_request=draft, user=editor_b)


def test_finance_and_council_cannot_write_requests(plan, fund, cycle, finance, council_member, department_a):
    for person in (finance, council_member):
        with pytest.raises(PermissionDenied):
            _draft(plan, fund, cycle, person, department=department_a)


def test_withdrawing_releases_actions_requested_only_by_that_request(
    plan, fund, cycle, editor_a, coordinator
):
    action = _items(plan, "1.1.1.1")[0]
    first = services.submit_request(
        budget_request=_draft(plan, fund, cycle, editor_a, "1.1.1.1"), user=editor_a
    )
    second = services.submit_request(
        budget_request=_draft(plan, fund, cycle, coordinator, "1.1.1.1", department=first.department),
        user=coordinator,
    )
    services.withdraw_request(budget_request=first, user=editor_a)
    first.refresh_from_db()
    assert first.state == RequestState.WITHDRAWN
    assert ActionFunding.objects.get(action=action, fiscal_year=2026).status == FundingStatus.REQUESTED
    services.withdraw_request(budget_request=second, user=coordinator)
    assert ActionFunding.objects.get(action=action, fiscal_year=2026).status == FundingStatus.UNFUNDED


def test_a_decided_request_cannot_be_withdrawn_or_changed(plan, fund, cycle, editor_a, finance):
    submitted = services.submit_request(budget_request=_draft(plan, fund, cycle, editor_a), user=editor_a)
    services.decide_request(budget_request=submitted, user=finance, decision="not_funded", note="No money.")
    with pytest.raises(ValidationError, match="only a draft or a submitted request can be withdrawn"):
        services.withdraw_request(budget_request=submitted, user=editor_a)
    with pytest.raises(ValidationError, match="decided"):
        services.save_request(user=editor_a, cycle=cycle, data=_data(plan, fund), budget_request=submitted)


# --- Scoring ------------------------------------------------------------------------------------------------------


def test_scores_run_from_0_to_3(plan, fund, cycle, editor_a, finance):
    submitted = services.submit_request(budget_request=_draft(plan, fund, cycle, editor_a), user=editor_a)
    with pytest.raises(ValidationError) as error:
        services.score_request(
            budget_request=submitted,
            user=finance,
            scores={"score_alignment": 4, "score_need": -1, "score_readiness": 3},
        )
    assert set(error.value.message_dict) == {"score_alignment", "score_need"}
    scored = services.score_request(
        budget_request=submitted,
        user=finance,
        scores={"score_alignment": 3, "score_need": 0, "score_readiness": 3},
    )
    assert scored.score == 6


def test_only_the_coordinator_and_finance_score(plan, fund, cycle, editor_a, council_member):
    submitted = services.submit_request(budget_request=_draft(plan, fund, cycle, editor_a), user=editor_a)
    for person in (editor_a, council_member):
        with pytest.raises(PermissionDenied):
            services.score_request(
                budget_request=submitted,
                user=person,
                scores={"score_alignment": 1, "score_need": 1, "score_readiness": 1},
            )


def test_a_draft_is_not_scored(plan, fund, cycle, editor_a, coordinator):
    draft = _draft(plan, fund, cycle, editor_a)
    with pytest.raises(ValidationError, match="Only submitted requests are scored"):
        services.score_request(
            budget_request=draft,
            user=coordinator,
            scores={"score_alignment": 1, "score_need": 1, "score_readiness": 1},
        )


# --- Ranking ------------------------------------------------------------------------------------------------------


def _scored(cycle, department, items, amount, scores, title):
    request = f.make_budget_request(cycle, department, items, amount=Decimal(amount), title_en=title)
    if scores:
        a, n, r = scores
        BudgetRequest.objects.filter(pk=request.pk).update(score_alignment=a, score_need=n, score_readiness=r)
    return request


def test_the_ranking_orders_by_score_then_council_priority_then_amount(
    plan, cycle, department_a, department_b
):
    p1_goal, p2_goal, p2_action = _items(plan, "1.1", "2.1", "2.1.1.1")
    _scored(cycle, department_a, [p2_goal], "1000", (3, 3, 3), "top score")
    _scored(cycle, department_a, [p2_action], "500", (2, 2, 2), "six, priority 2, small")
    _scored(cycle, department_b, [p2_goal, p1_goal], "9000", (2, 2, 2), "six, priority 1")
    _scored(cycle, department_b, [p2_goal], "800", (2, 2, 2), "six, priority 2, larger")
    _scored(cycle, department_a, [p1_goal], "10", None, "unscored")
    f.make_budget_request(
        cycle, department_a, [p1_goal], state=RequestState.DRAFT, submitted_at=None, title_en="draft"
    )
    ranking = selectors.ranking(cycle)
    assert [row.request.title_en for row in ranking.rows] == [
        "top score",
        "six, priority 1",
        "six, priority 2, small",
        "six, priority 2, larger",
        "unscored",
    ]
    assert [row.rank for row in ranking.rows] == [1, 2, 3, 4, 5]
    assert [row.running_total for row in ranking.rows] == [
        Decimal(1000),
        Decimal(10000),
        Decimal(10500),
        Decimal(11300),
        Decimal(11310),
    ]
    assert ranking.rows[1].priority.code == "1"
    assert ranking.unscored == 1 and ranking.total_adopted == 0


# --- Deciding -----------------------------------------------------------------------------------------------------


def test_adopting_creates_a_line_allocated_to_the_cent_and_funds_the_cited_actions(
    plan, fund, cycle, editor_a, finance, coordinator
):
    action = _items(plan, "1.1.1.1")[0]
    services.set_action_funding(
        action=action, fiscal_year=2026, user=coordinator, status=FundingStatus.UNFUNDED, note="keep me"
    )
    draft = _draft(plan, fund, cycle, editor_a, "1.1", "1.2.1", "1.1.1.1", amount=Decimal("150000"))
    submitted = services.submit_request(budget_request=draft, user=editor_a)
    adopted = services.decide_request(
        budget_request=submitted,
        user=finance,
        decision="adopt",
        adopted_amount=Decimal("100000.00"),
        note="Council 6/10, resolution 2026-31",
    )
    assert adopted.state == RequestState.ADOPTED and adopted.adopted_amount == Decimal("100000.00")
    line = adopted.line
    assert line == BudgetLine.objects.get()
    assert line.adopted_amount == Decimal("100000.00") and line.fiscal_year == 2026
    assert line.fund == fund and line.department == submitted.department
    assert line.program == "Budget requests" and line.account == ""
    assert line.description == f"Request #{adopted.pk}: Street trees"
    assert line.source == f"Budget request #{adopted.pk}"
    parts = {a.item.code: a.amount for a in Allocation.objects.filter(line=line)}
    assert parts == {"1.1": Decimal("33333.34"), "1.1.1.1": Decimal("33333.33"), "1.2.1": Decimal("33333.33")}
    assert sum(parts.values()) == line.adopted_amount
    funding = ActionFunding.objects.get(action=action, fiscal_year=2026)
    assert funding.status == FundingStatus.FUNDED and funding.fund == fund
    assert funding.estimated_cost == Decimal("33333.33") and funding.note == "keep me"
    assert adopted.history.first().history_change_reason == "Adopted"


def test_adopting_defaults_to_the_requested_amount_and_keeps_a_given_estimate(
    plan, fund, cycle, editor_a, coordinator
):
    action = _items(plan, "2.1.1.1")[0]
    services.set_action_funding(
        action=action,
        fiscal_year=2026,
        user=coordinator,
        status=FundingStatus.UNFUNDED,
        estimated_cost=Decimal(5),
    )
    submitted = services.submit_request(
        budget_request=_draft(plan, fund, cycle, editor_a, "2.1.1.1"), user=editor_a
    )
    adopted = services.decide_request(budget_request=submitted, user=coordinator, decision="adopt")
    assert adopted.adopted_amount == Decimal("120000.00") == adopted.line.adopted_amount
    assert ActionFunding.objects.get(action=action, fiscal_year=2026).estimated_cost == Decimal(5)


def test_not_funded_records_the_note_and_releases_only_requested_actions(
    plan, fund, cycle, editor_a, coordinator, finance
):
    requested, deferred = _items(plan, "1.1.1.1", "1.1.1.2")
    services.set_action_funding(
        action=deferred, fiscal_year=2026, user=coordinator, status=FundingStatus.DEFERRED
    )
    draft = _draft(plan, fund, cycle, editor_a, "1.1.1.1", "1.1.1.2")
    submitted = services.submit_request(budget_request=draft, user=editor_a)
    decided = services.decide_request(
        budget_request=submitted, user=finance, decision="not_funded", note="Revenue fell short."
    )
    assert decided.state == RequestState.NOT_FUNDED and decided.decision_note == "Revenue fell short."
    assert decided.line is None and not BudgetLine.objects.exists()
    assert ActionFunding.objects.get(action=requested, fiscal_year=2026).status == FundingStatus.UNFUNDED
    assert ActionFunding.objects.get(action=deferred, fiscal_year=2026).status == FundingStatus.DEFERRED


def test_a_draft_cannot_be_decided_and_editors_cannot_decide(plan, fund, cycle, editor_a, coordinator):
    draft = _draft(plan, fund, cycle, editor_a)
    with pytest.raises(ValidationError, match="Only a submitted request can be decided"):
        services.decide_request(budget_request=draft, user=coordinator, decision="adopt")
    with pytest.raises(PermissionDenied):
        services.decide_request(budget_request=draft, user=editor_a, decision="adopt")


# --- Who sees what ------------------------------------------------------------------------------------------------


def test_a_draft_is_seen_by_its_department_the_coordinator_and_finance_only(
    plan, fund, cycle, editor_a, editor_b, coordinator, finance, council_member, viewer
):
    draft = _draft(plan, fund, cycle, editor_a)
    submitted = f.make_budget_request(cycle, editor_b.department, _items(plan, "2.1"))
    for person in (editor_a, coordinator, finance):
        assert selectors.can_see_request(person, draft)
        assert set(selectors.visible_requests(person)) == {draft, submitted}
    for person in (editor_b, council_member, viewer):
        assert not selectors.can_see_request(person, draft)
        assert set(selectors.visible_requests(person)) == {submitted}


def test_it_refuses_archived_or_non_citable_plan_elements(plan, fund, cycle, editor_a, coordinator):
    from civicplan.plans import services as plan_services

    priority = plan.items.get(code="1", level=Level.PRIORITY)
    with pytest.raises(ValidationError, match="goals, strategies or actions"):
        services.save_request(user=editor_a, cycle=cycle, data=_data(plan, fund, items=[priority]))
    archived = plan.items.get(code="2.2.1.2")
    plan_services.archive_item(item=archived, user=coordinator, reason="done")
    archived.refresh_from_db()
    with pytest.raises(ValidationError, match="archived"):
        services.save_request(user=editor_a, cycle=cycle, data=_data(plan, fund, items=[archived]))


def test_a_fiscal_year_outside_the_cycle_is_refused(plan, fund, cycle, editor_a):
    with pytest.raises(ValidationError) as error:
        _draft(plan, fund, cycle, editor_a, fiscal_year=2028)
    assert "fiscal_year" in error.value.message_dict


def test_the_window_counts_the_due_date_itself(organization, plan):
    cycle = f.make_cycle(organization, 2026)
    due = CalendarMilestone.objects.get(cycle=cycle, kind=MilestoneKind.REQUESTS_DUE).date
    window = selectors.request_window(cycle, due)
    assert window.is_open and window.days_left == 0
    assert selectors.request_window(cycle, due + dt.timedelta(days=1)).state == "closed"
