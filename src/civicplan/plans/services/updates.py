"""Reporting periods and progress updates: what is owed, submitted, reviewed and published.

The cycle: the coordinator sets the periods (`create_default_periods`, `save_period`); owners save drafts as they
go (`save_update_draft`) and submit (`submit_update`); the coordinator approves (`approve_update`) or sends back
(`send_back_update`) when the plan needs review. Publishing applies the update's status and % to the action,
records it in the action's history, recomputes the roll-up and refreshes the public pages. Without review, a
submitted update is published at once when it has its Spanish text, or as soon as the Spanish is added.
`send_update_reminders` (run daily) mails owners before and after the due date and the coordinator a digest.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from civicplan.accounts.models import Role, User
from civicplan.core.history import apply_and_save, record_change
from civicplan.lib.periods import QUARTERLY, next_period, period_end, period_label
from civicplan.plans.models import (
    EvidenceLink,
    Level,
    Plan,
    PlanItem,
    ProgressUpdate,
    ReminderKind,
    ReminderLog,
    ReportingPeriod,
    UpdateState,
)
from civicplan.plans.selectors import updates as update_selectors

from .action_plans import _new_file_evidence
from .structure import EditConflict, _changed_public_content, recompute_ancestors

__all__ = [
    "DUE_AFTER_END_DAYS",
    "OPENS_BEFORE_END_DAYS",
    "REMIND_BEFORE_DUE_DAYS",
    "REMIND_OVERDUE_EVERY_DAYS",
    "ReminderReport",
    "approve_update",
    "create_default_periods",
    "delete_period",
    "save_period",
    "save_update_draft",
    "send_back_update",
    "send_update_reminders",
    "set_updates_need_review",
    "submit_update",
]

logger = logging.getLogger(__name__)

OPENS_BEFORE_END_DAYS = 14
DUE_AFTER_END_DAYS = 15
REMIND_BEFORE_DUE_DAYS = 7
REMIND_OVERDUE_EVERY_DAYS = 7
# The reminder kinds as plain strings (what `ReminderLog.kind` holds once read back): without django-stubs, mypy
# takes a TextChoices member for its (value, label) tuple.
BEFORE_DUE = str(ReminderKind.BEFORE_DUE)
OVERDUE = str(ReminderKind.OVERDUE)
DIGEST = str(ReminderKind.DIGEST)


def _require(user: User, perm: str, obj: Any = None) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied(_("You do not have permission to do this."))


def _moment(today: dt.date | None) -> dt.datetime:
    """Now, or noon of `today` when a command or test runs for another day (the clock is passed in)."""
    now = timezone.now()
    if today is None or today == timezone.localdate(now):
        return now
    return timezone.make_aware(dt.datetime.combine(today, dt.time(12)))


def _date(value: dt.date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


# --- Periods ------------------------------------------------------------------------------------------------------


@transaction.atomic
def create_default_periods(*, plan: Plan, user: User) -> list[ReportingPeriod]:
    """One period per fiscal quarter of the plan ("FY 2025-26 Q1" / "AF 2025-26 T1"), open 14 days before the
    quarter ends and due 15 days after. Idempotent: quarters that already have a period (or overlap one) are
    skipped. Returns the periods created."""
    _require(user, "plans.manage_periods", plan)
    month = plan.organization.fiscal_year_start_month
    first, last = plan.bounds
    existing = list(plan.periods.values_list("starts_on", "ends_on"))
    created = []
    start = first
    while start <= last:
        end = min(period_end(start, QUARTERLY), last)
        if not any(s <= end and start <= e for s, e in existing):
            period = ReportingPeriod(
                plan=plan,
                name_en=period_label(start, QUARTERLY, month, fy_prefix="FY", quarter_prefix="Q"),
                name_es=period_label(start, QUARTERLY, month, fy_prefix="AF", quarter_prefix="T"),
                starts_on=start,
                ends_on=end,
                opens_on=end - dt.timedelta(days=OPENS_BEFORE_END_DAYS),
                due_on=end + dt.timedelta(days=DUE_AFTER_END_DAYS),
            )
            record_change(period, user, _("Created from the fiscal quarters"))
            period.save()
            created.append(period)
        start = next_period(start, QUARTERLY)
    return created


PERIOD_FIELDS = ("name_en", "name_es", "starts_on", "ends_on", "opens_on", "due_on")


def _check_period(plan: Plan, data: dict[str, Any], period: ReportingPeriod | None) -> None:
    starts, ends = data["starts_on"], data["ends_on"]
    opens, due = data["opens_on"], data["due_on"]
    first, last = plan.bounds
    if ends < starts:
        raise ValidationError({"ends_on": _("The period ends before it starts.")})
    if due < opens:
        raise ValidationError({"due_on": _("Updates are due before they open.")})
    if opens < starts:
        raise ValidationError({"opens_on": _("Updates cannot open before the period starts.")})
    if starts < first or ends > last:
        raise ValidationError(
            _("A reporting period must lie inside the plan's period, %(first)s to %(last)s.")
            % {"first": _date(first), "last": _date(last)}
        )
    others = plan.periods.exclude(pk=period.pk if period else None)
    clash = others.filter(starts_on__lte=ends, ends_on__gte=starts).first()
    if clash is not None:
        raise ValidationError(
            _("This period overlaps %(name)s (%(first)s to %(last)s).")
            % {"name": clash.localized("name"), "first": _date(clash.starts_on), "last": _date(clash.ends_on)}
        )


@transaction.atomic
def save_period(
    *, plan: Plan, user: User, data: dict[str, Any], period: ReportingPeriod | None = None
) -> ReportingPeriod:
    """Add or change a period: inside the plan's period, dates in order, no overlap with another period."""
    _require(user, "plans.manage_periods", plan)
    if period is not None and period.plan_id != plan.pk:
        raise ValidationError(_("This period belongs to another plan."))
    values = {name: data[name] for name in PERIOD_FIELDS}
    _check_period(plan, values, period)
    return apply_and_save(period or ReportingPeriod(plan=plan), user=user, data=values)


@transaction.atomic
def delete_period(*, period: ReportingPeriod, user: User) -> None:
    """Remove a period that nobody has written an update for yet."""
    _require(user, "plans.manage_periods", period.plan)
    if period.updates.exists():
        raise ValidationError(
            _("%(name)s already has progress updates, so it cannot be removed.")
            % {"name": period.localized("name")}
        )
    ReminderLog.objects.filter(period=period).delete()
    period.delete()


@transaction.atomic
def set_updates_need_review(*, plan: Plan, user: User, need_review: bool, expected_version: int) -> Plan:
    """Whether the coordinator approves each update before it is published."""
    _require(user, "plans.manage_periods", plan)
    current = Plan.objects.select_for_update().get(pk=plan.pk)
    if current.lock_version != expected_version:
        raise EditConflict(current)
    current.updates_need_review = need_review
    current.lock_version += 1
    reason = (
        _("Progress updates need approval")
        if need_review
        else _("Progress updates are published without approval")
    )
    record_change(current, user, reason)
    current.save()
    return current


# --- Writing an update --------------------------------------------------------------------------------------------


def _locked_update(
    *, action: PlanItem, period: ReportingPeriod, user: User, expected_version: int | None
) -> ProgressUpdate:
    _require(user, "plans.write_update", action)
    if action.level != Level.ACTION or action.is_archived:
        raise ValidationError(_("Progress updates are written for active actions only."))
    if period.plan_id != action.plan_id:
        raise ValidationError(
            _("%(period)s is a reporting period of another plan, not of %(code)s's plan.")
            % {"period": period.localized("name"), "code": action.code}
        )
    update = (
        ProgressUpdate.objects.select_for_update(of=("self",))
        .select_related("period")
        .filter(action=action, period=period)
        .first()
    )
    if update is None:
        return ProgressUpdate(action=action, period=period, lock_version=0)
    if expected_version != update.lock_version:
        raise EditConflict(update)
    if update.state == UpdateState.PUBLISHED:
        raise ValidationError(_("This update is already published; it can no longer be changed."))
    return update


def _apply_content(update: ProgressUpdate, data: dict[str, Any]) -> None:
    status = data.get("status")
    if status is not None and status.plan_id != update.action.plan_id:
        raise ValidationError({"status": _("Choose a status of this plan.")})
    update.status = status
    update.progress = data.get("progress")
    update.narrative_en = (data.get("narrative_en") or "").strip()
    update.narrative_es = (data.get("narrative_es") or "").strip()


def _save(update: ProgressUpdate, user: User, reason: str) -> None:
    update.lock_version += 1
    update.full_clean(validate_unique=False)
    record_change(update, user, reason)
    update.save()


def _add_evidence(update: ProgressUpdate, user: User, data: dict[str, Any]) -> None:
    """The card's optional evidence: a link, a file (checked as on the action plan page), or both (two rows
    with the same title)."""
    upload = data.get("evidence_file")
    if upload:
        try:
            _new_file_evidence(
                action=update.action,
                user=user,
                title=data.get("evidence_title") or "",
                upload=upload,
                update=update,
            )
        except ValidationError as error:
            raise ValidationError({"evidence_file": error.messages}) from error
    url = (data.get("evidence_url") or "").strip()
    if not url:
        return
    link = EvidenceLink(
        action=update.action,
        update=update,
        title=(data.get("evidence_title") or "").strip() or url[:200],
        url=url,
        added_by=user,
    )
    link.full_clean()
    record_change(link, user, _("Given with a progress update"))
    link.save()


def _complete_enough(update: ProgressUpdate) -> dict[str, str]:
    problems = {}
    if update.status is None:
        problems["status"] = _("Choose a status.")
    if update.progress is None:
        problems["progress"] = _("Give the % complete.")
    if not update.narrative_en:
        problems["narrative_en"] = _("Say in a few words what happened (in English).")
    return problems


@transaction.atomic
def save_update_draft(
    *,
    action: PlanItem,
    period: ReportingPeriod,
    user: User,
    data: dict[str, Any],
    expected_version: int | None,
    today: dt.date | None = None,
    with_evidence: bool = True,
) -> ProgressUpdate:
    """Keep what the owner typed. Creates the update on the first save. A sent-back update stays sent back (its
    comment stays in view) and a submitted one stays submitted; without review, adding the Spanish text to a
    submitted update publishes it. Raises EditConflict when someone saved since `expected_version`."""
    update = _locked_update(action=action, period=period, user=user, expected_version=expected_version)
    _apply_content(update, data)
    _save(update, user, _("Draft saved"))
    if with_evidence:
        _add_evidence(update, user, data)
    _publish_if_ready(update, user, today)
    return update


@transaction.atomic
def submit_update(
    *,
    action: PlanItem,
    period: ReportingPeriod,
    user: User,
    data: dict[str, Any],
    expected_version: int | None,
    today: dt.date | None = None,
) -> ProgressUpdate:
    """Hand the update in: it needs a status, a % complete and the English narrative (Spanish may follow).
    Refused before the period opens; accepted after the due date (and shown as late)."""
    today = today or timezone.localdate()
    if today < period.opens_on:
        raise ValidationError(
            _("Updates for %(period)s open on %(date)s. You can save a draft until then.")
            % {"period": period.localized("name"), "date": _date(period.opens_on)}
        )
    update = _locked_update(action=action, period=period, user=user, expected_version=expected_version)
    _apply_content(update, data)
    problems = _complete_enough(update)
    if problems:
        raise ValidationError(problems)
    update.state = UpdateState.SUBMITTED
    update.submitted_at, update.submitted_by = _moment(today), user
    # A resubmission starts a new review; the earlier comment stays in the update's history.
    update.reviewed_at, update.reviewed_by, update.review_comment = None, None, ""
    _save(update, user, _("Submitted"))
    _add_evidence(update, user, data)
    _publish_if_ready(update, user, today)
    return update


def _publish_if_ready(update: ProgressUpdate, user: User, today: dt.date | None) -> None:
    plan = update.action.plan
    if (
        update.state == UpdateState.SUBMITTED
        and not plan.updates_need_review
        and update.narrative_es
        and not _complete_enough(update)
    ):
        _publish(update, user, today)


def _publish(update: ProgressUpdate, user: User, today: dt.date | None) -> None:
    """Show the update to the public and apply its status and % to the action (unless a later period's update
    is already published: an old update handed in late must not turn the action back)."""
    moment = _moment(today)
    period = update.period
    update.state = UpdateState.PUBLISHED
    update.published_at = moment
    _save(update, user, _("Published"))
    action = PlanItem.objects.select_for_update(of=("self",)).get(pk=update.action_id)
    newer = ProgressUpdate.objects.filter(
        action=action, state=UpdateState.PUBLISHED, period__starts_on__gt=period.starts_on
    ).exists()
    if not newer:
        action.status, action.progress = update.status, update.progress
    if action.last_reported_at is None or action.last_reported_at < moment:
        action.last_reported_at = moment
    action.lock_version += 1
    record_change(action, user, _("Progress update %(period)s") % {"period": period.localized("name")})
    action.save()
    recompute_ancestors(action)
    _changed_public_content()


# --- Review -------------------------------------------------------------------------------------------------------


def _locked_for_review(update: ProgressUpdate, user: User, expected_version: int) -> ProgressUpdate:
    _require(user, "plans.review_update", update)
    current = (
        ProgressUpdate.objects.select_for_update(of=("self",))
        .select_related("period", "action", "action__plan")
        .get(pk=update.pk)
    )
    if current.lock_version != expected_version:
        raise EditConflict(current)
    if current.state != UpdateState.SUBMITTED:
        raise ValidationError(_("Only a submitted update can be approved or sent back."))
    return current


@transaction.atomic
def approve_update(
    *,
    update: ProgressUpdate,
    user: User,
    narrative_es: str,
    expected_version: int,
    today: dt.date | None = None,
) -> ProgressUpdate:
    """Approve and publish. Publishing needs the Spanish narrative: the coordinator may type it here."""
    current = _locked_for_review(update, user, expected_version)
    current.narrative_es = (narrative_es or "").strip()
    if not current.narrative_es:
        raise ValidationError(
            {"narrative_es": _("Add the Spanish narrative: the public page shows both languages.")}
        )
    problems = _complete_enough(current)
    if problems:
        raise ValidationError(list(problems.values()))
    current.reviewed_at, current.reviewed_by = _moment(today), user
    _save(current, user, _("Approved"))
    _publish(current, user, today)
    return current


@transaction.atomic
def send_back_update(
    *, update: ProgressUpdate, user: User, comment: str, expected_version: int, today: dt.date | None = None
) -> ProgressUpdate:
    """Return a submitted update to its owner with a comment saying what to change."""
    current = _locked_for_review(update, user, expected_version)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Say what should change: the owner sees this comment.")})
    current.state = UpdateState.RETURNED
    current.review_comment = comment
    current.reviewed_at, current.reviewed_by = _moment(today), user
    _save(current, user, _("Sent back: %(comment)s") % {"comment": comment})
    return current


# --- Reminders ----------------------------------------------------------------------------------------------------


@dataclass
class ReminderReport:
    """What one run of `send_update_reminders` sent (or, in a dry run, would send)."""

    reminders: int = 0
    digests: int = 0
    nothing_due: int = 0
    skipped: int = 0  # people who owe updates but have no e-mail address or an inactive account
    failed: int = 0
    sent: list[tuple[str, str]] = field(default_factory=list)  # (address, subject)


@dataclass
class _Section:
    period: ReportingPeriod
    kind: str
    actions: list[PlanItem]


def _can_receive(user: User | None) -> bool:
    return bool(user and user.is_active and user.email)


def _my_updates_url() -> str:
    return settings.SITE_URL + reverse("staff:my-updates")


def send_update_reminders(*, today: dt.date | None = None, dry_run: bool = False) -> ReminderReport:
    """Mail each owner (or, for actions without one, the active editors of the department) ONE message listing
    what they still owe: 7 days before the due date (once per period) and after it (at most every 7 days), and
    each coordinator a digest of late updates per department (once a day, only when something is late). The
    reminder log makes a second run on the same day send nothing."""
    today = today or timezone.localdate()
    report = ReminderReport()
    periods = update_selectors.periods_in_play(today)
    editors: dict[int, list[User]] = defaultdict(list)
    for editor in User.objects.filter(role=Role.EDITOR, is_active=True, department__isnull=False):
        editors[editor.department_id].append(editor)
    logs = list(
        ReminderLog.objects.filter(period__in=periods).values_list(
            "period_id", "recipient_id", "kind", "sent_on"
        )
    )
    people: dict[int, User] = {}
    responsible: set[int] = set()
    owing: dict[int, list[_Section]] = defaultdict(list)
    late_by_plan: dict[int, tuple[ReportingPeriod, list[PlanItem]]] = {}
    for period in periods:
        kind = _reminder_kind(period, today)
        states = dict(ProgressUpdate.objects.filter(period=period).values_list("action_id", "state"))
        outstanding: dict[int, list[PlanItem]] = defaultdict(list)
        late = []
        actions = update_selectors.owed_actions(period).select_related("owner", "department").order_by("code")
        for action in actions:
            handed_in = states.get(action.pk) in update_selectors.HANDED_IN
            if not handed_in and today > period.due_on:
                late.append(action)
            for person in [action.owner] if action.owner_id else editors.get(action.department_id, []):
                people[person.pk] = person
                responsible.add(person.pk)
                if not handed_in:
                    outstanding[person.pk].append(action)
        if late:
            late_by_plan[period.plan_id] = (period, late)
        if kind is None:
            continue
        for person_id, owed in outstanding.items():
            if not _already_sent(logs, period, person_id, kind, today):
                owing[person_id].append(_Section(period, kind, owed))
    messages: list[tuple[User, EmailMessage, list[ReminderLog]]] = []
    for person_id, sections in owing.items():
        person = people[person_id]
        if not _can_receive(person):
            report.skipped += 1
            continue
        message = _reminder_message(person, sections, today)
        entries = [
            ReminderLog(period=s.period, recipient=person, kind=s.kind, sent_on=today, items=len(s.actions))
            for s in sections
        ]
        messages.append((person, message, entries))
    report.nothing_due = len(responsible - set(owing))
    digest_messages = _digests(late_by_plan, logs, today)
    for person, message, entries in messages + digest_messages:
        if dry_run:
            report.sent.append((person.email, message.subject))
        else:
            try:
                message.send()
            except Exception:  # one bad address must not stop the others
                logger.exception("Could not send a progress-update reminder to %s", person.email)
                report.failed += 1
                continue
            ReminderLog.objects.bulk_create(entries)
            report.sent.append((person.email, message.subject))
        if entries and entries[0].kind == DIGEST:
            report.digests += 1
        else:
            report.reminders += 1
    return report


def _reminder_kind(period: ReportingPeriod, today: dt.date) -> str | None:
    if today > period.due_on:
        return OVERDUE
    if (period.due_on - today).days <= REMIND_BEFORE_DUE_DAYS:
        return BEFORE_DUE
    return None


def _already_sent(
    logs: list[tuple[int, int, str, dt.date]],
    period: ReportingPeriod,
    person_id: int,
    kind: str,
    today: dt.date,
) -> bool:
    for period_id, recipient_id, logged_kind, sent_on in logs:
        if (period_id, recipient_id, logged_kind) != (period.pk, person_id, kind):
            continue
        if kind == BEFORE_DUE:
            return True
        if kind == OVERDUE and (today - sent_on).days < REMIND_OVERDUE_EVERY_DAYS:
            return True
        if kind == DIGEST and sent_on == today:
            return True
    return False


def _reminder_message(person: User, sections: list[_Section], today: dt.date) -> EmailMessage:
    with translation.override(person.language or "en"):
        rows = [
            {
                "period": section.period.localized("name"),
                "due": _date(section.period.due_on),
                "overdue": section.kind == OVERDUE,
                "days_late": (today - section.period.due_on).days,
                "days_left": (section.period.due_on - today).days,
                "actions": [(a.code, a.localized("title")) for a in section.actions],
            }
            for section in sections
        ]
        count = sum(len(section.actions) for section in sections)
        overdue = any(row["overdue"] for row in rows)
        subject = (
            _("Overdue: %(count)s progress updates to write")
            if overdue
            else _("Due soon: %(count)s progress updates to write")
        ) % {"count": count}
        body = render_to_string(
            "plans/email/update_reminder.txt",
            {"person": person, "sections": rows, "url": _my_updates_url()},
        )
    return EmailMessage(subject=subject, body=body, to=[person.email])


def _digests(
    late_by_plan: dict[int, tuple[ReportingPeriod, list[PlanItem]]],
    logs: list[tuple[int, int, str, dt.date]],
    today: dt.date,
) -> list[tuple[User, EmailMessage, list[ReminderLog]]]:
    if not late_by_plan:
        return []
    coordinators = User.objects.filter(
        Q(role=Role.COORDINATOR) | Q(is_superuser=True), is_active=True
    ).exclude(email="")
    result = []
    for person in coordinators.order_by("pk"):
        periods = [
            (period, late)
            for period, late in late_by_plan.values()
            if not _already_sent(logs, period, person.pk, DIGEST, today)
        ]
        if not periods:
            continue
        with translation.override(person.language or "en"):
            blocks = []
            for period, late in periods:
                departments: dict[str, list[PlanItem]] = defaultdict(list)
                for action in late:
                    name = action.department.localized("name") if action.department else _("No department")
                    departments[name].append(action)
                blocks.append(
                    {
                        "period": period.localized("name"),
                        "due": _date(period.due_on),
                        "days_late": (today - period.due_on).days,
                        "departments": [
                            {
                                "name": name,
                                "actions": [
                                    (a.code, a.localized("title"), a.owner.display_name if a.owner else "")
                                    for a in actions
                                ],
                            }
                            for name, actions in sorted(departments.items())
                        ],
                        "url": settings.SITE_URL
                        + reverse(
                            "staff:update-review", kwargs={"plan_id": period.plan_id, "period_id": period.pk}
                        ),
                    }
                )
            count = sum(len(late) for _period, late in periods)
            subject = _("Progress updates: %(count)s late") % {"count": count}
            body = render_to_string("plans/email/late_digest.txt", {"person": person, "blocks": blocks})
        entries = [
            ReminderLog(period=period, recipient=person, kind=DIGEST, sent_on=today, items=len(late))
            for period, late in periods
        ]
        result.append((person, EmailMessage(subject=subject, body=body, to=[person.email]), entries))
    return result
