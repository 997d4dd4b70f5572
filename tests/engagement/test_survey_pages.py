"""The questionnaire as people use it: pages, every question kind, errors kept beside their fields, language
switched mid-way, the rate limit answering 429 with the answers kept, the council and employee doors."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

from civicplan.engagement import services
from civicplan.engagement.models import Response
from tests import factories as f

PAGE_ONE = {
    "page": "1",
    "q1": "other",
    "q1:other": "Un parque para perros 🐕",
    "q2": ["parks", "housing"],
    "q3": "4",
    "q4:safety": "5",
    "q4:trash": "2",
    "action": "next",
}
PAGE_TWO = {
    "page": "2",
    "q5:housing": "1",
    "q5:roads": "2",
    "q6:parks": "60",
    "q6:housing": "40",
    "q7": "12.5",
    "q8": "Más aceras,\r\npor favor",
    "q9": "95123",
    "action": "submit",
}


@pytest.fixture
def survey(plan):
    return f.make_needs_survey(plan)


def _url(survey, language="en"):
    return reverse("surveys:take", args=[survey.slug]).replace("/en/", f"/{language}/")


def test_a_resident_answers_every_kind_of_question_over_two_pages(client, survey):
    page = client.get(_url(survey))
    assert page.status_code == 200 and b"Page 1 of 2" in page.content
    assert client.post(_url(survey), PAGE_ONE).status_code == 302
    done = client.post(_url(survey), PAGE_TWO)
    assert done.status_code == 302 and done["Location"].endswith("/thanks/")
    response = Response.objects.get()
    assert response.answers == {
        "q1": "other",
        "q1:other": "Un parque para perros 🐕",
        "q2": ["parks", "housing"],
        "q3": 4,
        "q4": {"safety": 5, "trash": 2},
        "q5": ["housing", "roads"],
        "q6": {"parks": 60, "housing": 40},
        "q7": "12.5",
        "q8": "Más aceras,\npor favor",
        "q9": "95123",
    }
    assert not response.flagged and response.language == "en"


def test_switching_to_spanish_mid_way_keeps_the_answers(client, survey):
    client.post(_url(survey), PAGE_ONE)
    page = client.get(_url(survey, "es") + "?page=1")
    assert "Página 1 de 2" in page.content.decode() and 'value="parks" checked' in page.content.decode()
    assert "Parques" in page.content.decode()
    client.post(_url(survey, "es"), PAGE_TWO)
    assert Response.objects.get().language == "es"


def test_errors_show_next_to_their_questions_and_keep_what_was_typed(client, survey):
    bad = {**PAGE_ONE, "q1": "", "q2": ["parks", "roads", "housing"], "q1:other": "kept text"}
    page = client.post(_url(survey), bad)
    html = page.content.decode()
    assert page.status_code == 200 and "Error:" in html
    assert html.count("usa-error-message") == 2
    assert "Answer this question." in html and "Choose at most 2." in html
    assert 'value="kept text"' in html and 'id="q4-safety-5" name="q4:safety" value="5" checked' in html
    assert not Response.objects.exists()


def test_the_points_of_an_allocation_must_add_up(client, survey):
    client.post(_url(survey), PAGE_ONE)
    page = client.post(_url(survey), {**PAGE_TWO, "q6:parks": "70"})
    assert "must add up to 100 (they add up to 110)" in page.content.decode()
    assert 'value="70"' in page.content.decode()


def test_a_rank_used_twice_is_refused(client, survey):
    client.post(_url(survey), PAGE_ONE)
    page = client.post(_url(survey), {**PAGE_TWO, "q5:roads": "1"})
    assert "rank 1 is used twice" in page.content.decode()


@override_settings(SURVEY_SUBMISSIONS_PER_WINDOW=1)
def test_the_rate_limit_answers_429_and_keeps_the_answers_on_the_page(client, survey, plan):
    services.submit_public_response(
        survey=survey,
        answers={"q1": "parks"},
        language="en",
        address="127.0.0.1",
        idempotency_key="x",
        seconds_taken=99,
    )
    client.post(_url(survey), PAGE_ONE)
    page = client.post(_url(survey), PAGE_TWO)
    assert page.status_code == 429
    assert "Your answers are kept on this page" in page.content.decode()
    assert 'value="12.5"' in page.content.decode()
    assert Response.objects.count() == 1


def test_a_filled_honeypot_is_stored_flagged(client, survey):
    client.post(_url(survey), PAGE_ONE)
    client.post(_url(survey), {**PAGE_TWO, "website": "spam"})
    assert Response.objects.get().flag_reasons == "honeypot"


def test_a_draft_survey_is_not_found_and_a_closed_one_says_so(client, plan):
    draft = f.make_needs_survey(plan, state="draft")
    closed = f.make_needs_survey(plan, state="closed")
    assert client.get(_url(draft)).status_code == 404
    assert client.get(_url(closed)).status_code == 410


def test_skip_logic_drops_answers_to_questions_that_were_not_shown(client, plan):
    survey = f.make_survey(
        plan,
        state="open",
        questions=(
            {"kind": "single", "options": [("yes", "Yes", "Sí"), ("no", "No", "No")], "required": True},
            {"kind": "short_text", "page": 2, "required": True},
        ),
    )
    follow_up = survey.questions.get(key="q2")
    follow_up.show_if_question = survey.questions.get(key="q1")
    follow_up.show_if_values = ["yes"]
    follow_up.save()
    client.post(_url(survey), {"page": "1", "q1": "no", "action": "next"})
    page = client.get(_url(survey) + "?page=2")
    assert b"Question 2" not in page.content
    client.post(_url(survey), {"page": "2", "q2": "should not be kept", "action": "submit"})
    assert Response.objects.get().answers == {"q1": "no"}


def test_an_employee_answers_once_through_the_invitation_link(client, plan, coordinator):
    survey = f.make_needs_survey(plan, audience="employee")
    ((_email, token),) = services.create_invites(survey=survey, user=coordinator, emails=["e@city.gov"])
    url = reverse("surveys:invitation", args=[survey.slug, token])
    page = client.get(url)
    assert page.status_code == 200 and page["Referrer-Policy"] == "no-referrer"
    assert b'name="website"' not in page.content and b"follow_up" not in page.content
    client.post(url, PAGE_ONE)
    assert client.post(url, PAGE_TWO).status_code == 302
    assert Response.objects.count() == 1
    assert client.get(url).status_code == 403
    assert client.get(_url(survey)).status_code == 404  # not reachable as a public survey


def test_a_council_member_answers_in_the_workspace_and_finds_the_answers_again(client, plan, council_member):
    survey = f.make_needs_survey(plan, audience="council")
    client.force_login(council_member)
    url = reverse("engagement:council-answer", args=[survey.pk])
    client.post(url, PAGE_ONE)
    client.post(url, PAGE_TWO)
    client.post(url, {**PAGE_ONE, "q3": "2"})  # a second visit starts from the saved answers
    assert client.post(url, PAGE_TWO).status_code == 302
    assert Response.objects.get().answers["q3"] == 2


def test_staff_key_in_a_paper_questionnaire_on_one_page(client, plan, editor_a):
    survey = f.make_needs_survey(plan)
    client.force_login(editor_a)
    url = reverse("engagement:paper", args=[survey.pk])
    page = client.get(url)
    assert b"Key in a paper questionnaire" in page.content and b'name="q9"' in page.content
    response = client.post(url, {**PAGE_ONE, **PAGE_TWO, "paper_language": "es", "action": "submit"})
    assert response.status_code == 302
    stored = Response.objects.get()
    assert stored.channel == "paper" and stored.language == "es" and stored.entered_by == editor_a


def test_a_kiosk_takes_comments_without_an_address_limit(client, plan, coordinator):
    client.force_login(coordinator)
    activity = services.create_activity(
        plan=plan,
        user=coordinator,
        data={"kind": "public_event", "title_en": "Library night", "date": "2026-03-14"},
    )
    client.post(reverse("engagement:kiosk-new"), {"name": "Tablet 1", "activity": activity.pk})
    kiosk_cookie = client.cookies["civicplan_kiosk"]
    client.logout()  # the test client forgets every cookie; signing out on the site keeps the kiosk's
    client.cookies["civicplan_kiosk"] = kiosk_cookie.value
    page = client.get(reverse("surveys:kiosk"))
    assert page.status_code == 200 and b"Leave a comment" in page.content
    assert client.post(reverse("surveys:kiosk"), {"text": ""}).status_code == 400
    client.post(reverse("surveys:kiosk"), {"text": "Más sombra en el parque", "topic": "parques"})
    item = activity.input_items.get()
    assert item.channel == "kiosk" and item.text == "Más sombra en el parque"


def test_without_a_registered_kiosk_there_is_no_kiosk_page(client, plan):
    assert client.get(reverse("surveys:kiosk")).status_code == 404


def test_a_condition_on_the_same_page_is_said_in_words(client, plan):
    survey = f.make_survey(
        plan,
        state="open",
        questions=(
            {"kind": "single", "options": [("yes", "Yes", "Sí"), ("no", "No", "No")]},
            {"kind": "long_text"},
        ),
    )
    why = survey.questions.get(key="q2")
    why.show_if_question = survey.questions.get(key="q1")
    why.show_if_values = ["yes"]
    why.save()
    page = client.get(_url(survey)).content.decode()
    assert "Answer this only if you chose “Yes” in question 1." in page
    client.post(_url(survey), {"page": "1", "q1": "no", "q2": "typed anyway", "action": "submit"})
    assert Response.objects.get().answers == {"q1": "no"}
