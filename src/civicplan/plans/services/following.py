"""Following a goal by e-mail: double opt-in, one-click unsubscribe, and a digest of what changed.

Safe against using the form to mail strangers: a pending address gets at most one confirmation per hour per goal
and a few per hour overall, a confirmed one gets none; the page says the same thing in every case, so it never
reveals whether an address already follows a goal."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from civicplan.plans.models import GoalFollower, Level, PlanItem
from civicplan.plans.selectors import changes as change_selectors
from civicplan.plans.selectors import following as follow_selectors
from civicplan.plans.selectors import structure as structure_selectors

__all__ = [
    "CONFIRM_VALID_DAYS",
    "FollowReport",
    "confirm_follow",
    "confirm_follow_expired",
    "request_follow",
    "send_goal_updates",
    "unsubscribe",
]

logger = logging.getLogger(__name__)

RESEND_AFTER = dt.timedelta(hours=1)
MAX_PENDING_MAILS_PER_HOUR = 3  # confirmations to one address, all goals together
CONFIRM_VALID_DAYS = 7


def _normalized(email: str) -> str:
    return email.strip().lower()


def _language(language: str | None) -> str:
    language = (language or "en")[:2]
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE[:2]


def _absolute(name: str, language: str, **kwargs: str) -> str:
    with translation.override(language):
        return settings.SITE_URL + reverse(name, kwargs=kwargs)


def request_follow(*, goal: PlanItem, email: str, language: str, now: dt.datetime | None = None) -> bool:
    """Store (or refresh) a pending subscription and mail the confirmation link. Returns whether a mail went
    out; callers must not tell the visitor (same message either way). `goal` must be an adopted public goal."""
    if goal.level != Level.GOAL:
        raise ValueError("Only goals can be followed.")
    now = now or timezone.now()
    email = _normalized(email)
    language = _language(language)
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        follower = GoalFollower.objects.select_for_update().filter(goal=goal, email=email).first()
        if follower is not None and (
            follower.is_confirmed or now - follower.confirmation_sent_at < RESEND_AFTER
        ):
            return False
        recent = GoalFollower.objects.filter(
            email=email, confirmed_at__isnull=True, confirmation_sent_at__gte=now - RESEND_AFTER
        ).count()
        if recent >= MAX_PENDING_MAILS_PER_HOUR:
            return False
        if follower is None:
            try:
                with transaction.atomic():
                    follower = GoalFollower.objects.create(
                        goal=goal,
                        email=email,
                        language=language,
                        token_hash=follow_selectors.hash_token(token),
                        confirmation_sent_at=now,
                    )
            except IntegrityError:  # the same address sent twice at once: the other request mails
                return False
        else:
            follower.language = language
            follower.token_hash = follow_selectors.hash_token(token)
            follower.confirmation_sent_at = now
            follower.save(update_fields=["language", "token_hash", "confirmation_sent_at"])
    message = _confirmation_message(follower, token)
    try:
        message.send()
    except Exception:  # the visitor sees the same page; the log keeps the failure
        logger.exception("Could not send a follow confirmation for goal %s", goal.pk)
        return False
    return True


def _goal_title(goal: PlanItem, language: str) -> str:
    plan = structure_selectors.public_plan(language=language)
    node = plan.by_code.get(goal.code) if plan else None
    return node.title if node and node.id == goal.pk else goal.localized("title", language)


def _confirmation_message(follower: GoalFollower, token: str) -> EmailMessage:
    language = follower.language
    with translation.override(language):
        goal = follower.goal
        context = {
            "code": goal.code,
            "title": _goal_title(goal, language),
            "confirm_url": _absolute("plans:follow-confirm", language, token=token),
            "goal_url": _absolute("plans:goal", language, code=goal.code),
            "days": CONFIRM_VALID_DAYS,
        }
        subject = _("Confirm that you want to follow goal %(code)s") % {"code": goal.code}
        body = render_to_string("plans/email/follow_confirm.txt", context)
    return EmailMessage(subject=subject, body=body, to=[follower.email])


def confirm_follow(*, token: str, now: dt.datetime | None = None) -> GoalFollower | None:
    """Activate the subscription the link names; None for an unknown or expired link. Confirming twice is fine."""
    now = now or timezone.now()
    follower = follow_selectors.follower_by_confirm_token(token)
    if follower is None:
        return None
    if follower.is_confirmed:
        return follower
    if confirm_follow_expired(follower, now=now):
        return None
    follower.confirmed_at = now
    follower.last_notified_at = now  # the first digest tells what changed after this moment
    follower.save(update_fields=["confirmed_at", "last_notified_at"])
    return follower


def confirm_follow_expired(follower: GoalFollower, *, now: dt.datetime | None = None) -> bool:
    return (now or timezone.now()) - follower.confirmation_sent_at > dt.timedelta(days=CONFIRM_VALID_DAYS)


def unsubscribe(*, token: str) -> GoalFollower | None:
    """Delete the subscription the link names (the address is forgotten). None for an unknown link."""
    follower = follow_selectors.follower_by_unsubscribe_token(token)
    if follower is None:
        return None
    follower.delete()
    return follower


@dataclass
class FollowReport:
    sent: list[tuple[str, str]] = field(default_factory=list)  # (address, subject)
    nothing_new: int = 0
    failed: int = 0


def send_goal_updates(*, now: dt.datetime | None = None, dry_run: bool = False) -> FollowReport:
    """E-mail every confirmed follower the progress updates published on their goal since their last notice.
    Safe to run as often as wished: a follower hears about each update once."""
    now = now or timezone.now()
    report = FollowReport()
    plans: dict[str, structure_selectors.PublicPlan | None] = {}
    followers = GoalFollower.objects.filter(confirmed_at__isnull=False).select_related("goal").order_by("pk")
    for follower in followers:
        language = _language(follower.language)
        if language not in plans:
            plans[language] = structure_selectors.public_plan(language=language)
        plan = plans[language]
        node = plan.by_code.get(follower.goal.code) if plan else None
        # A goal no longer in the adopted plan has nothing public to tell.
        if plan is None or node is None or node.id != follower.goal_id:
            report.nothing_new += 1
            continue
        found = change_selectors.goal_changes_since(plan, node, follower.last_notified_at, language=language)
        found = [change for change in found if change.published_at and change.published_at <= now]
        if not found:
            report.nothing_new += 1
            continue
        message = _digest_message(follower, node, found, language)
        if dry_run:
            report.sent.append((follower.email, str(message.subject)))
            continue
        try:
            message.send()
        except Exception:  # one bad address must not stop the others
            logger.exception("Could not send a goal digest to follower %s", follower.pk)
            report.failed += 1
            continue
        GoalFollower.objects.filter(pk=follower.pk).update(last_notified_at=now)
        report.sent.append((follower.email, str(message.subject)))
    return report


def _digest_message(
    follower: GoalFollower,
    goal: structure_selectors.PublicNode,
    found: list[change_selectors.Change],
    language: str,
) -> EmailMessage:
    with translation.override(language):
        unsubscribe_url = _absolute(
            "plans:follow-unsubscribe", language, token=follow_selectors.unsubscribe_token(follower)
        )
        rows = [
            {
                "code": change.action.code,
                "title": change.action.title,
                "period": change.period_name,
                "status": change.status.localized("name", language) if change.status else "",
                "previous_status": change.previous_status.localized("name", language)
                if change.status_changed and change.previous_status
                else "",
                "completed": change.completed,
                "narrative": change.narrative,
            }
            for change in found
        ]
        subject = ngettext(
            "Goal %(code)s: %(count)s new progress update",
            "Goal %(code)s: %(count)s new progress updates",
            len(rows),
        ) % {"code": goal.code, "count": len(rows)}
        body = render_to_string(
            "plans/email/follow_digest.txt",
            {
                "goal": goal,
                "rows": rows,
                "goal_url": _absolute("plans:goal", language, code=goal.code),
                "unsubscribe_url": unsubscribe_url,
            },
        )
    return EmailMessage(
        subject=subject,
        body=body,
        to=[follower.email],
        headers={
            # RFC 2369 and RFC 8058: mail programs offer a one-click unsubscribe that POSTs to this address.
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
