"""send_budget_reminders: a week before and on the day of each reminded milestone, once, in each person's language."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import translation

from civicplan.budget.models import (
    BudgetCycle,
    BudgetReminderLog,
    CalendarMilestone,
    MilestoneKind,
    RequestState,
)
from civicplan.budget.services import send_budget_reminders
from tests import factories as f

DUE = dt.date(2026, 2, 28)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def cycle(organization):
    cycle = BudgetCycle.objects.create(organization=organization, first_fiscal_year=2026)
    CalendarMilestone.objects.create(cycle=cycle, kind=MilestoneKind.KICKOFF, date=dt.date(2026, 1, 15))
    CalendarMilestone.objects.create(cycle=cycle, kind=MilestoneKind.REQUESTS_DUE, date=DUE)
    return cycle


@pytest.fixture
def people(coordinator, finance, editor_a, editor_b, council_member, settings):
    settings.SITE_URL = "https://plan.example.org"
    for person, address, language in (
        (coordinator, "dana@example.org", "en"),
        (finance, "fran@example.org", "en"),
        (editor_a, "ana@example.org", "es"),
        (editor_b, "ben@example.org", "en"),
        (council_member, "council@example.org", "en"),
    ):
        person.email, person.language = address, language
        person.save()
    return coordinator, finance, editor_a, editor_b


def _to(address):
    return [message for message in mail.outbox if message.to == [address]]


def test_it_mails_everyone_concerned_a_week_before_requests_are_due_and_only_once(cycle, people, plan):
    f.make_budget_request(cycle, people[2].department, [plan.items.get(code="1.1")])
    f.make_budget_request(
        cycle, people[2].department, [plan.items.get(code="1.2")], state=RequestState.DRAFT, submitted_at=None
    )
    report = send_budget_reminders(today=DUE - dt.timedelta(days=7))
    assert report.reminders == 4
    assert sorted(address for address, _subject in report.sent) == [
        "ana@example.org",
        "ben@example.org",
        "dana@example.org",
        "fran@example.org",
    ]
    assert _to("council@example.org") == []
    [ben] = _to("ben@example.org")
    assert ben.subject == "In 7 days: Department requests due (FY 2026-27)"
    assert "drafts not yet submitted: 0; submitted: 0" in ben.body
    assert "https://plan.example.org/en/staff/budget/requests/?cycle=" in ben.body
    [dana] = _to("dana@example.org")
    assert "https://plan.example.org/en/staff/budget/calendar/" in dana.body and "drafts" not in dana.body
    assert BudgetReminderLog.objects.filter(kind="before").count() == 4
    again = send_budget_reminders(today=DUE - dt.timedelta(days=7))
    later = send_budget_reminders(today=DUE - dt.timedelta(days=3))
    assert again.reminders == later.reminders == 0 and len(mail.outbox) == 4


def test_it_mails_again_on_the_day_and_nothing_earlier_than_a_week(cycle, people):
    assert send_budget_reminders(today=DUE - dt.timedelta(days=8)).reminders == 0
    report = send_budget_reminders(today=DUE)
    assert report.reminders == 4
    [dana] = _to("dana@example.org")
    assert dana.subject == "Today: Department requests due (FY 2026-27)"
    assert send_budget_reminders(today=DUE).reminders == 0


def test_editors_hear_only_about_the_requests_deadline(cycle, people):
    CalendarMilestone.objects.create(cycle=cycle, kind=MilestoneKind.ADOPTION, date=dt.date(2026, 6, 15))
    CalendarMilestone.objects.create(cycle=cycle, kind=MilestoneKind.OTHER, date=dt.date(2026, 6, 15))
    report = send_budget_reminders(today=dt.date(2026, 6, 8))
    assert sorted(address for address, _subject in report.sent) == ["dana@example.org", "fran@example.org"]
    assert mail.outbox[0].subject == "In 7 days: Budget adoption (FY 2026-27)"


def test_the_reminder_is_in_the_recipients_language(cycle, people, plan):
    f.make_budget_request(cycle, people[2].department, [plan.items.get(code="1.1")])
    cycle.milestones.filter(kind=MilestoneKind.REQUESTS_DUE).update(
        title_en="Department requests due", title_es="Fecha límite de solicitudes"
    )
    send_budget_reminders(today=DUE - dt.timedelta(days=7))
    [ana] = _to("ana@example.org")
    assert "Fecha límite de solicitudes" in ana.subject and "AF 2026-27" in ana.subject
    assert "28 de febrero de 2026" in ana.body and "Obras Públicas" in ana.body
    assert "https://plan.example.org/es/staff/budget/requests/?cycle=" in ana.body
    assert ": 1." in ana.body  # one submitted request of her department
    [ben] = _to("ben@example.org")
    assert "Department requests due" in ben.subject and "FY 2026-27" in ben.subject


def test_people_without_an_address_are_skipped_and_inactive_people_not_mailed(cycle, people):
    _coordinator, finance, editor_a, _editor_b = people
    finance.email = ""
    finance.save()
    editor_a.is_active = False
    editor_a.save()
    report = send_budget_reminders(today=DUE)
    assert report.skipped == 1 and report.reminders == 2
    assert not _to("ana@example.org")


def test_the_command_says_what_it_would_send_and_sends_nothing_in_a_dry_run(cycle, people):
    out = StringIO()
    call_command("send_budget_reminders", "--date", "2026-02-21", "--dry-run", stdout=out)
    assert "Would send to dana@example.org: In 7 days: Department requests due (FY 2026-27)" in out.getvalue()
    assert "Would send 4 budget reminders." in out.getvalue()
    assert mail.outbox == [] and not BudgetReminderLog.objects.exists()
    call_command("send_budget_reminders", "--date", "2026-02-21", stdout=out)
    assert len(mail.outbox) == 4
    out = StringIO()
    call_command("send_budget_reminders", "--date", "2026-02-21", stdout=out)
    assert out.getvalue().strip() == "Sent 0 budget reminders."
    assert len(mail.outbox) == 4


def test_the_command_refuses_a_bad_date():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--date must be a date"):
        call_command("send_budget_reminders", "--date", "21/02/2026")
