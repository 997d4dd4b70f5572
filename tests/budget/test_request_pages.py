"""Budget request pages: the list, writing, submitting, scoring, deciding and the ranked list, for the right people."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from civicplan.budget import services
from civicplan.budget.models import BudgetLine, BudgetRequest, RequestState
from tests import factories as f
from tests.web.test_authorization_matrix import MATRIX, PERSONAS, _budget_world, _denied

MY_URLS = [name for name in MATRIX if name.startswith("budget:request") or name == "budget:ranking"]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def cycle(organization, adopted_plan):
    return f.make_cycle(organization, 2026)


@pytest.fixture
def fund(organization):
    return f.make_fund(organization)


def _form_data(plan, fund, **overrides):
    data = {
        "fiscal_year": "2026",
        "title_en": "Street trees",
        "title_es": "Árboles urbanos",
        "justification_en": "Shade for the east side.",
        "justification_es": "Sombra para el lado este.",
        "amount": "$120,000.00",
        "fund": str(fund.pk),
        "items": [str(plan.items.get(code="1.1").pk)],
        "codes": "",
    }
    return {**data, **overrides}


def _draft(plan, fund, cycle, user, **overrides):
    data = {
        "fiscal_year": 2026,
        "title_en": "Street trees",
        "title_es": "",
        "justification_en": "Shade.",
        "justification_es": "",
        "amount": Decimal(1000),
        "fund": fund,
        "items": [plan.items.get(code="1.1")],
        **overrides,
    }
    return services.save_request(user=user, cycle=cycle, data=data)


# --- Who may open what ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_gets_the_access_the_matrix_gives_on_request_pages(
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


def test_a_draft_of_another_department_is_not_found_for_others(
    client, adopted_plan, fund, cycle, editor_a, editor_b, council_member, finance, coordinator
):
    draft = _draft(adopted_plan, fund, cycle, editor_a)
    for person, status in (
        (editor_b, 404),
        (council_member, 404),
        (finance, 200),
        (coordinator, 200),
        (editor_a, 200),
    ):
        client.force_login(person)
        assert client.get(reverse("budget:request", args=[draft.pk])).status_code == status, person
    client.force_login(editor_b)
    assert client.get(reverse("budget:request-edit", args=[draft.pk])).status_code == 404
    assert client.post(reverse("budget:request-submit", args=[draft.pk])).status_code == 404
    listing = client.get(reverse("budget:requests"))
    assert "Street trees" not in listing.content.decode()


def test_the_list_shows_a_person_what_they_may_see_and_filters(
    client, adopted_plan, fund, cycle, editor_a, editor_b, department_b
):
    _draft(adopted_plan, fund, cycle, editor_a, title_en="Our draft")
    f.make_budget_request(cycle, department_b, [adopted_plan.items.get(code="2.1")], title_en="Their request")
    client.force_login(editor_a)
    page = client.get(reverse("budget:requests")).content.decode()
    assert "Our draft" in page and "Their request" in page and "$250,000.00" in page
    assert "Requests for FY 2026-27 are open until" in page
    filtered = client.get(reverse("budget:requests"), {"state": "draft", "cycle": cycle.pk}).content.decode()
    assert "Our draft" in filtered and "Their request" not in filtered
    by_department = client.get(reverse("budget:requests"), {"department": department_b.pk}).content.decode()
    assert "Our draft" not in by_department and "Their request" in by_department
    client.force_login(editor_b)
    page = client.get(reverse("budget:requests")).content.decode()
    assert "Our draft" not in page and "Their request" in page


# --- Writing ------------------------------------------------------------------------------------------------------


def test_an_editor_writes_a_draft_citing_ticked_and_typed_codes(client, adopted_plan, fund, cycle, editor_a):
    client.force_login(editor_a)
    page = client.get(reverse("budget:request-new"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "1.1.1.1" in body and "Save and submit" in body and 'name="department"' not in body
    response = client.post(
        reverse("budget:request-new"), _form_data(adopted_plan, fund, codes="2.1, 1.2.1.1")
    )
    saved = BudgetRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("budget:request", args=[saved.pk])
    assert saved.state == RequestState.DRAFT and saved.amount == Decimal("120000.00")
    assert sorted(item.code for item in saved.items.all()) == ["1.1", "1.2.1.1", "2.1"]
    assert saved.department == editor_a.department


def test_the_form_keeps_what_was_typed_and_says_what_is_wrong(client, adopted_plan, fund, cycle, editor_a):
    client.force_login(editor_a)
    response = client.post(
        reverse("budget:request-new"),
        _form_data(adopted_plan, fund, amount="lots", codes="9.9", title_en="Bus shelters"),
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'value="Bus shelters"' in body and 'value="lots"' in body
    assert "Write an amount like 250000 or $250,000.00" in body
    assert "The plan has no goal, strategy or action with the code 9.9." in body
    assert not BudgetRequest.objects.exists()


def test_save_and_submit_without_spanish_saves_nothing_and_points_at_the_fields(
    client, adopted_plan, fund, cycle, editor_a
):
    client.force_login(editor_a)
    data = _form_data(adopted_plan, fund, title_es="", justification_es="", submit="1")
    response = client.post(reverse("budget:request-new"), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_title_es-error"' in body and "Add the title in Spanish" in body
    assert not BudgetRequest.objects.exists()
    response = client.post(
        reverse("budget:request-new"), {**data, "title_es": "Árboles", "justification_es": "Sombra."}
    )
    assert BudgetRequest.objects.get().state == RequestState.SUBMITTED


def test_outside_the_window_an_editor_reads_why_and_the_coordinator_may_enter_late(
    client, organization, adopted_plan, fund, editor_a, coordinator, department_a
):
    closed = f.make_cycle(organization, 2026, today=timezone.localdate() - dt.timedelta(days=60))
    client.force_login(editor_a)
    page = client.get(reverse("budget:request-new"), {"cycle": closed.pk})
    body = page.content.decode()
    assert (
        page.status_code == 200
        and "Requests for FY 2026-27 were due on" in body
        and 'name="title_en"' not in body
    )
    client.force_login(coordinator)
    body = client.get(reverse("budget:request-new"), {"cycle": closed.pk}).content.decode()
    assert "you can still enter this request" in body and 'name="department"' in body
    data = _form_data(adopted_plan, fund, department=str(department_a.pk), submit="1")
    client.post(reverse("budget:request-new") + f"?cycle={closed.pk}", data)
    late = BudgetRequest.objects.get()
    assert late.state == RequestState.SUBMITTED
    assert "Entered late" in client.get(reverse("budget:request", args=[late.pk])).content.decode()


def test_there_is_no_form_without_a_cycle(client, adopted_plan, editor_a):
    client.force_login(editor_a)
    body = client.get(reverse("budget:request-new")).content.decode()
    assert "There is no budget cycle yet" in body


def test_a_stale_edit_shows_both_versions_with_409(client, adopted_plan, fund, cycle, editor_a, coordinator):
    draft = _draft(adopted_plan, fund, cycle, editor_a)
    seen = draft.lock_version
    services.save_request(
        user=coordinator,
        cycle=cycle,
        data={
            **_form_data(adopted_plan, fund),
            "fiscal_year": 2026,
            "amount": Decimal(5),
            "fund": fund,
            "items": [adopted_plan.items.get(code="1.1")],
            "title_en": "Coordinator's title",
        },
        budget_request=draft,
    )
    client.force_login(editor_a)
    response = client.post(
        reverse("budget:request-edit", args=[draft.pk]),
        _form_data(adopted_plan, fund, title_en="My title", lock_version=str(seen)),
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert (
        "Your version and the saved version" in body
        and "My title" in body
        and "Coordinator&#x27;s title" in body
    )
    draft.refresh_from_db()
    assert draft.title_en == "Coordinator's title"


def test_editing_a_scored_request_is_refused_in_words(
    client, adopted_plan, fund, cycle, editor_a, department_a
):
    scored = f.make_budget_request(
        cycle,
        department_a,
        [adopted_plan.items.get(code="1.1")],
        score_alignment=1,
        score_need=1,
        score_readiness=1,
    )
    client.force_login(editor_a)
    response = client.get(reverse("budget:request-edit", args=[scored.pk]))
    assert response.status_code == 200
    assert "being scored, so it can no longer be changed: ask the coordinator" in response.content.decode()
    assert (
        client.post(
            reverse("budget:request-edit", args=[scored.pk]), _form_data(adopted_plan, fund)
        ).status_code
        == 400
    )


# --- Submit, withdraw, score, decide ------------------------------------------------------------------------------


def test_submitting_from_the_request_page_and_twice_is_said_in_words(
    client, adopted_plan, fund, cycle, editor_a
):
    draft = _draft(adopted_plan, fund, cycle, editor_a, title_es="Árboles", justification_es="Sombra.")
    client.force_login(editor_a)
    assert "Submit the request" in client.get(reverse("budget:request", args=[draft.pk])).content.decode()
    response = client.post(reverse("budget:request-submit", args=[draft.pk]), follow=True)
    assert "The request was submitted." in response.content.decode()
    response = client.post(reverse("budget:request-submit", args=[draft.pk]), follow=True)
    assert response.status_code == 200 and "already submitted" in response.content.decode()


def test_submitting_an_incomplete_draft_says_what_is_missing(client, adopted_plan, fund, cycle, editor_a):
    draft = _draft(adopted_plan, fund, cycle, editor_a)
    client.force_login(editor_a)
    body = client.post(reverse("budget:request-submit", args=[draft.pk]), follow=True).content.decode()
    assert "Add the title in Spanish" in body and "Add the justification in Spanish" in body
    draft.refresh_from_db()
    assert draft.state == RequestState.DRAFT


def test_withdrawing_from_the_request_page(client, adopted_plan, fund, cycle, editor_a):
    draft = _draft(adopted_plan, fund, cycle, editor_a)
    client.force_login(editor_a)
    body = client.post(reverse("budget:request-withdraw", args=[draft.pk]), follow=True).content.decode()
    assert "The request was withdrawn." in body
    body = client.post(reverse("budget:request-withdraw", args=[draft.pk]), follow=True).content.decode()
    assert "only a draft or a submitted request can be withdrawn" in body


def test_finance_scores_a_request_and_the_form_keeps_choices_on_error(
    client, adopted_plan, cycle, finance, department_a
):
    submitted = f.make_budget_request(cycle, department_a, [adopted_plan.items.get(code="1.1")])
    client.force_login(finance)
    page = client.get(reverse("budget:request-score", args=[submitted.pk]))
    assert page.status_code == 200 and "Advances council priorities" in page.content.decode()
    response = client.post(reverse("budget:request-score", args=[submitted.pk]), {"score_alignment": "2"})
    assert response.status_code == 400
    assert 'value="2" id="id_score_alignment_2" checked' in response.content.decode()
    response = client.post(
        reverse("budget:request-score", args=[submitted.pk]),
        {"score_alignment": "3", "score_need": "2", "score_readiness": "1"},
    )
    assert response.status_code == 302 and response["Location"].endswith(f"?cycle={cycle.pk}")
    submitted.refresh_from_db()
    assert submitted.score == 6


def test_scoring_a_draft_is_said_in_words(client, adopted_plan, fund, cycle, editor_a, coordinator):
    draft = _draft(adopted_plan, fund, cycle, editor_a)
    client.force_login(coordinator)
    body = client.get(reverse("budget:request-score", args=[draft.pk])).content.decode()
    assert "Only submitted requests are scored; this one is draft." in body


def test_a_bad_decision_answers_400_with_the_form_on_the_request_page(
    client, adopted_plan, cycle, coordinator, department_a
):
    submitted = f.make_budget_request(cycle, department_a, [adopted_plan.items.get(code="1.1")])
    client.force_login(coordinator)
    response = client.post(
        reverse("budget:request-decide", args=[submitted.pk]), {"action": "not_funded", "adopted_amount": "x"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Pothole crew" in body and "Say why, in a sentence" in body and "Write an amount like" in body
    assert 'value="not_funded" id="id_action_1" checked' in body


def test_adopting_from_the_request_page_creates_the_funded_line(
    client, adopted_plan, cycle, finance, department_a
):
    submitted = f.make_budget_request(
        cycle, department_a, [adopted_plan.items.get(code=code) for code in ("1.1", "1.2", "2.1")]
    )
    client.force_login(finance)
    assert "Record the council" in client.get(reverse("budget:request", args=[submitted.pk])).content.decode()
    response = client.post(
        reverse("budget:request-decide", args=[submitted.pk]),
        {"action": "adopt", "adopted_amount": "100,000.00", "decision_note": "Adopted June 10."},
        follow=True,
    )
    body = response.content.decode()
    assert "now a funded budget line" in body and "$100,000.00" in body
    line = BudgetLine.objects.get()
    assert sum(a.amount for a in line.allocations.all()) == Decimal("100000.00")


# --- The ranked list ----------------------------------------------------------------------------------------------


def _ranked_world(cycle, plan, department_a, department_b, count):
    for index in range(count):
        f.make_budget_request(
            cycle,
            department_a if index % 2 else department_b,
            [plan.items.get(code="1.1"), plan.items.get(code="2.1.1.1")],
            amount=Decimal(1000 + index),
            title_en=f"Request {index}",
            score_alignment=index % 4,
            score_need=1,
            score_readiness=1,
        )


def test_council_reads_the_ranked_list_with_running_and_adopted_totals(
    client, adopted_plan, cycle, council_member, department_a, department_b
):
    _ranked_world(cycle, adopted_plan, department_a, department_b, 3)
    BudgetRequest.objects.filter(title_en="Request 2").update(
        state=RequestState.ADOPTED, adopted_amount=Decimal(900)
    )
    client.force_login(council_member)
    response = client.get(reverse("budget:ranking"), {"cycle": cycle.pk})
    body = response.content.decode()
    assert response.status_code == 200
    assert body.index("Request 2") < body.index("Request 1") < body.index("Request 0")
    assert "$3,003.00" in body and "$900.00" in body  # total requested, total adopted
    assert "Score" not in body.split("<tbody>")[1].split("</tbody>")[0].replace(
        "Scores", ""
    )  # no scoring links


def test_the_ranked_list_and_the_list_take_the_same_queries_whatever_the_count(
    client, adopted_plan, organization, coordinator, department_a, department_b
):
    small, large = f.make_cycle(organization, 2026), f.make_cycle(organization, 2027)
    _ranked_world(small, adopted_plan, department_a, department_b, 2)
    _ranked_world(large, adopted_plan, department_a, department_b, 12)
    client.force_login(coordinator)
    client.get(reverse("budget:requests"))  # the session's first page loads what every later page reuses
    counts = []
    for cycle in (small, large):
        for name in ("budget:ranking", "budget:requests"):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(reverse(name), {"cycle": cycle.pk}).status_code == 200
            counts.append((name, len(queries)))
    assert counts[:2] == counts[2:]
