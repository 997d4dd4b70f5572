"""Budget cycles and their milestones, and the reminders `send_budget_reminders` mails before each milestone.

A cycle is one turn of the budget process for one fiscal year (annual) or two (biennial); no two cycles share a
fiscal year. Its milestones date the steps; the kick-off and the "department requests due" milestones bound the
request window, so a cycle has at most one of each."""

from __future__ import annotations

import calendar as calendar_module
import datetime as dt
import logging
from collections import Counter
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

from civicplan.accounts.models import Organization, Role, User
from civicplan.budget.models import (
    BudgetCycle,
    BudgetReminderLog,
    BudgetRequest,
    CalendarMilestone,
    MilestoneKind,
    RequestState,
)
from civicplan.budget.selectors.calendar import cycle_label
from civicplan.core.history import apply_and_save, record_change

__all__ = [
    "REMINDED_KINDS",
    "BudgetReminderReport",
    "default_milestones",
    "delete_milestone",
    "save_cycle",
    "save_milestone",
    "send_budget_reminders",
]

logger = logging.getLogger(__name__)

REMIND_BEFORE_DAYS = 7
# Milestones that earn a reminder; editors hear only about the requests deadline (the rest is finance's work).
REMINDED_KINDS = (
    MilestoneKind.REQUESTS_DUE,
    MilestoneKind.STUDY_SESSION,
    MilestoneKind.PROPOSED,
    MilestoneKind.ADOPTION,
    MilestoneKind.MID_YEAR,
)
BEFORE = "before"
TODAY = "today"
# Milestones a cycle holds once at most: they bound the request window.
SINGLE_KINDS = (MilestoneKind.KICKOFF, MilestoneKind.REQUESTS_DUE)


def _require(user: User, perm: str, obj: Any = None) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied(_("You do not have permission to do this."))


def _date(value: dt.date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def _fy(year: int, organization: Organization) -> str:
    from civicplan.budget.selectors.common import fy_label

    return fy_label(year, organization)


# --- Cycles -------------------------------------------------------------------------------------------------------


def _month(first_day: dt.date, months: int, day: int | None) -> dt.date:
    """The `day` (None = last day) of the month `months` away from `first_day`'s month."""
    index = first_day.year * 12 + first_day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    last = calendar_module.monthrange(year, month)[1]
    return dt.date(year, month, min(day or last, last))


def default_milestones(first_fiscal_year: int, years: int, start_month: int = 7) -> list[tuple[str, dt.date]]:
    """The usual calendar of a cycle, as a starting point the person then edits. For a July fiscal year: kick-off
    on 15 January before it, requests due at the end of February, council study session 15 April, proposed budget
    1 May, adoption 15 June, and a mid-year review on 15 February of each fiscal year of the cycle."""
    start = dt.date(first_fiscal_year, start_month, 1)
    result = [
        (str(MilestoneKind.KICKOFF), _month(start, -6, 15)),
        (str(MilestoneKind.REQUESTS_DUE), _month(start, -5, None)),
        (str(MilestoneKind.STUDY_SESSION), _month(start, -3, 15)),
        (str(MilestoneKind.PROPOSED), _month(start, -2, 1)),
        (str(MilestoneKind.ADOPTION), _month(start, -1, 15)),
    ]
    for offset in range(years):
        result.append((str(MilestoneKind.MID_YEAR), _month(start, 12 * offset + 7, 15)))
    return result


def _check_cycle(organization: Organization, first: int, years: int, cycle: BudgetCycle | None) -> None:
    if years not in (1, 2):
        raise ValidationError({"years": _("A budget is annual (1 year) or biennial (2 years).")})
    others = BudgetCycle.objects.filter(organization=organization).exclude(pk=cycle.pk if cycle else None)
    if others.filter(first_fiscal_year=first).exists():
        raise ValidationError(
            {
                "first_fiscal_year": _("There is already a budget cycle for %(year)s.")
                % {"year": _fy(first, organization)}
            }
        )
    wanted = set(range(first, first + years))
    for other in others:
        shared = sorted(wanted & set(other.fiscal_years))
        if shared:
            raise ValidationError(
                {
                    "years": _("%(year)s is already part of the budget cycle %(cycle)s.")
                    % {"year": _fy(shared[0], organization), "cycle": cycle_label(other)}
                }
            )
    if cycle is not None:
        stranded = cycle.requests.exclude(fiscal_year__in=wanted).count()
        if stranded:
            raise ValidationError(
                _(
                    "%(count)s requests of this cycle are for a fiscal year the cycle would no longer include: "
                    "change those requests first."
                )
                % {"count": stranded}
            )


@transaction.atomic
def save_cycle(
    *,
    organization: Organization,
    user: User,
    data: dict[str, Any],
    cycle: BudgetCycle | None = None,
    add_usual_milestones: bool = False,
) -> BudgetCycle:
    """Create or change a cycle (first fiscal year, annual or biennial). A new cycle may start with the usual
    milestones (`default_milestones`). Refuses, in words, a second cycle for a fiscal year."""
    _require(user, "budget.manage_budget")
    first, years = int(data["first_fiscal_year"]), int(data["years"])
    if cycle is not None and cycle.organization_id != organization.pk:
        raise ValidationError(_("This budget cycle belongs to another organization."))
    _check_cycle(organization, first, years, cycle)
    creating = cycle is None
    saved = apply_and_save(
        cycle or BudgetCycle(organization=organization),
        user=user,
        data={"first_fiscal_year": first, "years": years},
        reason=_("Budget cycle created") if creating else _("Budget cycle changed"),
    )
    if creating and add_usual_milestones:
        for kind, day in default_milestones(first, years, organization.fiscal_year_start_month):
            milestone = CalendarMilestone(cycle=saved, kind=kind, date=day)
            record_change(milestone, user, _("Suggested date"))
            milestone.save()
    return saved


# --- Milestones ---------------------------------------------------------------------------------------------------

MILESTONE_FIELDS = ("kind", "title_en", "title_es", "date")


def _check_milestone(cycle: BudgetCycle, values: dict[str, Any], milestone: CalendarMilestone | None) -> None:
    kind, day = values["kind"], values["date"]
    if kind not in MilestoneKind.values:
        raise ValidationError({"kind": _("Choose a kind of milestone.")})
    others = cycle.milestones.exclude(pk=milestone.pk if milestone else None)
    if kind in SINGLE_KINDS:
        twin = others.filter(kind=kind).first()
        if twin is not None:
            raise ValidationError(
                {
                    "kind": _("This cycle already has a “%(kind)s” milestone, on %(date)s: change that one.")
                    % {"kind": twin.get_kind_display(), "date": _date(twin.date)}
                }
            )
    kickoff = day if kind == MilestoneKind.KICKOFF else _date_of(others, str(MilestoneKind.KICKOFF))
    due = day if kind == MilestoneKind.REQUESTS_DUE else _date_of(others, str(MilestoneKind.REQUESTS_DUE))
    if kickoff and due and due < kickoff:
        raise ValidationError(
            {
                "date": _("Requests cannot be due (%(due)s) before the kick-off (%(kickoff)s).")
                % {"due": _date(due), "kickoff": _date(kickoff)}
            }
        )


def _date_of(milestones: Any, kind: str) -> dt.date | None:
    found = milestones.filter(kind=kind).order_by("date").first()
    return found.date if found else None


@transaction.atomic
def save_milestone(
    *, cycle: BudgetCycle, user: User, data: dict[str, Any], milestone: CalendarMilestone | None = None
) -> CalendarMilestone:
    """Add or change a dated step of a cycle. The kick-off and the requests deadline exist once per cycle, in
    that order."""
    _require(user, "budget.manage_budget")
    if milestone is not None and milestone.cycle_id != cycle.pk:
        raise ValidationError(_("This milestone belongs to another budget cycle."))
    values = {name: data.get(name) or "" for name in MILESTONE_FIELDS}
    values["title_en"], values["title_es"] = values["title_en"].strip(), values["title_es"].strip()
    if not values["date"]:
        raise ValidationError({"date": _("Give the date.")})
    _check_milestone(cycle, values, milestone)
    return apply_and_save(
        milestone or CalendarMilestone(cycle=cycle),
        user=user,
        data=values,
        reason=_("Milestone added") if milestone is None else _("Milestone changed"),
    )


@transaction.atomic
def delete_milestone(*, milestone: CalendarMilestone, user: User) -> None:
    """Remove a milestone (its history row keeps who removed it). Reminders already sent for it go with it."""
    _require(user, "budget.manage_budget")
    BudgetReminderLog.objects.filter(milestone=milestone).delete()
    record_change(milestone, user, _("Milestone removed"))
    milestone.delete()


# --- Reminders ----------------------------------------------------------------------------------------------------


@dataclass
class BudgetReminderReport:
    """What one run of `send_budget_reminders` sent (or, in a dry run, would send)."""

    reminders: int = 0
    skipped: int = 0  # people without an e-mail address
    failed: int = 0
    sent: list[tuple[str, str]] = field(default_factory=list)  # (address, subject)


def _reminder_kind(milestone: CalendarMilestone, today: dt.date) -> str | None:
    days = (milestone.date - today).days
    if days == 0:
        return TODAY
    if 0 < days <= REMIND_BEFORE_DAYS:
        return BEFORE
    return None


def _recipients(milestone: CalendarMilestone) -> list[User]:
    """Coordinators and finance staff for every reminded milestone; active editors too for the requests deadline."""
    roles = Q(role__in=[Role.COORDINATOR, Role.FINANCE]) | Q(is_superuser=True)
    if milestone.kind == MilestoneKind.REQUESTS_DUE:
        roles |= Q(role=Role.EDITOR, department__organization_id=milestone.cycle.organization_id)
    return list(User.objects.filter(roles, is_active=True).select_related("department").order_by("pk"))


def _request_counts(cycle: BudgetCycle) -> dict[tuple[int, str], int]:
    rows = BudgetRequest.objects.filter(
        cycle=cycle, state__in=[RequestState.DRAFT, RequestState.SUBMITTED]
    ).values_list("department_id", "state")
    return Counter(rows)


def send_budget_reminders(*, today: dt.date | None = None, dry_run: bool = False) -> BudgetReminderReport:
    """Mail a reminder 7 days before (or, when the milestone was added later, as soon as it is within 7 days) and
    on the day of each reminded milestone. The log makes a second run send nothing for the same milestone, person
    and kind ("before" / "today")."""
    today = today or timezone.localdate()
    report = BudgetReminderReport()
    milestones = (
        CalendarMilestone.objects.filter(
            kind__in=REMINDED_KINDS, date__range=(today, today + dt.timedelta(days=REMIND_BEFORE_DAYS))
        )
        .select_related("cycle__organization")
        .order_by("date", "pk")
    )
    logged = set(
        BudgetReminderLog.objects.filter(milestone__in=milestones).values_list(
            "milestone_id", "recipient_id", "kind"
        )
    )
    for milestone in milestones:
        kind = _reminder_kind(milestone, today)
        if kind is None:
            continue
        counts = _request_counts(milestone.cycle) if milestone.kind == MilestoneKind.REQUESTS_DUE else {}
        for person in _recipients(milestone):
            if (milestone.pk, person.pk, kind) in logged:
                continue
            if not person.email:
                report.skipped += 1
                continue
            message = _reminder_message(person, milestone, kind, today, counts)
            if not dry_run and not _send(message, person):
                report.failed += 1
                continue
            if not dry_run:
                BudgetReminderLog.objects.create(
                    milestone=milestone, recipient=person, kind=kind, sent_on=today
                )
            report.sent.append((person.email, str(message.subject)))
            report.reminders += 1
    return report


def _send(message: EmailMessage, person: User) -> bool:
    try:
        message.send()
    except Exception:  # one bad address must not stop the others
        logger.exception("Could not send a budget reminder to %s", person.email)
        return False
    return True


def _reminder_message(
    person: User, milestone: CalendarMilestone, kind: str, today: dt.date, counts: dict[tuple[int, str], int]
) -> EmailMessage:
    """One mail, in the person's language: the milestone, when, and (for editors, on the requests deadline) their
    department's drafts and submitted requests with the link to their requests."""
    cycle = milestone.cycle
    with translation.override(person.language or "en"):
        label = milestone.label()
        years = cycle_label(cycle)
        is_editor = person.role == Role.EDITOR and person.department_id is not None
        if kind == TODAY:
            subject = _("Today: %(milestone)s (%(years)s)") % {"milestone": label, "years": years}
        else:
            subject = _("In %(days)s days: %(milestone)s (%(years)s)") % {
                "days": (milestone.date - today).days,
                "milestone": label,
                "years": years,
            }
        if is_editor:
            url = settings.SITE_URL + reverse("budget:requests") + f"?cycle={cycle.pk}"
        else:
            url = settings.SITE_URL + reverse("budget:calendar")
        context = {
            "person": person,
            "milestone": label,
            "years": years,
            "date": _date(milestone.date),
            "today": kind == TODAY,
            "days_left": (milestone.date - today).days,
            "is_editor": is_editor,
            "department": person.department.localized("name") if is_editor and person.department else "",
            "drafts": counts.get((person.department_id or 0, str(RequestState.DRAFT)), 0),
            "submitted": counts.get((person.department_id or 0, str(RequestState.SUBMITTED)), 0),
            "requests_due": milestone.kind == MilestoneKind.REQUESTS_DUE,
            "url": url,
        }
        body = render_to_string("budget/email/milestone_reminder.txt", context)
    return EmailMessage(subject=subject, body=body, to=[person.email])
