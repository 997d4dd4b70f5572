"""Action plan services: owner and contributors, dependencies, milestones and evidence links. Each rule, each
refusal, and the history each change leaves."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from civicplan.accounts.models import Role
from civicplan.plans import selectors, services
from civicplan.plans.models import EvidenceLink, Milestone, PlanItem
from tests import factories as f

TODAY = dt.date(2026, 3, 15)


@pytest.fixture
def action(plan, department_a):
    return plan.items.filter(level="action", department=department_a).order_by("code").first()


@pytest.fixture
def other_action(plan, department_a, action):
    return plan.items.filter(level="action").exclude(pk=action.pk).order_by("code").last()


def _error_text(error: ValidationError) -> str:
    return " ".join(error.value.messages)


# --- Owner and contributors -----------------------------------------------------------------------------------------


def test_an_editor_names_an_owner_from_another_department_and_contributors(
    action, editor_a, editor_b, viewer
):
    services.set_action_people(
        action=action, user=editor_a, owner=editor_b, contributors=[viewer], reason="Kickoff"
    )
    action.refresh_from_db()
    assert action.owner == editor_b
    assert list(action.contributors.all()) == [viewer]
    record = action.history.latest()
    assert record.history_user == editor_a and record.history_change_reason == "Kickoff"
    assert record.owner_id == editor_b.pk


def test_the_owner_is_not_also_listed_as_a_contributor(action, coordinator, editor_a):
    services.set_action_people(action=action, user=coordinator, owner=editor_a, contributors=[editor_a])
    assert not action.contributors.exists()


def test_it_leaves_one_history_row_for_the_owner_and_contributors(action, coordinator, editor_a, viewer):
    before = action.history.count()
    services.set_action_people(action=action, user=coordinator, owner=editor_a, contributors=[viewer])
    assert action.history.count() == before + 1


def test_it_refuses_an_owner_without_a_plan_role(action, coordinator, resident):
    with pytest.raises(ValidationError) as error:
        services.set_action_people(action=action, user=coordinator, owner=resident, contributors=[])
    assert "only active staff with a plan role" in _error_text(error)


def test_it_refuses_an_inactive_contributor(action, coordinator):
    gone = f.make_user("gone", Role.EDITOR, is_active=False)
    with pytest.raises(ValidationError):
        services.set_action_people(action=action, user=coordinator, owner=None, contributors=[gone])


def test_it_rejects_editor_of_other_department(action, editor_b):
    with pytest.raises(PermissionDenied):
        services.set_action_people(action=action, user=editor_b, owner=editor_b, contributors=[])


def test_council_members_and_viewers_cannot_change_an_action_plan(action, council_member, viewer):
    for user in (council_member, viewer):
        with pytest.raises(PermissionDenied):
            services.add_milestone(action=action, user=user, data={"title_en": "x", "due_on": TODAY})


def test_the_accountable_owner_may_change_the_plan_of_their_action(action, coordinator, viewer):
    services.set_action_people(action=action, user=coordinator, owner=viewer, contributors=[])
    action.refresh_from_db()
    milestone = services.add_milestone(
        action=action, user=viewer, data={"title_en": "Survey", "due_on": TODAY}
    )
    assert milestone.action == action


def test_only_actions_have_an_action_plan(plan, coordinator, editor_a):
    goal = plan.items.filter(level="goal").first()
    with pytest.raises(ValidationError) as error:
        services.set_action_people(action=goal, user=coordinator, owner=editor_a, contributors=[])
    assert "Only actions" in _error_text(error)


def test_an_archived_action_cannot_be_planned(action, coordinator, editor_a):
    services.archive_item(item=action, user=coordinator, reason="Dropped")
    action.refresh_from_db()
    with pytest.raises(ValidationError):
        services.set_action_people(action=action, user=coordinator, owner=editor_a, contributors=[])


# --- Dependencies ---------------------------------------------------------------------------------------------------


def test_an_action_depends_on_another_of_the_same_plan(action, other_action, editor_a):
    services.add_dependency(action=action, user=editor_a, depends_on=other_action)
    assert list(action.depends_on.all()) == [other_action]
    assert list(other_action.dependents.all()) == [action]
    record = action.history.latest()
    assert record.history_user == editor_a and other_action.code in record.history_change_reason


def test_it_refuses_self_dependency(action, editor_a):
    with pytest.raises(ValidationError) as error:
        services.add_dependency(action=action, user=editor_a, depends_on=action)
    assert "itself" in _error_text(error)


def test_it_refuses_a_dependency_on_a_goal(plan, action, editor_a):
    goal = plan.items.filter(level="goal").first()
    with pytest.raises(ValidationError) as error:
        services.add_dependency(action=action, user=editor_a, depends_on=goal)
    assert "not an action" in _error_text(error)


def test_it_refuses_a_dependency_on_an_archived_action(action, other_action, coordinator):
    services.archive_item(item=other_action, user=coordinator, reason="Dropped")
    other_action.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.add_dependency(action=action, user=coordinator, depends_on=other_action)
    assert "archived" in _error_text(error)


def test_it_refuses_a_dependency_on_another_plans_action(action, organization, department_a, coordinator):
    other_plan = f.make_plan(organization, title_en="Next plan")
    p = f.make_item(other_plan)
    g = f.make_item(other_plan, p)
    s = f.make_item(other_plan, g)
    foreign = f.make_item(other_plan, s, department=department_a)
    with pytest.raises(ValidationError) as error:
        services.add_dependency(action=action, user=coordinator, depends_on=foreign)
    assert "another plan" in _error_text(error)


def test_it_refuses_a_direct_cycle_and_says_why(action, other_action, coordinator):
    services.add_dependency(action=other_action, user=coordinator, depends_on=action)
    with pytest.raises(ValidationError) as error:
        services.add_dependency(action=action, user=coordinator, depends_on=other_action)
    assert _error_text(error) == (
        f"{other_action.code} already depends on {action.code}, so {action.code} cannot depend on {other_action.code}."
    )


def test_it_refuses_an_indirect_cycle(plan, coordinator):
    first, second, third = plan.items.filter(level="action").order_by("code")[:3]
    services.add_dependency(action=second, user=coordinator, depends_on=first)
    services.add_dependency(action=third, user=coordinator, depends_on=second)
    with pytest.raises(ValidationError) as error:
        services.add_dependency(action=first, user=coordinator, depends_on=third)
    assert f"{third.code} already depends on {first.code}" in _error_text(error)


def test_removing_a_dependency_is_recorded(action, other_action, coordinator):
    services.add_dependency(action=action, user=coordinator, depends_on=other_action)
    services.remove_dependency(action=action, user=coordinator, depends_on=other_action, reason="Not needed")
    assert not action.depends_on.exists()
    assert action.history.latest().history_change_reason == "Not needed"


def test_an_editor_of_another_department_cannot_add_a_dependency(action, other_action, editor_b):
    with pytest.raises(PermissionDenied):
        services.add_dependency(action=action, user=editor_b, depends_on=other_action)


# --- Milestones -----------------------------------------------------------------------------------------------------


def test_an_editor_adds_a_milestone_with_only_an_english_title(action, editor_a):
    milestone = services.add_milestone(
        action=action, user=editor_a, data={"title_en": "  Survey done ", "title_es": "", "due_on": TODAY}
    )
    assert milestone.title_en == "Survey done" and milestone.title_es == ""
    assert milestone.history.latest().history_user == editor_a


def test_a_milestone_needs_an_english_title(action, editor_a):
    with pytest.raises(ValidationError) as error:
        services.add_milestone(action=action, user=editor_a, data={"title_en": " ", "due_on": TODAY})
    assert "English title" in _error_text(error)


def test_editing_a_milestone_is_recorded_with_the_reason(action, editor_a):
    milestone = f.make_milestone(action)
    services.update_milestone(
        milestone=milestone,
        user=editor_a,
        data={"title_en": "Design approved", "due_on": TODAY},
        reason="Scope",
    )
    milestone.refresh_from_db()
    assert milestone.title_en == "Design approved" and milestone.due_on == TODAY
    assert milestone.history.latest().history_change_reason == "Scope"


def test_marking_done_defaults_to_today_and_can_be_undone(action, editor_a):
    milestone = f.make_milestone(action, due_on=dt.date(2026, 1, 1))
    services.mark_milestone_done(milestone=milestone, user=editor_a, today=TODAY)
    milestone.refresh_from_db()
    assert milestone.done_on == TODAY
    assert not selectors.milestone_is_overdue(milestone, TODAY)
    services.reopen_milestone(milestone=milestone, user=editor_a)
    milestone.refresh_from_db()
    assert milestone.done_on is None
    assert selectors.milestone_is_overdue(milestone, TODAY)
    assert milestone.history.count() == 3


def test_marking_done_takes_a_past_date_but_not_a_future_one(action, editor_a):
    milestone = f.make_milestone(action)
    services.mark_milestone_done(milestone=milestone, user=editor_a, done_on=dt.date(2026, 2, 1), today=TODAY)
    milestone.refresh_from_db()
    assert milestone.done_on == dt.date(2026, 2, 1)
    with pytest.raises(ValidationError) as error:
        services.mark_milestone_done(
            milestone=milestone, user=editor_a, done_on=dt.date(2026, 4, 1), today=TODAY
        )
    assert "future" in _error_text(error)


def test_archiving_a_milestone_needs_a_reason_and_keeps_the_row(action, editor_a):
    milestone = f.make_milestone(action)
    with pytest.raises(ValidationError):
        services.archive_milestone(milestone=milestone, user=editor_a, reason="  ")
    services.archive_milestone(milestone=milestone, user=editor_a, reason="Merged with the next one")
    milestone.refresh_from_db()
    assert milestone.is_archived and milestone.archived_by == editor_a
    assert milestone.archive_reason == "Merged with the next one"
    assert Milestone.objects.filter(pk=milestone.pk).exists()
    assert selectors.action_plan(action, today=TODAY).milestones == []


def test_an_archived_milestone_cannot_be_changed(action, editor_a):
    milestone = f.make_milestone(action)
    services.archive_milestone(milestone=milestone, user=editor_a, reason="Duplicate")
    with pytest.raises(ValidationError):
        services.mark_milestone_done(milestone=milestone, user=editor_a, today=TODAY)


def test_an_editor_of_another_department_cannot_touch_a_milestone(action, editor_b):
    milestone = f.make_milestone(action)
    with pytest.raises(PermissionDenied):
        services.mark_milestone_done(milestone=milestone, user=editor_b, today=TODAY)
    with pytest.raises(PermissionDenied):
        services.archive_milestone(milestone=milestone, user=editor_b, reason="mine now")


# --- Evidence -------------------------------------------------------------------------------------------------------


def test_an_editor_adds_an_evidence_link(action, editor_a):
    link = services.add_evidence_link(
        action=action, user=editor_a, title="Staff report", url=" https://city.example/report.pdf "
    )
    assert link.url == "https://city.example/report.pdf" and link.added_by == editor_a
    assert link.history.latest().history_user == editor_a


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "data:text/html,hi",
        "ftp://city.example/x",
        "file:///etc/passwd",
        "city.example",
    ],
)
def test_it_refuses_addresses_that_are_not_http_or_https(action, editor_a, url):
    with pytest.raises(ValidationError) as error:
        services.add_evidence_link(action=action, user=editor_a, title="Bad", url=url)
    assert "http://" in _error_text(error)
    assert not EvidenceLink.objects.exists()


def test_an_evidence_link_needs_a_title(action, editor_a):
    with pytest.raises(ValidationError):
        services.add_evidence_link(action=action, user=editor_a, title=" ", url="https://city.example")


def test_archiving_an_evidence_link_keeps_it_on_record(action, editor_a):
    link = services.add_evidence_link(
        action=action, user=editor_a, title="Photos", url="https://city.example/p"
    )
    services.archive_evidence_link(link=link, user=editor_a, reason="Wrong album")
    link.refresh_from_db()
    assert link.is_archived and link.archive_reason == "Wrong album"
    assert selectors.action_plan(action, today=TODAY).evidence == []


def test_an_editor_of_another_department_cannot_add_or_remove_evidence(action, editor_a, editor_b):
    link = services.add_evidence_link(
        action=action, user=editor_a, title="Photos", url="https://city.example/p"
    )
    with pytest.raises(PermissionDenied):
        services.add_evidence_link(action=action, user=editor_b, title="x", url="https://city.example")
    with pytest.raises(PermissionDenied):
        services.archive_evidence_link(link=link, user=editor_b)


# --- Reads ----------------------------------------------------------------------------------------------------------


def test_the_action_plan_flags_overdue_milestones(action, editor_a):
    f.make_milestone(action, title_en="Late", due_on=dt.date(2026, 1, 1))
    f.make_milestone(action, title_en="Later", due_on=dt.date(2026, 6, 1))
    f.make_milestone(action, title_en="Done", due_on=dt.date(2025, 9, 1), done_on=dt.date(2025, 9, 2))
    plan = selectors.action_plan(action, today=TODAY)
    assert [(view.milestone.title_en, view.overdue) for view in plan.milestones] == [
        ("Done", False),
        ("Late", True),
        ("Later", False),
    ]
    assert plan.overdue_count == 1


def test_a_goal_timeline_lists_the_active_actions_below_it_in_code_order(plan, coordinator):
    goal = plan.items.filter(level="goal").order_by("code").first()
    actions = PlanItem.objects.filter(parent__parent=goal, level="action").order_by("code")
    services.archive_item(item=actions.last(), user=coordinator, reason="Dropped")
    schedule = selectors.item_timeline(goal, today=TODAY)
    assert [entry.action.code for entry in schedule.entries] == [actions.first().code]


def test_a_department_timeline_lists_only_that_departments_actions(plan, department_b):
    schedule = selectors.department_timeline(plan, department_b, today=TODAY)
    assert schedule.entries
    assert {entry.action.department_id for entry in schedule.entries} == {department_b.pk}


def test_the_history_page_lists_dependency_and_contributor_changes(client, action, coordinator, viewer):
    other = action.plan.items.filter(level="action").exclude(pk=action.pk).first()
    services.add_dependency(action=action, user=coordinator, depends_on=other)
    services.set_action_people(action=action, user=coordinator, owner=None, contributors=[viewer])
    client.force_login(coordinator)
    response = client.get(f"/en/staff/items/{action.pk}/history/")
    assert response.status_code == 200
    assert other.code in response.content.decode()
    assert viewer.display_name in response.content.decode()
