"""send_update_reminders: owners before and after the due date, a daily digest for the coordinator."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import translation

from civicplan.plans import services
from civicplan.plans.models import ReminderKind, ReminderLog
from tests import factories as f

DUE = dt.date(2026, 10, 15)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def period(plan, coordinator):
    return services.save_period(
        plan=plan,
        user=coordinator,
        data={
            "name_en": "FY 2026-27 Q1",
            "name_es": "AF 2026-27 T1",
            "starts_on": dt.date(2026, 7, 1),
            "ends_on": dt.date(2026, 9, 30),
            "opens_on": dt.date(2026, 9, 16),
            "due_on": DUE,
        },
    )


@pytest.fixture
def people(coordinator, editor_a, editor_b):
    coordinator.email = "dana@example.org"
    coordinator.save()
    editor_a.email, editor_a.language = "ana@example.org", "es"
    editor_a.save()
    editor_b.email = "ben@example.org"
    editor_b.save()
    return coordinator, editor_a, editor_b


def _to(address):
    return [m for m in mail.outbox if m.to == [address]]


def test_it_sends_one_mail_per_person_seven_days_before_due_and_only_once(plan, period, people):
    report = services.send_update_reminders(today=DUE - dt.timedelta(days=7))
    assert report.reminders == 2 and report.digests == 0
    [ben] = _to("ben@example.org")
    assert ben.subject == "Due soon: 4 progress updates to write"
    assert ben.body.count("  - ") == 4  # the four department B actions, one mail
    assert ReminderLog.objects.filter(kind=ReminderKind.BEFORE_DUE).count() == 2
    again = services.send_update_reminders(today=DUE - dt.timedelta(days=6))
    assert again.reminders == 0 and len(mail.outbox) == 2


def test_nothing_is_sent_earlier_than_seven_days_before_due(plan, period, people):
    report = services.send_update_reminders(today=DUE - dt.timedelta(days=8))
    assert report.reminders == 0 and mail.outbox == []


def test_the_reminder_is_in_the_recipients_language(plan, period, people):
    services.send_update_reminders(today=DUE - dt.timedelta(days=3))
    [ana] = _to("ana@example.org")
    assert "AF 2026-27 T1" in ana.body and "FY 2026-27 Q1" not in ana.body
    assert "/es/staff/updates/" in ana.body
    [ben] = _to("ben@example.org")
    assert "/en/staff/updates/" in ben.body and "FY 2026-27 Q1" in ben.body


def test_after_the_due_date_it_reminds_at_most_every_seven_days_and_digests_the_coordinator_daily(
    plan, period, people
):
    first = services.send_update_reminders(today=DUE + dt.timedelta(days=1))
    assert (first.reminders, first.digests) == (2, 1)
    [digest] = _to("dana@example.org")
    assert "Public Works (4)" in digest.body and "Community Development (4)" in digest.body
    same_day = services.send_update_reminders(today=DUE + dt.timedelta(days=1))
    assert (same_day.reminders, same_day.digests) == (0, 0)
    next_day = services.send_update_reminders(today=DUE + dt.timedelta(days=2))
    assert (next_day.reminders, next_day.digests) == (0, 1)
    a_week_later = services.send_update_reminders(today=DUE + dt.timedelta(days=8))
    assert a_week_later.reminders == 2


def test_people_who_handed_everything_in_get_nothing(plan, period, people, department_b):
    _coordinator, _editor_a, editor_b = people
    for action in plan.items.filter(level="action", department=department_b):
        services.submit_update(
            action=action,
            period=period,
            user=editor_b,
            data={
                "status": f.status(plan, "on-track"),
                "progress": Decimal(50),
                "narrative_en": "Fine.",
                "narrative_es": "Bien.",
            },
            expected_version=0,
            today=DUE - dt.timedelta(days=5),
        )
    report = services.send_update_reminders(today=DUE - dt.timedelta(days=3))
    assert report.reminders == 1 and report.nothing_due == 1
    assert _to("ben@example.org") == []


def test_the_owner_gets_the_reminder_instead_of_the_department(plan, period, people, viewer, department_a):
    viewer.email = "owner@example.org"
    viewer.save()
    action = plan.items.filter(level="action", department=department_a).first()
    action.owner = viewer
    action.save()
    services.send_update_reminders(today=DUE - dt.timedelta(days=3))
    [owner_mail] = _to("owner@example.org")
    assert action.code in owner_mail.body
    [ana] = _to("ana@example.org")
    assert ana.body.count("  - ") == 3


def test_it_skips_people_without_an_address_or_an_active_account(plan, period, people):
    _coordinator, editor_a, editor_b = people
    editor_a.email = ""
    editor_a.save()
    editor_b.is_active = False
    editor_b.save()
    report = services.send_update_reminders(today=DUE - dt.timedelta(days=3))
    assert report.reminders == 0 and report.skipped == 1 and mail.outbox == []


def test_a_dry_run_sends_and_records_nothing(plan, period, people):
    report = services.send_update_reminders(today=DUE + dt.timedelta(days=1), dry_run=True)
    assert report.reminders == 2 and report.digests == 1
    assert mail.outbox == [] and not ReminderLog.objects.exists()


def test_the_command_prints_a_summary(plan, period, people):
    out = StringIO()
    call_command("send_update_reminders", "--date", (DUE + dt.timedelta(days=1)).isoformat(), stdout=out)
    assert "Sent 2 reminders and 1 digest; 0 people had nothing due." in out.getvalue()
    assert len(mail.outbox) == 3
