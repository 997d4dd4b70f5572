"""Taking responses: the public survey (rate limit, honeypot, minimum fill time, one response per double click),
the council survey (one response per member, editable while open), the employee survey (one-time invitations with
no link from answer to invitation) and paper questionnaires keyed in by staff."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from civicplan.engagement.models import (
    Audience,
    Channel,
    FollowUpContact,
    Invite,
    Kiosk,
    Response,
    SubmissionAttempt,
    Survey,
    token_digest,
)


class RateLimited(Exception):
    """Too many submissions from one address: answer 429 and keep the person's answers on the page."""


class SurveyNotOpen(ValidationError):  # type: ignore[misc]  # Django is untyped here (no stubs)
    """The survey is a draft, closed or archived: a ValidationError, so forms show it like any other."""


def address_digest(address: str) -> str:
    """Addresses are never stored: a keyed hash tells repeat submissions apart and cannot be reversed."""
    return hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()


def _check_open(survey: Survey) -> None:
    if not survey.is_open:
        raise SurveyNotOpen(_("This survey is not taking responses."))


def _over_limit(ip_hash: str, now: dt.datetime) -> bool:
    window_start = now - dt.timedelta(seconds=settings.SURVEY_SUBMISSION_WINDOW_SECONDS)
    SubmissionAttempt.objects.filter(at__lt=window_start).delete()  # the table only ever holds one window
    recent = SubmissionAttempt.objects.filter(ip_hash=ip_hash, at__gte=window_start).count()
    return recent >= settings.SURVEY_SUBMISSIONS_PER_WINDOW


def answers_edited(survey: Survey) -> None:
    """Mark a survey whose stored answers changed in place, so that cached results are rebuilt (call inside the
    write's transaction). New responses need no mark: the results notice a new last response id and read only
    the new ones."""
    Survey.objects.filter(pk=survey.pk).update(answers_version=F("answers_version") + 1)


def submit_public_response(
    *,
    survey: Survey,
    answers: dict[str, Any],
    language: str,
    address: str,
    idempotency_key: str,
    seconds_taken: float | None,
    honeypot: str = "",
    kiosk: Kiosk | None = None,
    contact: dict[str, str] | None = None,
    now: dt.datetime | None = None,
) -> Response:
    """Store a resident's response. Suspicious ones (honeypot filled, faster than the survey's minimum) are kept but
    flagged and left out of published counts. The same idempotency key twice returns the first response."""
    _check_open(survey)
    if survey.audience != Audience.PUBLIC:
        raise PermissionDenied(_("This survey is not open to the public."))
    now = now or timezone.now()
    existing = Response.objects.filter(survey=survey, idempotency_key=idempotency_key).first()
    if existing:
        return existing
    ip_hash = address_digest(address)
    reasons = []
    if honeypot.strip():
        reasons.append("honeypot")
    if seconds_taken is None or seconds_taken < survey.min_seconds:
        reasons.append("too_fast")
    with transaction.atomic():
        if kiosk is None:
            if _over_limit(ip_hash, now):
                raise RateLimited
            SubmissionAttempt.objects.create(ip_hash=ip_hash, at=now)
        try:
            with transaction.atomic():
                response = Response.objects.create(
                    survey=survey,
                    answers=answers,
                    language=language,
                    channel=Channel.KIOSK if kiosk else Channel.WEB,
                    submitted_on=timezone.localdate(now),
                    flagged=bool(reasons),
                    flag_reasons=",".join(reasons),
                    idempotency_key=idempotency_key or None,
                    ip_hash="" if kiosk else ip_hash,
                )
        except IntegrityError:  # the same key from a second click that raced the first
            return Response.objects.get(survey=survey, idempotency_key=idempotency_key)
        if contact and contact.get("email"):
            FollowUpContact.objects.create(
                survey=survey,
                email=contact["email"],
                name=contact.get("name", ""),
                language=language,
                added_on=timezone.localdate(now),
            )
    return response


@transaction.atomic
def save_council_response(*, survey: Survey, user: Any, answers: dict[str, Any], language: str) -> Response:
    """One response per council member; answering again replaces the answers while the survey is open."""
    _check_open(survey)
    if survey.audience != Audience.COUNCIL or not user.has_perm("engagement.answer_council_survey", survey):
        raise PermissionDenied(_("Only council members answer this survey."))
    response, _created = Response.objects.select_for_update().get_or_create(
        survey=survey,
        respondent=user,
        defaults={"answers": answers, "language": language, "submitted_on": timezone.localdate()},
    )
    if not _created:
        response.answers, response.language, response.submitted_on = answers, language, timezone.localdate()
        response.save(update_fields=["answers", "language", "submitted_on"])
    answers_edited(survey)
    return response


def council_response(survey: Survey, user: Any) -> Response | None:
    return Response.objects.filter(survey=survey, respondent=user).first()


def invite_for(survey: Survey, token: str) -> Invite | None:
    """The unused invitation this secret opens, or None (unknown, used, or another survey's)."""
    if not token or len(token) > 100:
        return None
    return Invite.objects.filter(survey=survey, digest=token_digest(token), used=False).first()


def submit_employee_response(
    *, survey: Survey, token: str, answers: dict[str, Any], language: str
) -> Response:
    """Use the invitation and store the answers, in one transaction. The conditional update makes the token work
    exactly once even when many submissions race; the response gets no reference to it, and only the day."""
    _check_open(survey)
    if survey.audience != Audience.EMPLOYEE:
        raise PermissionDenied(_("This survey does not take invitations."))
    with transaction.atomic():
        used = Invite.objects.filter(survey=survey, digest=token_digest(token), used=False).update(used=True)
        if used != 1:
            raise PermissionDenied(_("This invitation has already been used or does not exist."))
        return Response.objects.create(
            survey=survey, answers=answers, language=language, submitted_on=timezone.localdate()
        )


@transaction.atomic
def enter_paper_response(*, survey: Survey, user: Any, answers: dict[str, Any], language: str) -> Response:
    if not user.has_perm("engagement.enter_input", survey):
        raise PermissionDenied(_("You do not have permission to do this."))
    if survey.audience == Audience.EMPLOYEE:
        # A staff member keying in a colleague's questionnaire would see whose answers they are.
        raise ValidationError(_("Employee survey answers cannot be keyed in by staff."))
    return Response.objects.create(
        survey=survey,
        answers=answers,
        language=language,
        channel=Channel.PAPER,
        submitted_on=timezone.localdate(),
        entered_by=user,
    )


def new_token() -> str:
    return secrets.token_urlsafe(24)  # 192 bits


@transaction.atomic
def create_invites(*, survey: Survey, user: Any, emails: Iterable[str]) -> list[tuple[str, str]]:
    """Invitations for the addresses not invited yet: (email, secret) pairs. The secret is shown or mailed once
    and never stored."""
    if not user.has_perm("engagement.manage_engagement", survey):
        raise PermissionDenied(_("You do not have permission to do this."))
    if survey.audience != Audience.EMPLOYEE:
        raise ValidationError(_("Only employee surveys use invitations."))
    known = set(survey.invites.values_list("email", flat=True))
    created = []
    for email in dict.fromkeys(e.strip().lower() for e in emails if e.strip()):
        if email in known:
            continue
        token = new_token()
        Invite.objects.create(survey=survey, digest=token_digest(token), email=email)
        created.append((email, token))
    return created


def send_invites(*, survey: Survey, invites: list[tuple[str, str]], link_for: Any) -> int:
    """Mail each new invitation its one-time link, in both languages (we do not know the employee's preference)."""
    sent = 0
    for email, token in invites:
        link = link_for(token)
        parts = []
        for language in ("en", "es"):
            with translation.override(language):
                parts.append(
                    _(
                        "You are invited to the %(title)s. Your answers are confidential: they are stored without "
                        "your name or this link, and results are shown only for groups of five or more.\n\n"
                        "Your personal link works once: %(link)s"
                    )
                    % {"title": survey.localized("title", language), "link": link}
                )
        with translation.override("en"):
            subject = _("Your invitation: %(title)s") % {"title": survey.title_en}
        send_mail(subject, "\n\n---\n\n".join(parts), None, [email])
        Invite.objects.filter(survey=survey, digest=token_digest(token)).update(sent_on=timezone.localdate())
        sent += 1
    return sent
