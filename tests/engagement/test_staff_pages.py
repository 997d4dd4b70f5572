"""The coordinator builds surveys and keeps the engagement record; editors key in comment cards; the others read."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from civicplan.engagement.models import Activity, InputItem, Question, Response, Survey
from tests import factories as f


def _create_survey(client):
    return client.post(
        reverse("engagement:survey-new"),
        {
            "title_en": "Community Needs Survey",
            "title_es": "Encuesta de necesidades",
            "intro_en": "Tell us",
            "intro_es": "Díganos",
            "audience": "public",
            "min_seconds": "10",
        },
    )


def test_the_coordinator_builds_a_bilingual_survey_and_opens_it(client, plan, coordinator):
    client.force_login(coordinator)
    created = _create_survey(client)
    survey = Survey.objects.get()
    assert created["Location"] == reverse("engagement:survey", args=[survey.pk])
    assert survey.slug == "community-needs-survey"
    url = reverse("engagement:question-new", args=[survey.pk])
    saved = client.post(
        url,
        {
            "kind": "single",
            "text_en": "What matters most?",
            "text_es": "",
            "options_text": "Parks | Parques\nRoads | Calles\nhousing_x | Housing | Vivienda",
            "page": "1",
            "scale_min": "1",
            "scale_max": "5",
            "total_points": "100",
            "results_public": "on",
            "then": "another",
        },
    )
    assert saved["Location"] == url
    question = Question.objects.get()
    assert [(o.code, o.label_es) for o in question.options.all()] == [
        ("parks", "Parques"),
        ("roads", "Calles"),
        ("housing_x", "Vivienda"),
    ]
    refused = client.post(
        reverse("engagement:survey-state", args=[survey.pk]), {"state": "open"}, follow=True
    )
    assert "Spanish is missing for: question q1" in refused.content.decode()
    question.text_es = "¿Qué importa más?"
    question.save()
    client.post(reverse("engagement:survey-state", args=[survey.pk]), {"state": "open"})
    survey.refresh_from_db()
    assert survey.state == "open"
    assert client.get(reverse("surveys:take", args=[survey.slug])).status_code == 200


def test_a_question_form_with_bad_options_keeps_what_was_typed(client, plan, coordinator):
    client.force_login(coordinator)
    survey = f.make_survey(plan)
    page = client.post(
        reverse("engagement:question-new", args=[survey.pk]),
        {
            "kind": "multiple",
            "text_en": "Pick",
            "options_text": "a | b | c | d",
            "page": "1",
            "total_points": "100",
        },
    )
    assert page.status_code == 400
    assert "Line 1" in page.content.decode() and "a | b | c | d" in page.content.decode()
    assert not Question.objects.exists()


def test_questions_cannot_change_once_responses_exist_but_a_new_version_can(client, plan, coordinator):
    client.force_login(coordinator)
    survey = f.make_needs_survey(plan)
    Response.objects.create(survey=survey, answers={"q1": "parks"}, submitted_on="2026-03-01")
    question = survey.questions.get(key="q1")
    edit = client.get(reverse("engagement:question-edit", args=[survey.pk, question.pk]), follow=True)
    assert "cannot change" in edit.content.decode()
    client.post(reverse("engagement:survey-new-version", args=[survey.pk]))
    copy = Survey.objects.get(previous=survey)
    assert copy.state == "draft" and copy.version == 2
    assert list(copy.questions.values_list("key", flat=True)) == list(
        survey.questions.values_list("key", flat=True)
    )
    assert copy.questions.get(key="q1").options.count() == 3


def test_the_survey_page_shows_live_counts(client, plan, viewer):
    survey = f.make_needs_survey(plan)
    Response.objects.create(survey=survey, answers={}, submitted_on="2026-03-01")
    Response.objects.create(survey=survey, answers={}, submitted_on="2026-03-01", flagged=True)
    client.force_login(viewer)
    page = client.get(reverse("engagement:survey", args=[survey.pk])).content.decode()
    assert "1 counted response" in page and "1 flagged as suspicious" in page
    assert "Add a question" not in page  # a viewer reads only


@pytest.mark.parametrize("persona", ["editor_a", "council_member", "viewer", "finance"])
def test_only_the_coordinator_creates_surveys_and_activities(client, plan, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert _create_survey(client).status_code == 403
    assert client.get(reverse("engagement:activity-new")).status_code == 403
    assert not Survey.objects.exists()


def _activity(client, kind="public_event"):
    client.post(
        reverse("engagement:activity-new"),
        {
            "kind": kind,
            "title_en": "Eastside community meeting",
            "title_es": "Reunión comunitaria del este",
            "date": "2026-03-14",
            "place": "Eastside Library",
            "languages": "English, Spanish",
            "attendance": "64",
        },
    )
    return Activity.objects.latest("pk")


def test_an_editor_keys_in_comment_cards_quickly_with_the_language_remembered(
    client, plan, coordinator, editor_a
):
    client.force_login(coordinator)
    activity = _activity(client)
    client.force_login(editor_a)
    url = reverse("engagement:activity", args=[activity.pk])
    first = client.post(
        url, {"form": "card", "text": "Más luz en la calle 5", "language": "es", "topic": "safety"}
    )
    assert first.status_code == 302 and first["Location"].endswith("#card-text")
    page = client.get(url).content.decode()
    assert 'value="es" selected' in page and 'value="safety"' in page
    for number in range(30):
        client.post(url, {"form": "card", "text": f"Card {number}", "language": "en"})
    assert InputItem.objects.filter(activity=activity, channel="comment_card").count() == 31
    card = InputItem.objects.get(text="Más luz en la calle 5")
    assert card.received_on.isoformat() == "2026-03-14" and card.entered_by == editor_a
    assert card.history.count() == 1


def test_an_empty_card_is_refused_and_nothing_is_saved(client, plan, coordinator):
    client.force_login(coordinator)
    activity = _activity(client)
    page = client.post(
        reverse("engagement:activity", args=[activity.pk]), {"form": "card", "text": "", "language": "en"}
    )
    assert page.status_code == 400 and not InputItem.objects.exists()


def test_council_session_outputs_are_recorded_as_input(client, plan, coordinator):
    client.force_login(coordinator)
    session = _activity(client, kind="council_session")
    client.post(
        reverse("engagement:activity", args=[session.pk]),
        {"form": "output", "output_kind": "ranked_priority", "text": "Housing affordability", "rank": "1"},
    )
    item = InputItem.objects.get()
    assert (item.channel, item.output_kind, item.rank) == ("session_output", "ranked_priority", 1)


def test_input_is_archived_with_a_reason_never_deleted(client, plan, coordinator):
    client.force_login(coordinator)
    activity = _activity(client)
    client.post(
        reverse("engagement:activity", args=[activity.pk]), {"form": "card", "text": "dup", "language": "en"}
    )
    item = InputItem.objects.get()
    client.post(reverse("engagement:input-archive", args=[item.pk]), {"reason": ""})
    item.refresh_from_db()
    assert item.archived_at is None
    client.post(reverse("engagement:input-archive", args=[item.pk]), {"reason": "Entered twice"})
    item.refresh_from_db()
    assert item.archived_at and item.archive_reason == "Entered twice" and InputItem.objects.count() == 1


def test_a_council_member_cannot_key_in_cards(client, plan, coordinator, council_member):
    client.force_login(coordinator)
    activity = _activity(client)
    client.force_login(council_member)
    page = client.post(
        reverse("engagement:activity", args=[activity.pk]), {"form": "card", "text": "x", "language": "en"}
    )
    assert page.status_code == 403 and not InputItem.objects.exists()


def test_two_people_editing_an_activity_get_a_conflict_not_an_overwrite(client, plan, coordinator):
    client.force_login(coordinator)
    activity = _activity(client)
    url = reverse("engagement:activity-edit", args=[activity.pk])
    data = {"kind": "public_event", "title_en": "Mine", "date": "2026-03-14", "lock_version": "1"}
    assert client.post(url, data).status_code == 302
    stale = client.post(url, {**data, "title_en": "Theirs"})
    assert stale.status_code == 409
    activity.refresh_from_db()
    assert activity.title_en == "Mine"


def test_the_engagement_record_lists_activities_surveys_and_input(client, plan, coordinator, viewer):
    client.force_login(coordinator)
    activity = _activity(client)
    client.post(
        reverse("engagement:activity", args=[activity.pk]), {"form": "card", "text": "x", "language": "en"}
    )
    f.make_needs_survey(plan)
    client.force_login(viewer)
    page = client.get(reverse("engagement:overview")).content.decode()
    assert (
        "Eastside community meeting" in page and "Community Needs Survey" in page and "1 comment card" in page
    )


def _employee(plan):
    return f.make_needs_survey(plan, slug="staff-pulse", audience="employee", state="open")


def test_the_coordinator_invites_employees_from_pasted_addresses(client, plan, coordinator, mailoutbox):
    survey = _employee(plan)
    client.force_login(coordinator)
    url = reverse("engagement:invites", args=[survey.pk])
    response = client.post(url, {"emails": "a@city.gov; B@city.gov\nb@city.gov"})
    assert response.status_code == 302
    assert sorted(survey.invites.values_list("email", flat=True)) == ["a@city.gov", "b@city.gov"]
    assert len(mailoutbox) == 2 and "/invitation/" in mailoutbox[0].body
    client.post(url, {"emails": "a@city.gov, c@city.gov"})
    assert survey.invites.count() == 3 and len(mailoutbox) == 3  # a@ is not invited twice


def test_an_uploaded_staff_list_uses_every_cell_with_an_address(client, plan, coordinator, mailoutbox):
    survey = _employee(plan)
    client.force_login(coordinator)
    listing = SimpleUploadedFile(
        "staff.csv",
        '\ufeffName;Department;E-mail\r\nAna Ruiz;Parks;ana@city.gov\r\n"Lee, Sam";Water;sam@city.gov\r\n'.encode(),
        content_type="text/csv",
    )
    response = client.post(reverse("engagement:invites", args=[survey.pk]), {"address_list": listing})
    assert response.status_code == 302
    assert sorted(survey.invites.values_list("email", flat=True)) == ["ana@city.gov", "sam@city.gov"]
    assert len(mailoutbox) == 2


def test_a_bad_address_sends_nothing_and_keeps_what_was_typed(client, plan, coordinator, mailoutbox):
    survey = _employee(plan)
    client.force_login(coordinator)
    url = reverse("engagement:invites", args=[survey.pk])
    response = client.post(url, {"emails": "a@city.gov\nnot-an-address@"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "These are not e-mail addresses: not-an-address@" in page and "a@city.gov" in page
    assert not survey.invites.exists() and not mailoutbox
    empty = client.post(url, {"emails": ""})
    assert (
        empty.status_code == 400
        and "Type or paste the addresses, or upload a list." in empty.content.decode()
    )
