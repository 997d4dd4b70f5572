"""Reporting periods and progress updates: services and selectors (plans/services/updates.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from civicplan.plans import selectors, services
from civicplan.plans.models import ProgressUpdate, ReportingPeriod, UpdateState
from tests import factories as f


@pytest.fixture(autouse=True)
def _english():
    """Messages and dates in English, whatever language an earlier test left active in this thread."""
    with translation.override("en"):
        yield


Q1 = dict(  # FY 2026-27 Q1 of the test plan (FY 2025-26 .. FY 2029-30, July start)
    name_en="FY 2026-27 Q1",
    name_es="AF 2026-27 T1",
    starts_on=dt.date(2026, 7, 1),
    ends_on=dt.date(2026, 9, 30),
    opens_on=dt.date(2026, 9, 16),
    due_on=dt.date(2026, 10, 15),
)
IN_Q1 = dt.date(2026, 10, 1)


def _actions(plan, department=None):
    actions = plan.items.filter(level="action").order_by("code")
    return list(actions.filter(department=department) if department else actions)


def _content(plan, **overrides):
    data = {
        "status": f.status(plan, "at-risk"),
        "progress": Decimal(70),
        "narrative_en": "Paving is two weeks behind.",
        "narrative_es": "",
    }
    return {**data, **overrides}


@pytest.fixture
def q1(plan, coordinator):
    return services.save_period(plan=plan, user=coordinator, data=Q1)


def test_it_creates_fiscal_quarters_over_the_plan_once(plan, coordinator):
    created = services.create_default_periods(plan=plan, user=coordinator)
    assert len(created) == 20
    first = created[0]
    assert (first.name_en, first.name_es) == ("FY 2025-26 Q1", "AF 2025-26 T1")
    assert (first.starts_on, first.ends_on) == (dt.date(2025, 7, 1), dt.date(2025, 9, 30))
    assert first.opens_on == dt.date(2025, 9, 16) and first.due_on == dt.date(2025, 10, 15)
    assert services.create_default_periods(plan=plan, user=coordinator) == []
    assert plan.periods.count() == 20


def test_it_refuses_a_period_outside_the_plan_naming_the_plans_dates(plan, coordinator):
    data = {**Q1, "starts_on": dt.date(2024, 7, 1), "ends_on": dt.date(2024, 9, 30)}
    with pytest.raises(ValidationError) as error:
        services.save_period(plan=plan, user=coordinator, data=data)
    assert "July 1, 2025" in str(error.value) and "June 30, 2030" in str(error.value)


def test_it_refuses_overlapping_periods_and_dates_out_of_order(plan, coordinator, q1):
    with pytest.raises(ValidationError, match="overlaps"):
        services.save_period(plan=plan, user=coordinator, data={**Q1, "starts_on": dt.date(2026, 9, 1)})
    with pytest.raises(ValidationError):
        services.save_period(
            plan=plan,
            user=coordinator,
            data={**Q1, "starts_on": dt.date(2026, 10, 1), "due_on": dt.date(2026, 9, 1)},
        )


def test_it_removes_a_period_only_while_it_has_no_updates(plan, coordinator, editor_a, department_a, q1):
    services.save_update_draft(
        action=_actions(plan, department_a)[0],
        period=q1,
        user=editor_a,
        data=_content(plan),
        expected_version=0,
    )
    with pytest.raises(ValidationError, match="already has progress updates"):
        services.delete_period(period=q1, user=coordinator)
    ProgressUpdate.objects.all().delete()
    services.delete_period(period=q1, user=coordinator)
    assert not ReportingPeriod.objects.exists()


def test_it_rejects_periods_managed_by_anyone_but_the_coordinator(plan, editor_a, viewer):
    for user in (editor_a, viewer):
        with pytest.raises(PermissionDenied):
            services.create_default_periods(plan=plan, user=user)
        with pytest.raises(PermissionDenied):
            services.save_period(plan=plan, user=user, data=Q1)


def test_it_refuses_submitting_before_the_period_opens_in_plain_words(plan, editor_a, department_a, q1):
    action = _actions(plan, department_a)[0]
    with pytest.raises(ValidationError, match=r"open on Sept\. 16, 2026"):
        services.submit_update(
            action=action,
            period=q1,
            user=editor_a,
            data=_content(plan),
            expected_version=0,
            today=dt.date(2026, 9, 1),
        )
    assert not ProgressUpdate.objects.exists()


def test_it_needs_a_status_a_percent_and_english_to_submit(plan, editor_a, department_a, q1):
    action = _actions(plan, department_a)[0]
    with pytest.raises(ValidationError) as error:
        services.submit_update(
            action=action,
            period=q1,
            user=editor_a,
            data={"status": None, "progress": None, "narrative_en": ""},
            expected_version=0,
            today=IN_Q1,
        )
    assert set(error.value.error_dict) == {"status", "progress", "narrative_en"}


def test_it_publishes_at_once_without_review_when_both_languages_are_in(plan, editor_a, department_a, q1):
    action = _actions(plan, department_a)[0]
    update = services.submit_update(
        action=action,
        period=q1,
        user=editor_a,
        data=_content(plan, narrative_es="El asfaltado va dos semanas atrasado."),
        expected_version=0,
        today=IN_Q1,
    )
    assert update.state == UpdateState.PUBLISHED
    action.refresh_from_db()
    assert action.status.key == "at-risk" and action.progress == Decimal(70)
    assert action.last_reported_at is not None
    assert action.history.first().history_change_reason == "Progress update FY 2026-27 Q1"


def test_without_review_it_waits_for_the_spanish_then_publishes_when_it_is_added(
    plan, editor_a, department_a, q1
):
    action = _actions(plan, department_a)[0]
    update = services.submit_update(
        action=action, period=q1, user=editor_a, data=_content(plan), expected_version=0, today=IN_Q1
    )
    assert update.state == UpdateState.SUBMITTED
    action.refresh_from_db()
    assert action.status.key == "on-track"  # nothing public yet
    assert [w.update.pk for w in selectors.updates_waiting_review(plan)] == [update.pk]
    update = services.save_update_draft(
        action=action,
        period=q1,
        user=editor_a,
        data=_content(plan, narrative_es="Va atrasado."),
        expected_version=update.lock_version,
        today=IN_Q1,
    )
    assert update.state == UpdateState.PUBLISHED
    action.refresh_from_db()
    assert action.status.key == "at-risk"


def test_review_sends_back_with_a_comment_and_approval_needs_spanish(
    plan, coordinator, editor_a, department_a, q1
):
    plan.updates_need_review = True
    plan.save()
    action = _actions(plan, department_a)[0]
    update = services.submit_update(
        action=action,
        period=q1,
        user=editor_a,
        data=_content(plan, narrative_es="Va atrasado."),
        expected_version=0,
        today=IN_Q1,
    )
    assert update.state == UpdateState.SUBMITTED  # review comes first
    with pytest.raises(ValidationError):
        services.send_back_update(
            update=update, user=coordinator, comment=" ", expected_version=update.lock_version
        )
    update = services.send_back_update(
        update=update, user=coordinator, comment="Say which streets.", expected_version=update.lock_version
    )
    assert update.state == UpdateState.RETURNED and update.review_comment == "Say which streets."
    draft = services.save_update_draft(
        action=action, period=q1, user=editor_a, data=_content(plan), expected_version=update.lock_version
    )
    assert draft.state == UpdateState.RETURNED  # the comment stays in view until resubmitted
    update = services.submit_update(
        action=action,
        period=q1,
        user=editor_a,
        data=_content(plan, narrative_en="Oak and Elm are behind."),
        expected_version=draft.lock_version,
        today=IN_Q1,
    )
    with pytest.raises(ValidationError):
        services.approve_update(
            update=update, user=coordinator, narrative_es="", expected_version=update.lock_version
        )
    update = services.approve_update(
        update=update,
        user=coordinator,
        narrative_es="Oak y Elm van atrasadas.",
        expected_version=update.lock_version,
    )
    assert update.state == UpdateState.PUBLISHED and update.reviewed_by == coordinator
    action.refresh_from_db()
    assert action.status.key == "at-risk"


def test_it_rejects_review_by_anyone_but_the_coordinator(plan, editor_a, viewer, department_a, q1):
    update = f.make_submitted_update(_actions(plan, department_a)[0], q1, editor_a)
    for user in (editor_a, viewer):
        with pytest.raises(PermissionDenied):
            services.approve_update(
                update=update, user=user, narrative_es="x", expected_version=update.lock_version
            )


def test_it_rejects_an_editor_writing_another_departments_update(plan, editor_b, department_a, q1):
    with pytest.raises(PermissionDenied):
        services.save_update_draft(
            action=_actions(plan, department_a)[0],
            period=q1,
            user=editor_b,
            data=_content(plan),
            expected_version=0,
        )


@pytest.mark.parametrize("persona", ["council_member", "viewer", "resident"])
def test_it_rejects_updates_by_people_who_neither_own_nor_edit_the_action(
    request, plan, department_a, q1, persona
):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        services.save_update_draft(
            action=_actions(plan, department_a)[0],
            period=q1,
            user=user,
            data=_content(plan),
            expected_version=0,
        )


def test_the_accountable_owner_may_write_even_as_a_viewer(plan, viewer, department_a, q1):
    action = _actions(plan, department_a)[0]
    action.owner = viewer
    action.save()
    update = services.save_update_draft(
        action=action, period=q1, user=viewer, data=_content(plan), expected_version=0
    )
    assert update.state == UpdateState.DRAFT


def test_it_refuses_a_period_of_another_plan(plan, organization, coordinator, editor_a, department_a):
    other = f.make_plan(organization, title_en="Other plan")
    period = services.save_period(plan=other, user=coordinator, data=Q1)
    with pytest.raises(ValidationError, match="another plan"):
        services.save_update_draft(
            action=_actions(plan, department_a)[0],
            period=period,
            user=editor_a,
            data=_content(plan),
            expected_version=0,
        )


def test_two_people_saving_the_same_update_get_a_conflict_never_a_silent_overwrite(
    plan, coordinator, editor_a, department_a, q1
):
    action = _actions(plan, department_a)[0]
    first = services.save_update_draft(
        action=action, period=q1, user=editor_a, data=_content(plan, narrative_en="Mine"), expected_version=0
    )
    with pytest.raises(services.EditConflict) as error:
        services.save_update_draft(
            action=action,
            period=q1,
            user=coordinator,
            data=_content(plan, narrative_en="Theirs"),
            expected_version=0,
        )
    assert error.value.current.narrative_en == "Mine"
    assert ProgressUpdate.objects.get(pk=first.pk).narrative_en == "Mine"


def test_a_moved_action_keeps_its_draft_and_now_belongs_to_the_new_department(
    plan, coordinator, editor_a, editor_b, department_a, department_b, q1
):
    action = _actions(plan, department_a)[0]
    draft = services.save_update_draft(
        action=action, period=q1, user=editor_a, data=_content(plan), expected_version=0
    )
    services.update_item(
        item=action, user=coordinator, data={"department": department_b}, expected_version=action.lock_version
    )
    mine_b = [
        c for g in selectors.updates_owed_by(editor_b, IN_Q1) for c in g.cards if c.action.pk == action.pk
    ]
    mine_a = [
        c for g in selectors.updates_owed_by(editor_a, IN_Q1) for c in g.cards if c.action.pk == action.pk
    ]
    assert [c.update.pk for c in mine_b] == [draft.pk] and mine_a == []
    action.refresh_from_db()
    services.submit_update(
        action=action,
        period=q1,
        user=editor_b,
        data=_content(plan),
        expected_version=draft.lock_version,
        today=IN_Q1,
    )
    with pytest.raises(PermissionDenied):
        services.save_update_draft(
            action=action, period=q1, user=editor_a, data=_content(plan), expected_version=2
        )
    rows, _total = selectors.completeness(q1, IN_Q1)
    by_code = {row.department.code: row for row in rows}
    assert by_code["CDD"].submitted == 1 and by_code["PW"].submitted == 0


def test_completeness_counts_owed_submitted_approved_and_late_per_department(
    plan, coordinator, editor_a, editor_b, department_a, department_b, q1
):
    a_actions = _actions(plan, department_a)
    spanish = {"narrative_es": "Hecho."}
    services.submit_update(
        action=a_actions[0],
        period=q1,
        user=editor_a,
        data=_content(plan, **spanish),
        expected_version=0,
        today=IN_Q1,
    )
    services.submit_update(
        action=a_actions[1], period=q1, user=editor_a, data=_content(plan), expected_version=0, today=IN_Q1
    )
    rows, total = selectors.completeness(q1, dt.date(2026, 10, 20))
    by_code = {row.department.code: row for row in rows}
    assert (by_code["PW"].owed, by_code["PW"].submitted, by_code["PW"].approved, by_code["PW"].late) == (
        4,
        2,
        1,
        2,
    )
    assert (by_code["CDD"].owed, by_code["CDD"].submitted, by_code["CDD"].late) == (4, 0, 4)
    assert (total.owed, total.submitted, total.approved, total.late) == (8, 2, 1, 6)
    assert len(selectors.late_updates(plan, dt.date(2026, 10, 20))) == 6
    assert selectors.late_updates(plan, IN_Q1) == []


def test_a_completed_action_owes_nothing(plan, department_a, q1):
    action = _actions(plan, department_a)[0]
    action.status = f.status(plan, "completed")
    action.save()
    assert action.pk not in set(selectors.owed_actions(q1).values_list("pk", flat=True))


def test_an_action_is_stale_when_it_missed_the_latest_past_due_period(plan, editor_a, department_a, q1):
    action, other = _actions(plan, department_a)[:2]
    services.submit_update(
        action=action,
        period=q1,
        user=editor_a,
        data=_content(plan),
        expected_version=0,
        today=dt.date(2026, 10, 20),
    )
    stale = selectors.stale_actions(plan, dt.date(2026, 10, 16))
    assert stale.period == q1 and other.pk in stale and action.pk not in stale
    assert len(selectors.stale_actions(plan, IN_Q1)) == 0  # not yet due
    timeline = selectors.action_update_timeline(other, dt.date(2026, 10, 16))
    assert timeline.stale_period == q1
    late_entry = selectors.action_update_timeline(action, dt.date(2026, 10, 21)).entries[0]
    assert late_entry.late  # handed in after the due date


def test_the_stale_set_costs_two_queries(plan, q1, django_assert_num_queries):
    with django_assert_num_queries(2):
        selectors.stale_actions(plan, dt.date(2026, 10, 16))


def test_an_old_update_handed_in_late_does_not_turn_the_action_back(
    plan, coordinator, editor_a, department_a, q1
):
    q2 = services.save_period(
        plan=plan,
        user=coordinator,
        data={
            **Q1,
            "name_en": "Q2",
            "name_es": "T2",
            "starts_on": dt.date(2026, 10, 1),
            "ends_on": dt.date(2026, 12, 31),
            "opens_on": dt.date(2026, 12, 17),
            "due_on": dt.date(2027, 1, 15),
        },
    )
    action = _actions(plan, department_a)[0]
    both = {"narrative_es": "Hecho."}
    services.submit_update(
        action=action,
        period=q2,
        user=editor_a,
        data=_content(plan, status=f.status(plan, "delayed"), progress=Decimal(80), **both),
        expected_version=0,
        today=dt.date(2026, 12, 20),
    )
    services.submit_update(
        action=action,
        period=q1,
        user=editor_a,
        data=_content(plan, **both),
        expected_version=0,
        today=dt.date(2026, 12, 21),
    )
    action.refresh_from_db()
    assert action.status.key == "delayed" and action.progress == Decimal(80)


def test_upcoming_periods_lists_open_and_soon_opening_periods(plan, coordinator, q1):
    rows = selectors.upcoming_periods(plan, dt.date(2026, 9, 1), days=30)
    assert [(row.period.pk, row.state, row.days_to_due) for row in rows] == [(q1.pk, "upcoming", 44)]
    assert selectors.upcoming_periods(plan, dt.date(2026, 10, 16)) == []
