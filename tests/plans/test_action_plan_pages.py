"""Action plan and timeline pages as staff use them: sub-forms that post and come back, forms that keep what was
typed, read-only views for council and viewers, and timelines that stay fast as the plan grows."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest
from defusedxml import ElementTree as DefusedET
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from civicplan.plans import services
from civicplan.plans.models import EvidenceLink, Milestone
from tests import factories as f

NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def action(plan, department_a):
    return plan.items.filter(level="action", department=department_a).order_by("code").first()


@pytest.fixture
def goal(plan):
    return plan.items.filter(level="goal").order_by("code").first()


def _url(name, **kwargs):
    return reverse(f"staff:{name}", kwargs=kwargs)


def _svg(html: str) -> ET.Element:
    match = re.search(r"<svg[^>]*cp-timeline__svg.*?</svg>", html, re.S)
    assert match, "no timeline chart on the page"
    return DefusedET.fromstring(match.group(0))


def _overdue(action):
    return f.make_milestone(
        action, title_en="Bids opened", due_on=timezone.localdate() - dt.timedelta(days=10)
    )


# --- The staff item page --------------------------------------------------------------------------------------------


def test_the_item_page_shows_the_action_plan_with_overdue_milestones_in_words(
    client, action, editor_a, editor_b, coordinator
):
    services.set_action_people(action=action, user=coordinator, owner=editor_b, contributors=[coordinator])
    other = action.plan.items.filter(level="action").exclude(pk=action.pk).first()
    services.add_dependency(action=action, user=coordinator, depends_on=other)
    _overdue(action)
    services.add_evidence_link(
        action=action, user=coordinator, title="Council item", url="https://city.example/c"
    )
    client.force_login(editor_a)
    html = client.get(_url("item", item_id=action.pk)).content.decode()
    assert "Action plan" in html and "editor-b" in html and "Dana Coordinator" in html
    assert other.code in html and _url("item", item_id=other.pk) in html
    assert "Bids opened" in html and "Overdue" in html
    assert "https://city.example/c" in html
    assert _url("action-plan", item_id=action.pk) in html  # "Edit action plan"


def test_the_blocked_action_shows_what_it_blocks(client, action, coordinator, viewer):
    other = action.plan.items.filter(level="action").exclude(pk=action.pk).first()
    services.add_dependency(action=other, user=coordinator, depends_on=action)
    client.force_login(viewer)
    html = client.get(_url("item", item_id=action.pk)).content.decode()
    assert "Blocks" in html and _url("item", item_id=other.pk) in html


def test_council_members_see_the_action_plan_without_an_edit_link(client, action, council_member):
    client.force_login(council_member)
    html = client.get(_url("item", item_id=action.pk)).content.decode()
    assert "Action plan" in html
    assert _url("action-plan", item_id=action.pk) not in html


def test_the_item_page_section_runs_the_same_queries_whatever_the_number_of_milestones(
    client, action, viewer
):
    client.force_login(viewer)
    f.make_milestone(action)
    client.get(_url("item", item_id=action.pk))
    with CaptureQueriesContext(connection) as few:
        client.get(_url("item", item_id=action.pk))
    for n in range(6):
        f.make_milestone(action, title_en=f"Step {n}", done_on=dt.date(2025, 8, 1) if n % 2 else None)
    with CaptureQueriesContext(connection) as many:
        client.get(_url("item", item_id=action.pk))
    assert len(many) == len(few)


def test_a_goal_page_links_to_its_timeline(client, goal, viewer):
    client.force_login(viewer)
    html = client.get(_url("item", item_id=goal.pk)).content.decode()
    assert _url("item-timeline", item_id=goal.pk) in html


# --- The action plan page -------------------------------------------------------------------------------------------


def test_the_action_plan_page_offers_every_form_to_the_department_editor(client, action, editor_a):
    client.force_login(editor_a)
    response = client.get(_url("action-plan", item_id=action.pk))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    for name in ("action-people", "action-dependency-add", "milestone-new", "evidence-new"):
        assert _url(name, item_id=action.pk) in html


def test_viewers_read_the_action_plan_page_without_forms(client, action, viewer):
    client.force_login(viewer)
    html = client.get(_url("action-plan", item_id=action.pk)).content.decode()
    assert "Owner and contributors" in html
    assert _url("milestone-new", item_id=action.pk) not in html


def test_a_goal_has_no_action_plan_page(client, goal, coordinator):
    client.force_login(coordinator)
    assert client.get(_url("action-plan", item_id=goal.pk)).status_code == 404


def test_saving_the_owner_comes_back_with_a_message(client, action, editor_a, editor_b, viewer):
    client.force_login(editor_a)
    response = client.post(
        _url("action-people", item_id=action.pk),
        {"owner": editor_b.pk, "contributors": [viewer.pk], "reason": "Kickoff"},
        follow=True,
    )
    assert response.redirect_chain[0][0].endswith(_url("action-plan", item_id=action.pk) + "#people")
    assert "The owner and contributors were saved." in response.content.decode()
    action.refresh_from_db()
    assert action.owner == editor_b and list(action.contributors.all()) == [viewer]


def test_a_milestone_without_an_english_title_keeps_what_was_typed(client, action, editor_a):
    client.force_login(editor_a)
    response = client.post(
        _url("milestone-new", item_id=action.pk),
        {"new-title_en": "", "new-title_es": "Licitación abierta", "new-due_on": "2026-05-01"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Licitación abierta" in html and 'value="2026-05-01"' in html
    assert "usa-alert--error" in html
    assert not Milestone.objects.exists()


def test_adding_a_milestone_redirects_back_to_the_milestones(client, action, editor_a):
    client.force_login(editor_a)
    response = client.post(
        _url("milestone-new", item_id=action.pk),
        {"new-title_en": "Bids opened", "new-title_es": "", "new-due_on": "2026-05-01"},
    )
    assert response.status_code == 302 and response["Location"].endswith("#milestones")
    assert Milestone.objects.get().title_en == "Bids opened"


def test_a_javascript_address_is_refused_and_the_title_kept(client, action, editor_a):
    client.force_login(editor_a)
    response = client.post(
        _url("evidence-new", item_id=action.pk),
        {"evidence-title": "Sneaky report", "evidence-url": "javascript:alert(1)"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Sneaky report" in html and "http://" in html
    assert not EvidenceLink.objects.exists()


def test_an_unknown_dependency_code_is_explained(client, action, editor_a):
    client.force_login(editor_a)
    response = client.post(_url("action-dependency-add", item_id=action.pk), {"code": "9.9.9.9"})
    html = response.content.decode()
    assert "No active action of this plan has the code 9.9.9.9." in html
    assert 'value="9.9.9.9"' in html


def test_a_cycle_is_refused_with_both_codes(client, action, coordinator, editor_a):
    other = action.plan.items.filter(level="action").exclude(pk=action.pk).first()
    services.add_dependency(action=other, user=coordinator, depends_on=action)
    client.force_login(editor_a)
    response = client.post(_url("action-dependency-add", item_id=action.pk), {"code": other.code})
    assert f"{other.code} already depends on {action.code}" in response.content.decode()
    assert not action.depends_on.exists()


def test_adding_and_removing_a_dependency(client, action, editor_a):
    other = action.plan.items.filter(level="action").exclude(pk=action.pk).first()
    client.force_login(editor_a)
    assert (
        client.post(_url("action-dependency-add", item_id=action.pk), {"code": other.code}).status_code == 302
    )
    assert list(action.depends_on.all()) == [other]
    client.post(_url("action-dependency-remove", item_id=action.pk, depends_on_id=other.pk))
    assert not action.depends_on.exists()


def test_marking_a_milestone_done_and_not_done(client, action, editor_a):
    milestone = _overdue(action)
    client.force_login(editor_a)
    client.post(_url("milestone-done", milestone_id=milestone.pk), {"done_on": ""})
    milestone.refresh_from_db()
    assert milestone.done_on == timezone.localdate()
    client.post(_url("milestone-done", milestone_id=milestone.pk), {"undo": "1"})
    milestone.refresh_from_db()
    assert milestone.done_on is None


def test_a_future_done_date_is_refused_with_a_message(client, action, editor_a):
    milestone = f.make_milestone(action)
    client.force_login(editor_a)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = client.post(
        _url("milestone-done", milestone_id=milestone.pk), {"done_on": tomorrow.isoformat()}, follow=True
    )
    assert "cannot be in the future" in response.content.decode()
    milestone.refresh_from_db()
    assert milestone.done_on is None


def test_editing_a_milestone_keeps_input_on_error_and_saves(client, action, editor_a):
    milestone = f.make_milestone(action)
    client.force_login(editor_a)
    url = _url("milestone-edit", milestone_id=milestone.pk)
    response = client.post(url, {"title_en": "", "title_es": "Diseño listo", "due_on": "2026-01-31"})
    assert response.status_code == 200 and "Diseño listo" in response.content.decode()
    response = client.post(
        url, {"title_en": "Design ready", "title_es": "Diseño listo", "due_on": "2026-01-31"}
    )
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.title_en == "Design ready"


def test_archiving_a_milestone_asks_for_a_reason(client, action, editor_a):
    milestone = f.make_milestone(action)
    client.force_login(editor_a)
    url = _url("milestone-archive", milestone_id=milestone.pk)
    assert client.get(url).status_code == 200
    assert client.post(url, {"reason": ""}).status_code == 200
    assert client.post(url, {"reason": "Duplicate"}).status_code == 302
    milestone.refresh_from_db()
    assert milestone.archive_reason == "Duplicate"


def test_removing_an_evidence_link_archives_it(client, action, editor_a):
    link = services.add_evidence_link(
        action=action, user=editor_a, title="Photos", url="https://city.example"
    )
    client.force_login(editor_a)
    client.post(_url("evidence-archive", link_id=link.pk))
    link.refresh_from_db()
    assert link.is_archived


@pytest.mark.parametrize("persona", ["editor_b", "council_member", "viewer"])
def test_it_rejects_posts_from_people_who_may_only_read(client, request, action, persona):
    user = request.getfixturevalue(persona)
    milestone = f.make_milestone(action)
    client.force_login(user)
    posts = [
        (_url("action-people", item_id=action.pk), {"owner": user.pk}),
        (_url("milestone-new", item_id=action.pk), {"new-title_en": "x", "new-due_on": "2026-01-01"}),
        (_url("milestone-done", milestone_id=milestone.pk), {}),
        (_url("milestone-archive", milestone_id=milestone.pk), {"reason": "x"}),
        (
            _url("evidence-new", item_id=action.pk),
            {"evidence-title": "x", "evidence-url": "https://x.example"},
        ),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    milestone.refresh_from_db()
    assert milestone.done_on is None and not milestone.is_archived
    assert Milestone.objects.count() == 1 and not EvidenceLink.objects.exists()


# --- Timelines ------------------------------------------------------------------------------------------------------


def test_the_goal_timeline_draws_every_action_and_lists_them_in_a_table(client, goal, viewer):
    actions = list(goal.plan.items.filter(parent__parent=goal, level="action").order_by("code"))
    _overdue(actions[0])
    actions[1].start_date = actions[1].due_date = None
    actions[1].save()
    client.force_login(viewer)
    html = client.get(_url("item-timeline", item_id=goal.pk)).content.decode()
    svg = _svg(html)
    assert svg.get("role") == "img" and svg.find(f"{NS}title").text and svg.find(f"{NS}desc").text
    labels = " ".join("".join(t.itertext()) for t in svg.iter(f"{NS}text"))
    assert all(action.code in labels for action in actions)
    assert "1 overdue" in labels
    table = html[html.index("cp-timeline-table") :]
    rows = re.findall(r'<th scope="row"[^>]*>.*?</th>', table, re.S)
    assert [re.search(r'cp-code">([^<]+)<', row).group(1) for row in rows] == [a.code for a in actions]
    assert "no dates" in table and "Overdue" in table
    assert "usa-table--stacked width-full cp-timeline-table" in html


def test_the_timeline_query_count_does_not_grow_with_the_actions(client, plan, goal, viewer, department_b):
    client.force_login(viewer)
    url = _url("item-timeline", item_id=goal.pk)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    strategy = plan.items.get(parent=goal, level="strategy")
    for _n in range(4):
        action = f.make_item(plan, strategy, department=department_b)
        f.make_milestone(action)
        f.make_milestone(action, due_on=dt.date(2026, 5, 1))
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_the_department_timeline_defaults_to_the_current_plan(client, plan, department_b, council_member):
    client.force_login(council_member)
    html = client.get(_url("department-timeline", department_id=department_b.pk)).content.decode()
    svg = _svg(html)
    labels = " ".join("".join(t.itertext()) for t in svg.iter(f"{NS}text"))
    for action in plan.items.filter(level="action"):
        assert (action.code in labels) == (action.department_id == department_b.pk)


def test_the_department_timeline_takes_a_plan(client, plan, department_a, coordinator):
    client.force_login(coordinator)
    url = _url("department-timeline", department_id=department_a.pk)
    assert client.get(f"{url}?plan={plan.pk}").status_code == 200
    assert client.get(f"{url}?plan=99999").status_code == 404


def test_the_department_timeline_query_count_does_not_grow(client, plan, department_b, viewer):
    client.force_login(viewer)
    url = _url("department-timeline", department_id=department_b.pk) + f"?plan={plan.pk}"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    strategy = plan.items.filter(level="strategy").first()
    for _n in range(4):
        f.make_milestone(f.make_item(plan, strategy, department=department_b))
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_an_action_has_no_timeline_page(client, action, coordinator):
    client.force_login(coordinator)
    assert client.get(_url("item-timeline", item_id=action.pk)).status_code == 404
