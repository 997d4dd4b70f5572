"""Comparing two versions: added, removed, reworded, moved and otherwise changed items."""

from __future__ import annotations

import datetime as dt

from civicplan.plans import selectors, services
from civicplan.plans.diff import compare_documents
from tests import factories as f


def _draft(plan):
    return selectors.plan_document(plan, with_ids=True)


def test_identical_versions_have_no_differences(adopted_plan):
    assert compare_documents(_draft(adopted_plan), _draft(adopted_plan)).is_empty


def test_it_reports_each_kind_of_change(adopted_plan, coordinator, department_b):
    plan = adopted_plan
    before = plan.versions.get(number=1).snapshot
    goal = plan.items.get(code="1.1")
    services.update_item(
        item=goal, user=coordinator, expected_version=goal.lock_version, data={"title_es": "Nueva redacción"}
    )
    added = services.create_item(
        plan=plan,
        user=coordinator,
        parent=plan.items.get(code="2.1.1"),
        data={"title_en": "Brand new", "title_es": "Nueva"},
    )
    removed = plan.items.get(code="2.2.1.2")
    services.archive_item(item=removed, user=coordinator, reason="done elsewhere")
    mover = plan.items.get(code="1.2.1")
    services.move_item(item=mover, user=coordinator, new_parent=plan.items.get(code="2.1"))
    owner = plan.items.get(code="2.1.1.1")
    services.update_item(
        item=owner,
        user=coordinator,
        expected_version=owner.lock_version,
        data={"department": department_b, "due_date": dt.date(2028, 1, 1)},
    )
    services.update_plan(
        plan=plan, user=coordinator, expected_version=plan.lock_version, data={"vision_en": "A better city."}
    )
    plan.refresh_from_db()

    diff = compare_documents(before, _draft(plan))

    assert [c.code for c in diff.added] == [added.code]
    assert [c.code for c in diff.removed] == ["2.2.1.2"]
    assert any(c.code == "1.1" and c.fields[0][0] == "title" for c in diff.reworded)
    moved = {c.old_code: c.code for c in diff.moved}
    assert moved["1.2.1"] == "2.1.2"
    assert moved["1.2.1.1"] == "2.1.2.1"  # its actions moved with it
    changed = {c.code: {name for name, _old, _new in c.fields} for c in diff.changed}
    assert changed["2.1.1.1"] == {"department", "due_date"}
    assert diff.framing[0][0] == "vision"


def test_status_and_progress_updates_are_not_amendments(adopted_plan, coordinator):
    action = adopted_plan.items.filter(level="action").first()
    services.update_item(
        item=action, user=coordinator, expected_version=action.lock_version, data={"progress": 99}
    )
    before = adopted_plan.versions.get(number=1).snapshot
    assert compare_documents(before, _draft(adopted_plan)).is_empty


def test_the_compare_page_shows_the_differences(client, adopted_plan, coordinator, council_member):
    goal = adopted_plan.items.get(code="1.1")
    services.update_item(
        item=goal,
        user=coordinator,
        expected_version=goal.lock_version,
        data={"title_en": "Reworded goal title"},
    )
    f.adopt(adopted_plan, coordinator, reason="Refresh")
    client.force_login(council_member)
    response = client.get(f"/en/staff/plans/{adopted_plan.pk}/compare/?a=1&b=2")
    assert response.status_code == 200
    assert "Reworded goal title" in response.content.decode()
    assert "1 item reworded" in response.content.decode()
