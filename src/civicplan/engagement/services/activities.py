"""The engagement record: activities, the input they produce (comment cards, kiosk comments, council session
outputs) and the kiosks registered for events."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicplan.core.history import apply_and_save, record_change
from civicplan.engagement.models import Activity, ActivityKind, InputChannel, InputItem, Kiosk, token_digest
from civicplan.plans.models import Plan
from civicplan.plans.services import EditConflict

ACTIVITY_FIELDS = (
    "kind",
    "title_en",
    "title_es",
    "date",
    "place",
    "online",
    "languages",
    "audience",
    "attendance",
    "facilitator",
    "summary_en",
    "summary_es",
    "agenda",
    "notes",
    "survey",
)
CARD_FIELDS = ("text", "language", "topic", "district", "age_band")


def _require(user: Any, perm: str, obj: Any = None) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied(_("You do not have permission to do this."))


@transaction.atomic
def create_activity(*, plan: Plan, user: Any, data: dict[str, Any]) -> Activity:
    _require(user, "engagement.manage_engagement", plan)
    return apply_and_save(Activity(plan=plan), user=user, data=data, reason=_("Created"))


@transaction.atomic
def update_activity(*, activity: Activity, user: Any, data: dict[str, Any], lock_version: int) -> Activity:
    _require(user, "engagement.manage_engagement", activity)
    current = Activity.objects.select_for_update().get(pk=activity.pk)
    if current.lock_version != lock_version:
        raise EditConflict(current)
    return apply_and_save(
        current, user=user, data={**data, "lock_version": current.lock_version + 1}, reason=_("Edited")
    )


@transaction.atomic
def add_comment_card(*, activity: Activity, user: Any, data: dict[str, Any]) -> InputItem:
    """One card as staff key it in after an event; the date and channel come from the activity."""
    _require(user, "engagement.enter_input", activity)
    if activity.is_archived:
        raise ValidationError(_("This activity is archived."))
    item = InputItem(
        plan=activity.plan,
        activity=activity,
        channel=InputChannel.COMMENT_CARD,
        received_on=activity.date,
        entered_by=user,
    )
    return apply_and_save(item, user=user, data=data, reason=_("Comment card entered"))


@transaction.atomic
def add_session_output(*, activity: Activity, user: Any, data: dict[str, Any]) -> InputItem:
    """A decision, ranked priority or direction given at a council strategy session."""
    _require(user, "engagement.manage_engagement", activity)
    if activity.kind != ActivityKind.COUNCIL_SESSION:
        raise ValidationError(_("Outputs belong to council strategy sessions."))
    item = InputItem(
        plan=activity.plan,
        activity=activity,
        channel=InputChannel.SESSION_OUTPUT,
        received_on=activity.date,
        entered_by=user,
        language="en",
    )
    return apply_and_save(item, user=user, data=data, reason=_("Session output recorded"))


@transaction.atomic
def archive_input(*, item: InputItem, user: Any, reason: str) -> InputItem:
    """Input is a public record: never deleted, archived with who, when and why."""
    _require(user, "engagement.enter_input", item)
    if not reason.strip():
        raise ValidationError(_("Say why this input is archived."))
    item.archived_at, item.archived_by, item.archive_reason = timezone.now(), user, reason
    record_change(item, user, reason)
    item.save()
    return item


def add_kiosk_comment(
    *, kiosk: Kiosk, text: str, language: str, topic: str = "", district: str = ""
) -> InputItem:
    """A resident types a comment on the event's tablet."""
    if not kiosk.active:
        raise PermissionDenied(_("This kiosk is no longer registered."))
    if not text.strip():
        raise ValidationError({"text": _("Write your comment first.")})
    return InputItem.objects.create(
        plan=kiosk.plan,
        activity=kiosk.activity,
        channel=InputChannel.KIOSK,
        text=text.strip()[:5000],
        language=language,
        topic=topic,
        district=district,
        received_on=kiosk.activity.date if kiosk.activity else timezone.localdate(),
    )


@transaction.atomic
def register_kiosk(*, plan: Plan, user: Any, name: str, activity: Activity | None) -> tuple[Kiosk, str]:
    """A kiosk and the secret that the tablet keeps in a cookie (shown once)."""
    _require(user, "engagement.manage_engagement", plan)
    secret = secrets.token_urlsafe(24)
    kiosk = Kiosk.objects.create(
        plan=plan, activity=activity, name=name or _("Kiosk"), digest=token_digest(secret), registered_by=user
    )
    return kiosk, secret


def kiosk_for(secret: str) -> Kiosk | None:
    if not secret or len(secret) > 100:
        return None
    return Kiosk.objects.filter(digest=token_digest(secret), active=True).select_related("activity").first()


@transaction.atomic
def retire_kiosk(*, kiosk: Kiosk, user: Any) -> None:
    _require(user, "engagement.manage_engagement", kiosk.plan)
    kiosk.active = False
    kiosk.save(update_fields=["active", "updated_at"])


def today() -> dt.date:
    return timezone.localdate()
