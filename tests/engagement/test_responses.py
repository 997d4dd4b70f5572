"""Taking responses: each audience's rules, through the services (pages are tested in test_survey_pages)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from civicplan.engagement import services
from civicplan.engagement.models import Invite, Response, SubmissionAttempt
from tests import factories as f

ANSWERS = {"q1": "parks"}


def _submit(survey, **overrides):
    fields = {
        "survey": survey,
        "answers": ANSWERS,
        "language": "es",
        "address": "203.0.113.7",
        "idempotency_key": overrides.pop("key", "k1"),
        "seconds_taken": 60.0,
        **overrides,
    }
    return services.submit_public_response(**fields)


def test_it_stores_a_public_response_with_a_hashed_address_and_only_the_day(plan):
    survey = f.make_needs_survey(plan)
    response = _submit(survey)
    assert response.answers == ANSWERS and response.language == "es" and not response.flagged
    assert response.ip_hash and "203.0.113.7" not in response.ip_hash and len(response.ip_hash) == 64
    assert response.submitted_on == timezone.localdate()
    assert not any(
        isinstance(getattr(response, field.attname), dt.datetime) for field in Response._meta.fields
    )


def test_a_double_click_makes_one_response(plan):
    survey = f.make_needs_survey(plan)
    first = _submit(survey, key="same")
    second = _submit(survey, key="same")
    assert first.pk == second.pk and Response.objects.count() == 1


def test_honeypot_and_too_fast_submissions_are_kept_but_flagged(plan):
    survey = f.make_needs_survey(plan, min_seconds=20)
    bot = _submit(survey, key="a", honeypot="http://spam.example")
    hurried = _submit(survey, key="b", seconds_taken=3.0)
    assert bot.flagged and "honeypot" in bot.flag_reasons
    assert hurried.flagged and hurried.flag_reasons == "too_fast"
    assert Response.objects.count() == 2


@override_settings(SURVEY_SUBMISSIONS_PER_WINDOW=3)
def test_it_limits_submissions_per_address_but_not_from_a_registered_kiosk(plan, coordinator):
    survey = f.make_needs_survey(plan)
    for number in range(3):
        _submit(survey, key=f"k{number}")
    with pytest.raises(services.RateLimited):
        _submit(survey, key="k4")
    _submit(survey, key="other-address", address="198.51.100.1")  # someone else is not limited
    kiosk, _secret = services.register_kiosk(
        plan=plan, user=coordinator, name="Library tablet", activity=None
    )
    for number in range(5):
        assert _submit(survey, key=f"kiosk{number}", kiosk=kiosk).channel == "kiosk"
    assert Response.objects.count() == 3 + 1 + 5


@override_settings(SURVEY_SUBMISSIONS_PER_WINDOW=2, SURVEY_SUBMISSION_WINDOW_SECONDS=60)
def test_the_limit_window_moves_on(plan):
    survey = f.make_needs_survey(plan)
    start = timezone.now()
    _submit(survey, key="a", now=start)
    _submit(survey, key="b", now=start)
    with pytest.raises(services.RateLimited):
        _submit(survey, key="c", now=start + dt.timedelta(seconds=30))
    _submit(survey, key="d", now=start + dt.timedelta(seconds=61))
    assert SubmissionAttempt.objects.count() == 1  # older attempts are pruned


def test_a_draft_or_closed_survey_takes_no_response(plan):
    for state in ("draft", "closed"):
        survey = f.make_needs_survey(plan, state=state)
        with pytest.raises(ValidationError):
            _submit(survey)


def test_follow_up_contact_is_stored_apart_from_the_answers(plan):
    survey = f.make_needs_survey(plan)
    response = _submit(survey, contact={"email": "ana@example.org", "name": "Ana"})
    contact = survey.contacts.get()
    assert contact.email == "ana@example.org"
    assert "ana@example.org" not in str(response.answers)
    assert not [field for field in type(contact)._meta.fields if field.related_model is Response]


def test_council_members_answer_once_and_can_change_their_answers(plan, council_member, coordinator):
    survey = f.make_needs_survey(plan, audience="council")
    services.save_council_response(survey=survey, user=council_member, answers={"q1": "roads"}, language="en")
    services.save_council_response(survey=survey, user=council_member, answers={"q1": "parks"}, language="en")
    assert list(Response.objects.values_list("answers", flat=True)) == [{"q1": "parks"}]
    with pytest.raises(PermissionDenied):
        services.save_council_response(survey=survey, user=coordinator, answers=ANSWERS, language="en")


def _employee_survey(plan, coordinator):
    survey = f.make_needs_survey(plan, audience="employee")
    invites = services.create_invites(
        survey=survey, user=coordinator, emails=["a@city.gov", "B@city.gov", "a@city.gov"]
    )
    return survey, invites


def test_an_invitation_works_exactly_once_and_leaves_no_trace_on_the_answers(plan, coordinator):
    survey, invites = _employee_survey(plan, coordinator)
    assert [email for email, _token in invites] == ["a@city.gov", "b@city.gov"]
    token = invites[0][1]
    assert len(token) >= 22  # >= 128 bits of url-safe base64
    response = services.submit_employee_response(survey=survey, token=token, answers=ANSWERS, language="en")
    with pytest.raises(PermissionDenied):
        services.submit_employee_response(survey=survey, token=token, answers=ANSWERS, language="en")
    assert Invite.objects.filter(used=True).count() == 1
    assert not response.ip_hash and response.idempotency_key is None and response.respondent is None
    assert token not in str(Invite.objects.values_list()) and token not in str(Response.objects.values_list())


def test_no_column_links_an_employee_answer_to_an_invitation_or_a_person():
    related = {field.related_model.__name__ for field in Response._meta.fields if field.is_relation}
    assert "Invite" not in related
    invite_relations = [field.name for field in Invite._meta.get_fields() if field.is_relation]
    assert invite_relations == ["survey"]
    time_fields = [
        field.name
        for field in Response._meta.fields
        if field.get_internal_type() in ("DateTimeField", "TimeField")
    ]
    assert time_fields == []


def test_inviting_again_skips_who_already_has_an_invitation(plan, coordinator):
    survey, _invites = _employee_survey(plan, coordinator)
    again = services.create_invites(survey=survey, user=coordinator, emails=["a@city.gov", "c@city.gov"])
    assert [email for email, _token in again] == ["c@city.gov"]


def test_invitations_are_mailed_with_their_one_time_link(plan, coordinator, mailoutbox):
    survey, invites = _employee_survey(plan, coordinator)
    sent = services.send_invites(survey=survey, invites=invites, link_for=lambda token: f"https://x/{token}")
    assert sent == 2 and len(mailoutbox) == 2
    assert invites[0][1] in mailoutbox[0].body and "confidencial" in mailoutbox[0].body
    assert Invite.objects.filter(sent_on__isnull=False).count() == 2


@pytest.mark.django_db(transaction=True)
def test_an_invitation_used_by_many_parallel_submissions_makes_one_response():
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        ("file:memorydb", ":memory:")
    ):
        pytest.skip("threads need a database file or server; the PostgreSQL run covers this")
    organization = f.make_organization()
    department = f.make_department(organization, "PW")
    coordinator = f.make_user("coord", "coordinator", department)
    plan = f.make_plan(organization)
    survey, invites = _employee_survey(plan, coordinator)
    token = invites[0][1]

    def attempt(_number: int) -> str:
        try:
            services.submit_employee_response(survey=survey, token=token, answers=ANSWERS, language="en")
            return "ok"
        except PermissionDenied:
            return "refused"
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=10) as pool:
        outcomes = list(pool.map(attempt, range(50)))
    assert outcomes.count("ok") == 1 and outcomes.count("refused") == 49
    assert Response.objects.filter(survey=survey).count() == 1


def test_paper_questionnaires_are_marked_as_paper_and_never_for_employees(plan, editor_a, coordinator):
    survey = f.make_needs_survey(plan)
    response = services.enter_paper_response(survey=survey, user=editor_a, answers=ANSWERS, language="es")
    assert response.channel == "paper" and response.entered_by == editor_a
    employee_survey, _invites = _employee_survey(plan, coordinator)
    with pytest.raises(ValidationError):
        services.enter_paper_response(
            survey=employee_survey, user=coordinator, answers=ANSWERS, language="en"
        )


def test_a_council_member_cannot_key_in_paper(plan, council_member):
    survey = f.make_needs_survey(plan)
    with pytest.raises(PermissionDenied):
        services.enter_paper_response(survey=survey, user=council_member, answers=ANSWERS, language="en")
