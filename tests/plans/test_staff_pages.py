"""Staff pages as people use them: forms keep what was typed, conflicts show both versions."""

from __future__ import annotations

import datetime as dt

from civicplan.plans import services
from civicplan.plans.models import PlanItem, PlanVersion


def _form_data(item, **changes):
    data = {
        "title_en": item.title_en,
        "title_es": item.title_es,
        "description_en": item.description_en,
        "description_es": item.description_es,
        "department": item.department_id or "",
        "lead": item.lead,
        "start_date": item.start_date.isoformat() if item.start_date else "",
        "due_date": item.due_date.isoformat() if item.due_date else "",
        "status": item.status_id or "",
        "progress": item.progress if item.progress is not None else "",
        "weight": item.weight or "",
        "lock_version": item.lock_version,
        "reason": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_coordinator_sees_the_whole_tree(client, plan, coordinator):
    client.force_login(coordinator)
    html = client.get(f"/en/staff/plans/{plan.pk}/").content.decode()
    for item in plan.items.all():
        assert item.title_en in html


def test_the_tree_filters_by_department_and_keeps_ancestors(client, plan, viewer, department_b):
    client.force_login(viewer)
    html = client.get(f"/en/staff/plans/{plan.pk}/?department={department_b.pk}").content.decode()
    owned_by_b = plan.items.filter(department=department_b)
    owned_by_a_actions = plan.items.filter(level="action").exclude(department=department_b)
    assert all(item.title_en in html for item in owned_by_b)
    assert not any(item.title_en in html for item in owned_by_a_actions)
    assert plan.items.get(code="1").title_en in html  # the path to the matches stays visible


def test_an_editor_saves_an_update_to_their_action(client, plan, editor_a, department_a):
    action = plan.items.filter(level="action", department=department_a).first()
    client.force_login(editor_a)
    response = client.post(
        f"/en/staff/items/{action.pk}/edit/", _form_data(action, progress="70", lead="Ana")
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.progress == 70 and action.lead == "Ana"


def test_an_editor_cannot_change_the_owner_even_by_forging_the_form(
    client, plan, editor_a, department_a, department_b
):
    action = plan.items.filter(level="action", department=department_a).first()
    client.force_login(editor_a)
    client.post(f"/en/staff/items/{action.pk}/edit/", _form_data(action, department=department_b.pk))
    action.refresh_from_db()
    assert action.department == department_a  # the disabled field ignores what was posted


def test_a_bad_form_keeps_what_was_typed_and_says_what_is_wrong(client, plan, coordinator):
    action = plan.items.filter(level="action").first()
    client.force_login(coordinator)
    response = client.post(
        f"/en/staff/items/{action.pk}/edit/",
        _form_data(action, title_en="", lead="Typed lead", progress="150"),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Typed lead" in html
    assert "Please correct the problems below" in html
    assert 'aria-invalid="true"' in html


def test_a_stale_save_gets_a_conflict_page_with_both_versions(
    client, plan, coordinator, editor_a, department_a
):
    action = plan.items.filter(level="action", department=department_a).first()
    stale = _form_data(action, lead="Editor's lead")
    services.update_item(
        item=action,
        user=coordinator,
        expected_version=action.lock_version,
        data={"lead": "Coordinator's lead"},
    )
    client.force_login(editor_a)
    response = client.post(f"/en/staff/items/{action.pk}/edit/", stale)
    html = response.content.decode()
    assert response.status_code == 409
    assert "Someone else saved this item" in html
    assert "Editor&#x27;s lead" in html and "Coordinator&#x27;s lead" in html
    action.refresh_from_db()
    assert action.lead == "Coordinator's lead"
    # Saving again from the conflict page is a deliberate choice and goes through.
    retry = _form_data(action, lead="Editor's lead")
    assert client.post(f"/en/staff/items/{action.pk}/edit/", retry).status_code == 302
    action.refresh_from_db()
    assert action.lead == "Editor's lead"


def test_the_coordinator_creates_moves_archives_and_restores_through_the_pages(client, plan, coordinator):
    client.force_login(coordinator)
    goal = plan.items.get(code="1.1")
    response = client.post(
        f"/en/staff/plans/{plan.pk}/items/new/",
        {"parent": goal.pk, "title_en": "Fix sidewalks", "title_es": "Reparar aceras"},
    )
    created = PlanItem.objects.get(title_en="Fix sidewalks")
    assert response.url == f"/en/staff/items/{created.pk}/" and created.code == "1.1.2"
    response = client.post(
        f"/en/staff/items/{created.pk}/move/", {"parent": plan.items.get(code="2.1").pk, "position": "1"}
    )
    created.refresh_from_db()
    assert created.code == "2.1.1"
    client.post(f"/en/staff/items/{created.pk}/archive/", {"reason": "Duplicate"})
    created.refresh_from_db()
    assert created.is_archived
    client.post(f"/en/staff/items/{created.pk}/restore/", {"reason": ""})
    created.refresh_from_db()
    assert not created.is_archived
    history = client.get(f"/en/staff/items/{created.pk}/history/").content.decode()
    assert "Duplicate" in history


def test_the_coordinator_adopts_an_amendment_through_the_page(client, adopted_plan, coordinator):
    client.force_login(coordinator)
    page = client.get(f"/en/staff/plans/{adopted_plan.pk}/adopt/").content.decode()
    assert "Adopt an amendment" in page
    response = client.post(
        f"/en/staff/plans/{adopted_plan.pk}/adopt/",
        {"adopted_on": "2026-06-23", "meeting": "Regular meeting", "resolution": "2026-41", "reason": ""},
    )
    assert response.status_code == 200 and "An amendment needs a recorded reason" in response.content.decode()
    response = client.post(
        f"/en/staff/plans/{adopted_plan.pk}/adopt/",
        {
            "adopted_on": "2026-06-23",
            "meeting": "Regular meeting",
            "resolution": "2026-41",
            "reason": "Refresh",
        },
    )
    assert response.status_code == 302
    version = PlanVersion.objects.get(plan=adopted_plan, number=2)
    assert version.adopted_on == dt.date(2026, 6, 23) and version.reason == "Refresh"


def test_the_adopt_page_lists_what_lacks_spanish(client, plan, coordinator):
    item = plan.items.get(code="2.1")
    services.update_item(
        item=item, user=coordinator, expected_version=item.lock_version, data={"title_es": ""}
    )
    client.force_login(coordinator)
    html = client.get(f"/en/staff/plans/{plan.pk}/adopt/").content.decode()
    assert "cannot be adopted yet" in html and "2.1" in html


def test_the_coordinator_configures_the_status_vocabulary(client, plan, coordinator):
    client.force_login(coordinator)
    response = client.post(
        f"/en/staff/plans/{plan.pk}/statuses/new/",
        {
            "key": "needs-review",
            "name_en": "Needs review",
            "name_es": "Requiere revisión",
            "color": "#123456",
            "default_progress": "",
            "counts_in_rollup": "on",
        },
    )
    assert response.status_code == 302
    assert plan.statuses.filter(key="needs-review").exists()
    bad = client.post(
        f"/en/staff/plans/{plan.pk}/statuses/new/",
        {"key": "on-track", "name_en": "x", "name_es": "x", "color": "red"},
    )
    html = bad.content.decode()
    assert "already has a status with that key" in html and "hex colour" in html


def test_the_coordinator_edits_mission_vision_and_values(client, plan, coordinator):
    client.force_login(coordinator)
    response = client.post(
        f"/en/staff/plans/{plan.pk}/edit/",
        {
            "title_en": plan.title_en,
            "title_es": plan.title_es,
            "start_fiscal_year": 2025,
            "years": 5,
            "mission_en": "New mission",
            "mission_es": "Nueva misión",
            "vision_en": "V",
            "vision_es": "V",
            "lock_version": plan.lock_version,
            "reason": "Council retreat",
        },
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.mission_es == "Nueva misión"
    client.post(f"/en/staff/plans/{plan.pk}/values/new/", {"name_en": "Equity", "name_es": "Equidad"})
    assert plan.values.get().name_es == "Equidad"


def test_confirming_the_same_import_twice_imports_once(client, plan, coordinator):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from civicplan.plans.exporters import export_plan
    from civicplan.plans.models import Plan

    client.force_login(coordinator)
    upload = SimpleUploadedFile("plan.yaml", export_plan(plan, "yaml"), content_type="application/yaml")
    preview_url = client.post("/en/staff/import/", {"file": upload}).url
    before = Plan.objects.count()
    assert client.post(preview_url).status_code == 302
    second = client.post(preview_url)
    assert second.status_code == 404  # the held upload is gone: nothing left to import
    assert Plan.objects.count() == before + 1


def test_a_line_break_typed_in_a_browser_is_stored_as_a_newline(client, plan, coordinator):
    action = plan.items.filter(level="action").first()
    client.force_login(coordinator)
    client.post(f"/en/staff/items/{action.pk}/edit/", _form_data(action, description_en="One\r\nTwo"))
    action.refresh_from_db()
    assert action.description_en == "One\nTwo"


def test_with_several_plans_staff_choose_from_a_list(client, adopted_plan, coordinator, organization):
    from tests import factories as f

    draft = f.make_plan(organization, title_en="Imported draft", start_fiscal_year=2030)
    client.force_login(coordinator)
    assert client.get("/en/staff/").url == "/en/staff/plans/"
    html = client.get("/en/staff/plans/").content.decode()
    assert "Imported draft" in html and adopted_plan.title_en in html
    response = client.post(f"/en/staff/plans/{draft.pk}/archive/", {"reason": "Imported by mistake"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == "archived"
    assert draft.history.first().history_change_reason == "Imported by mistake"


def test_an_archived_plan_leaves_the_public_site(client, adopted_plan, coordinator):
    services.archive_plan(plan=adopted_plan, user=coordinator, reason="Superseded")
    assert "has not published" in client.get("/en/").content.decode()


def test_the_coordinator_reorders_the_values(client, plan, coordinator):
    for name in ("Integrity", "Service", "Equity"):
        services.save_value(plan=plan, user=coordinator, data={"name_en": name, "name_es": name})
    client.force_login(coordinator)
    equity = plan.values.get(name_en="Equity")
    client.post(f"/en/staff/values/{equity.pk}/move/", {"direction": "up"})
    assert [v.name_en for v in plan.values.order_by("order")] == ["Integrity", "Equity", "Service"]
    client.post(f"/en/staff/values/{equity.pk}/move/", {"direction": "up"})
    client.post(f"/en/staff/values/{equity.pk}/move/", {"direction": "up"})  # already first: stays
    assert [v.name_en for v in plan.values.order_by("order")] == ["Equity", "Integrity", "Service"]
