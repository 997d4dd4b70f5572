"""The plan's use cases: create, edit (with conflicts), move, archive, restore, roll-up, adopt."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from civicplan.plans import selectors, services
from civicplan.plans.models import PlanState, PlanVersion
from tests import factories as f


def _actions(plan):
    return list(plan.items.filter(level="action").order_by("code"))


def test_it_rolls_progress_up_the_tree_when_an_action_changes(plan, coordinator):
    strategy = plan.items.filter(level="strategy").order_by("code").first()
    first, _second = strategy.children.order_by("code")
    services.update_item(
        item=first, user=coordinator, expected_version=first.lock_version, data={"progress": Decimal(100)}
    )
    strategy.refresh_from_db()
    assert strategy.progress == Decimal("80.0")  # (100 + 60) / 2
    goal = strategy.parent
    goal.refresh_from_db()
    assert goal.progress == Decimal("80.0")


def test_it_weights_children_in_the_roll_up(plan, coordinator):
    strategy = plan.items.filter(level="strategy").order_by("code").first()
    _first, second = strategy.children.order_by("code")
    services.update_item(
        item=second, user=coordinator, expected_version=second.lock_version, data={"weight": Decimal(3)}
    )
    strategy.refresh_from_db()
    assert strategy.progress == Decimal("55.0")  # (40*1 + 60*3) / 4


def test_deferred_items_are_left_out_of_the_roll_up(plan, coordinator):
    strategy = plan.items.filter(level="strategy").order_by("code").first()
    first, _second = strategy.children.order_by("code")
    services.update_item(
        item=first,
        user=coordinator,
        expected_version=first.lock_version,
        data={"status": f.status(plan, "deferred")},
    )
    strategy.refresh_from_db()
    assert strategy.progress == Decimal("60.0")


def test_a_status_with_a_default_sets_the_progress(plan, coordinator):
    action = _actions(plan)[0]
    services.update_item(
        item=action,
        user=coordinator,
        expected_version=action.lock_version,
        data={"status": f.status(plan, "completed")},
    )
    action.refresh_from_db()
    assert action.progress == Decimal(100)


def test_an_editor_updates_an_action_of_their_department(plan, editor_a, department_a):
    action = plan.items.filter(level="action", department=department_a).first()
    services.update_item(
        item=action,
        user=editor_a,
        expected_version=action.lock_version,
        data={"progress": Decimal(75), "status": f.status(plan, "at-risk")},
        reason="Q2 update",
    )
    action.refresh_from_db()
    assert action.progress == Decimal(75)
    assert action.history.first().history_change_reason == "Q2 update"
    assert action.history.first().history_user == editor_a


def test_it_rejects_editor_of_other_department(plan, editor_b, department_a):
    action = plan.items.filter(level="action", department=department_a).first()
    with pytest.raises(PermissionDenied):
        services.update_item(
            item=action, user=editor_b, expected_version=action.lock_version, data={"progress": Decimal(10)}
        )


def test_an_editor_cannot_hand_an_item_to_another_department(plan, editor_a, department_a, department_b):
    action = plan.items.filter(level="action", department=department_a).first()
    with pytest.raises(PermissionDenied):
        services.update_item(
            item=action,
            user=editor_a,
            expected_version=action.lock_version,
            data={"department": department_b},
        )


@pytest.mark.parametrize("persona", ["council_member", "viewer", "resident"])
def test_readers_cannot_change_anything(request, plan, persona):
    user = request.getfixturevalue(persona)
    action = _actions(plan)[0]
    with pytest.raises(PermissionDenied):
        services.update_item(item=action, user=user, expected_version=action.lock_version, data={"lead": "x"})
    with pytest.raises(PermissionDenied):
        services.archive_item(item=action, user=user, reason="no")


def test_two_people_saving_from_the_same_version_one_wins_the_other_gets_a_conflict(
    plan, coordinator, editor_a, department_a
):
    action = plan.items.filter(level="action", department=department_a).first()
    opened_at = action.lock_version
    services.update_item(
        item=action, user=coordinator, expected_version=opened_at, data={"lead": "Coordinator"}
    )
    with pytest.raises(services.EditConflict) as conflict:
        services.update_item(item=action, user=editor_a, expected_version=opened_at, data={"lead": "Editor"})
    assert conflict.value.current.lead == "Coordinator"
    action.refresh_from_db()
    assert action.lead == "Coordinator"


def test_it_creates_items_with_the_next_code(plan, coordinator):
    goal = plan.items.get(code="1.1")
    strategy = services.create_item(
        plan=plan,
        user=coordinator,
        parent=goal,
        data={"title_en": "New strategy", "title_es": "Nueva estrategia"},
    )
    assert strategy.code == "1.1.2"
    assert strategy.level == "strategy"
    priority = services.create_item(plan=plan, user=coordinator, parent=None, data={"title_en": "Third"})
    assert priority.code == "3"


def test_an_action_cannot_have_children(plan, coordinator):
    action = _actions(plan)[0]
    with pytest.raises(ValidationError):
        services.create_item(plan=plan, user=coordinator, parent=action, data={"title_en": "Too deep"})


def test_moving_a_strategy_renumbers_it_its_subtree_and_its_old_siblings(plan, coordinator):
    goal_1_1 = plan.items.get(code="1.1")
    extra = services.create_item(plan=plan, user=coordinator, parent=goal_1_1, data={"title_en": "Second"})
    assert extra.code == "1.1.2"
    mover = plan.items.get(code="1.1.1")
    target = plan.items.get(code="2.2")
    moved = services.move_item(
        item=mover, user=coordinator, new_parent=target, position=1, reason="Belongs there"
    )
    assert moved.code == "2.2.1"
    assert sorted(moved.children.values_list("code", flat=True)) == ["2.2.1.1", "2.2.1.2"]
    assert plan.items.get(pk=extra.pk).code == "1.1.1"  # the old sibling closed the gap
    assert plan.items.get(title_en=target.children.exclude(pk=mover.pk).get().title_en).code == "2.2.2"
    codes = list(plan.items.filter(archived_at__isnull=True).values_list("code", flat=True))
    assert len(codes) == len(set(codes))
    assert moved.history.first().history_change_reason == "Belongs there"


def test_reordering_within_a_parent_swaps_codes(plan, coordinator):
    second = plan.items.get(code="1.2")
    services.move_item(item=second, user=coordinator, new_parent=second.parent, position=1)
    assert plan.items.get(pk=second.pk).code == "1.1"
    assert plan.items.get(pk=second.pk).children.get().code == "1.1.1"


def test_it_refuses_to_move_an_item_to_the_wrong_level(plan, coordinator):
    action = _actions(plan)[0]
    with pytest.raises(ValidationError):
        services.move_item(item=action, user=coordinator, new_parent=plan.items.get(code="1"))


def test_archiving_keeps_the_rows_and_records_who_when_why(plan, coordinator):
    goal = plan.items.get(code="1.1")
    services.archive_item(item=goal, user=coordinator, reason="Merged into 1.2")
    archived = plan.items.filter(archived_at__isnull=False)
    assert archived.count() == 1 + 1 + 2  # the goal, its strategy and its two actions
    goal.refresh_from_db()
    assert goal.archived_by == coordinator and goal.archive_reason == "Merged into 1.2"
    assert plan.items.get(code="1.2").code == "1.2"  # other codes stay as residents know them


def test_archiving_needs_a_reason(plan, coordinator):
    with pytest.raises(ValidationError):
        services.archive_item(item=plan.items.get(code="1.1"), user=coordinator, reason="  ")


def test_restoring_brings_back_the_subtree_at_the_end(plan, coordinator):
    goal = plan.items.get(code="1.1")
    services.archive_item(item=goal, user=coordinator, reason="oops")
    services.restore_item(item=goal, user=coordinator, reason="undo")
    goal.refresh_from_db()
    assert goal.archived_at is None and goal.code == "1.3"
    assert sorted(goal.children.get().children.values_list("code", flat=True)) == ["1.3.1.1", "1.3.1.2"]


def test_adopting_freezes_a_snapshot_and_publishes(plan, coordinator):
    version = services.adopt_plan(
        plan=plan, user=coordinator, adopted_on=dt.date(2025, 6, 24), meeting="Council", resolution="2025-1"
    )
    assert version.number == 1
    plan.refresh_from_db()
    assert plan.state == PlanState.ADOPTED
    assert selectors.public_version() == version
    with pytest.raises(ValueError):
        version.save()  # immutable


def test_an_amendment_needs_a_reason_and_becomes_the_next_version(adopted_plan, coordinator):
    with pytest.raises(ValidationError):
        services.adopt_plan(
            plan=adopted_plan, user=coordinator, adopted_on=dt.date(2026, 6, 1), meeting="C", resolution="R"
        )
    version = services.adopt_plan(
        plan=adopted_plan,
        user=coordinator,
        adopted_on=dt.date(2026, 6, 1),
        meeting="C",
        resolution="R",
        reason="Mid-cycle refresh",
    )
    assert version.number == 2
    adopted_plan.refresh_from_db()
    assert adopted_plan.state == PlanState.AMENDED


def test_adoption_requires_both_languages(plan, coordinator):
    item = plan.items.get(code="1.1")
    services.update_item(
        item=item, user=coordinator, expected_version=item.lock_version, data={"title_es": ""}
    )
    with pytest.raises(ValidationError) as error:
        services.adopt_plan(
            plan=plan, user=coordinator, adopted_on=dt.date(2025, 6, 24), meeting="C", resolution="R"
        )
    assert "1.1" in str(error.value)
    assert not PlanVersion.objects.exists()


def test_only_the_coordinator_adopts(plan, editor_a, council_member):
    for user in (editor_a, council_member):
        with pytest.raises(PermissionDenied):
            services.adopt_plan(
                plan=plan, user=user, adopted_on=dt.date(2025, 6, 24), meeting="C", resolution="R"
            )


def test_the_public_sees_the_adopted_text_and_live_progress(adopted_plan, coordinator):
    action = adopted_plan.items.filter(level="action").order_by("code").first()
    services.update_item(
        item=action,
        user=coordinator,
        expected_version=action.lock_version,
        data={"title_en": "Draft wording", "progress": Decimal(90)},
    )
    public = selectors.public_plan(language="en")
    node = public.by_code[action.code]
    assert node.title != "Draft wording"
    assert node.progress == Decimal(90)


def test_history_lists_each_change_with_its_fields(plan, coordinator):
    action = _actions(plan)[0]
    services.update_item(
        item=action,
        user=coordinator,
        expected_version=action.lock_version,
        data={"lead": "Maria"},
        reason="New lead",
    )
    entries = selectors.item_history(action)
    assert entries[0]["record"].history_change_reason == "New lead"
    assert ("lead", "", "Maria") in entries[0]["changes"]
    services.update_item(
        item=action,
        user=coordinator,
        expected_version=action.lock_version + 1,
        data={"status": f.status(plan, "delayed")},
    )
    assert ("status", "On track", "Delayed") in selectors.item_history(action)[0]["changes"]
    assert entries[-1]["created"]
