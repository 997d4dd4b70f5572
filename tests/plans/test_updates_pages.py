"""The reporting cycle through its pages: periods, "My updates", review, the item timeline, the public page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from civicplan.plans import selectors, services
from civicplan.plans.models import ProgressUpdate, UpdateState
from tests import factories as f


@pytest.fixture(autouse=True)
def _english():
    """Messages and dates in English, whatever language an earlier test left active in this thread."""
    with translation.override("en"):
        yield


def _card_data(update_prefix, plan, **values):
    data = {
        "status": str(f.status(plan, "at-risk").pk),
        "progress": "75",
        "narrative_en": "The new bus shelters are in.",
        "narrative_es": "",
        "evidence_title": "",
        "evidence_url": "",
        "lock_version": "0",
        **values,
    }
    return {f"{update_prefix}-{name}": value for name, value in data.items()}


def _goal_progress(code):
    from civicplan.plans.selectors import forget_built_plans

    forget_built_plans()
    return selectors.public_plan().by_code[code].progress


def test_the_whole_cycle_from_period_to_public_goal_page(
    client, adopted_plan, coordinator, editor_a, department_a, settings
):
    settings.SITE_URL = "https://plan.example.org"
    plan = adopted_plan
    editor_a.email, editor_a.language = "ana@example.org", "es"
    editor_a.save()
    today = timezone.localdate()
    action = plan.items.filter(level="action", department=department_a).order_by("code").first()
    goal_code = action.parent.parent.code
    goal_before = _goal_progress(goal_code)

    # The coordinator turns review on and adds a period open today.
    client.force_login(coordinator)
    client.post(
        reverse("staff:periods-review-setting", args=[plan.pk]),
        {"updates_need_review": "on", "lock_version": plan.lock_version},
    )
    start = dt.date(today.year, today.month, 1)
    response = client.post(
        reverse("staff:period-new", args=[plan.pk]),
        {
            "name_en": "This quarter",
            "name_es": "Este trimestre",
            "starts_on": start,
            "ends_on": start + dt.timedelta(days=60),
            "opens_on": start,
            "due_on": today + dt.timedelta(days=5),
        },
    )
    assert response.status_code == 302
    period = plan.periods.get()

    # The reminder goes out in the editor's language, with a link to "My updates".
    report = services.send_update_reminders(today=today)
    assert report.reminders == 1
    [message] = mail.outbox
    assert message.to == ["ana@example.org"]
    assert "https://plan.example.org/es/staff/updates/" in message.body
    assert action.code in message.body and "Este trimestre" in message.body

    # The editor sees what they owe and submits it (no JavaScript: redirect back to the card).
    client.force_login(editor_a)
    page = client.get(reverse("staff:my-updates"))
    assert page.status_code == 200
    prefix = f"u{action.pk}-{period.pk}"
    assert f'id="update-{action.pk}-{period.pk}"' in page.content.decode()
    url = reverse("staff:update-card", args=[action.pk, period.pk])
    response = client.post(url, {**_card_data(prefix, plan), "intent": "draft"})
    assert response.status_code == 302 and response["Location"].endswith(f"#update-{action.pk}-{period.pk}")
    update = ProgressUpdate.objects.get(action=action, period=period)
    assert update.state == UpdateState.DRAFT
    response = client.post(
        url,
        {
            **_card_data(
                prefix, plan, lock_version=str(update.lock_version), evidence_url="https://example.org/r"
            ),
            "intent": "submit",
        },
    )
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.state == UpdateState.SUBMITTED and update.evidence.count() == 1

    # The coordinator sends it back with a comment.
    client.force_login(coordinator)
    review_url = reverse("staff:update-review", args=[plan.pk, period.pk])
    assert action.code in client.get(review_url).content.decode()
    client.post(
        reverse("staff:update-send-back", args=[update.pk]),
        {f"r{update.pk}-comment": "Name the stops.", f"r{update.pk}-lock_version": update.lock_version},
    )
    update.refresh_from_db()
    assert update.state == UpdateState.RETURNED

    # The editor sees the comment, and resubmits (with htmx: the card swaps in place).
    client.force_login(editor_a)
    assert "Name the stops." in client.get(reverse("staff:my-updates")).content.decode()
    response = client.post(
        url,
        {
            **_card_data(
                prefix,
                plan,
                lock_version=str(update.lock_version),
                narrative_en="Shelters at Oak and 5th are in.",
            ),
            "intent": "submit",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and 'class="usa-card cp-update-card"' in response.content.decode()
    update.refresh_from_db()
    assert update.state == UpdateState.SUBMITTED

    # The coordinator approves, typing the Spanish.
    client.force_login(coordinator)
    response = client.post(
        reverse("staff:update-approve", args=[update.pk]),
        {
            f"a{update.pk}-narrative_es": "Los refugios de Oak y 5th están listos.",
            f"a{update.pk}-lock_version": update.lock_version,
        },
    )
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.state == UpdateState.PUBLISHED

    # Residents see the result, in both languages, and the goal's roll-up moved.
    client.logout()
    english = client.get(reverse("plans:goal", kwargs={"code": goal_code})).content.decode()
    assert "Shelters at Oak and 5th are in." in english and "At risk" in english and "75%" in english
    client.cookies.clear()
    spanish = client.get(f"/es/goals/{goal_code}/").content.decode()
    assert "Los refugios de Oak y 5th están listos." in spanish and "En riesgo" in spanish
    assert _goal_progress(goal_code) != goal_before

    # The action's staff page shows the timeline.
    client.force_login(viewer := f.make_user("reader", "viewer"))
    item_page = client.get(f"/en/staff/items/{action.pk}/").content.decode()
    assert "Progress updates" in item_page and "Name the stops." not in item_page
    assert "Los refugios de Oak y 5th están listos." in item_page and viewer.pk


def test_a_conflict_shows_both_versions_and_keeps_what_was_typed(
    client, plan, editor_a, coordinator, department_a
):
    period = f.make_open_period(plan)
    action = plan.items.filter(level="action", department=department_a).first()
    services.save_update_draft(
        action=action,
        period=period,
        user=coordinator,
        data={"narrative_en": "The coordinator's words", "status": None, "progress": None},
        expected_version=0,
    )
    client.force_login(editor_a)
    prefix = f"u{action.pk}-{period.pk}"
    response = client.post(
        reverse("staff:update-card", args=[action.pk, period.pk]),
        {**_card_data(prefix, plan, narrative_en="My own careful words"), "intent": "draft"},
    )
    body = response.content.decode()
    assert response.status_code == 409
    assert "Someone else saved this update" in body
    assert "The coordinator&#x27;s words" in body and "My own careful words" in body
    assert ProgressUpdate.objects.get().narrative_en == "The coordinator's words"


def test_the_form_keeps_what_was_typed_when_submitting_is_refused(client, plan, editor_a, department_a):
    period = f.make_open_period(plan)
    action = plan.items.filter(level="action", department=department_a).first()
    client.force_login(editor_a)
    prefix = f"u{action.pk}-{period.pk}"
    response = client.post(
        reverse("staff:update-card", args=[action.pk, period.pk]),
        {**_card_data(prefix, plan, narrative_en="", narrative_es="Solo en español"), "intent": "submit"},
    )
    assert response.status_code == 400
    assert "Solo en español" in response.content.decode()
    assert not ProgressUpdate.objects.exists()


def test_autosave_saves_a_draft_and_returns_the_new_lock_version(client, plan, editor_a, department_a):
    period = f.make_open_period(plan)
    action = plan.items.filter(level="action", department=department_a).first()
    client.force_login(editor_a)
    prefix = f"u{action.pk}-{period.pk}"
    response = client.post(
        reverse("staff:update-autosave", args=[action.pk, period.pk]),
        _card_data(prefix, plan, narrative_en="Half a thought"),
        HTTP_HX_REQUEST="true",
    )
    update = ProgressUpdate.objects.get()
    assert update.narrative_en == "Half a thought" and update.state == UpdateState.DRAFT
    assert f'value="{update.lock_version}"' in response.content.decode()
    assert 'hx-swap-oob="true"' in response.content.decode()


def test_editor_b_cannot_open_or_post_editor_as_update(client, plan, editor_b, department_a):
    period = f.make_open_period(plan)
    action = plan.items.filter(level="action", department=department_a).first()
    client.force_login(editor_b)
    url = reverse("staff:update-card", args=[action.pk, period.pk])
    assert client.get(url).status_code == 403
    response = client.post(url, {**_card_data(f"u{action.pk}-{period.pk}", plan), "intent": "submit"})
    assert response.status_code == 403
    assert not ProgressUpdate.objects.exists()
    page = client.get(reverse("staff:my-updates")).content.decode()
    assert action.code not in page or f"update-{action.pk}-" not in page


def test_it_marks_stale_actions_in_the_staff_tree(client, plan, coordinator, department_a):
    today = timezone.localdate()
    start = dt.date(2025, 7, 1)
    services.save_period(
        plan=plan,
        user=coordinator,
        data={
            "name_en": "Past",
            "name_es": "Pasado",
            "starts_on": start,
            "ends_on": start + dt.timedelta(days=30),
            "opens_on": start,
            "due_on": min(today - dt.timedelta(days=1), dt.date(2025, 9, 1)),
        },
    )
    client.force_login(coordinator)
    body = client.get(reverse("staff:plan", args=[plan.pk])).content.decode()
    assert body.count("cp-tag--late") == 8  # every action missed the past period


def _grow(plan, department_a, count):
    strategy = plan.items.filter(level="strategy").first()
    for _ in range(count):
        f.make_item(plan, strategy, department=department_a, status=f.status(plan, "on-track"))


def test_my_updates_costs_the_same_queries_whatever_the_number_of_actions(
    client, plan, editor_a, department_a, django_assert_max_num_queries
):
    period = f.make_open_period(plan)
    action = plan.items.filter(level="action", department=department_a).first()
    f.make_submitted_update(action, period, editor_a)
    client.force_login(editor_a)
    url = reverse("staff:my-updates")
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _grow(plan, department_a, 12)
    with django_assert_max_num_queries(len(small.captured_queries)):
        body = client.get(url).content.decode()
    assert body.count('cp-update-card"') >= 16


def test_the_review_page_costs_the_same_queries_whatever_the_number_of_updates(
    client, plan, coordinator, editor_a, department_a, django_assert_max_num_queries
):
    period = f.make_open_period(plan)
    actions = list(plan.items.filter(level="action", department=department_a))
    f.make_submitted_update(actions[0], period, editor_a)
    client.force_login(coordinator)
    url = reverse("staff:update-review", args=[plan.pk, period.pk])
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _grow(plan, department_a, 6)
    for action in plan.items.filter(level="action", department=department_a).exclude(pk=actions[0].pk):
        f.make_submitted_update(action, period, editor_a)
    with django_assert_max_num_queries(len(small.captured_queries)):
        body = client.get(url).content.decode()
    assert body.count("Approve and publish") == 10


@pytest.mark.parametrize("persona", ["editor_a", "council_member", "viewer"])
def test_only_the_coordinator_reviews(request, client, plan, editor_a, department_a, persona):
    period = f.make_open_period(plan)
    action = plan.items.filter(level="action", department=department_a).first()
    update = f.make_submitted_update(action, period, editor_a)
    client.force_login(request.getfixturevalue(persona))
    response = client.post(
        reverse("staff:update-approve", args=[update.pk]),
        {f"a{update.pk}-narrative_es": "Sí", f"a{update.pk}-lock_version": update.lock_version},
    )
    assert response.status_code == 403
    update.refresh_from_db()
    assert update.state == UpdateState.SUBMITTED


def test_anonymous_visitors_are_sent_to_sign_in(client, plan):
    response = client.get(reverse("staff:my-updates"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_periods_page_creates_fiscal_quarters(client, plan, coordinator):
    client.force_login(coordinator)
    client.post(reverse("staff:periods-quarters", args=[plan.pk]))
    body = client.get(reverse("staff:periods", args=[plan.pk])).content.decode()
    assert plan.periods.count() == 20 and "FY 2025-26 Q1" in body
