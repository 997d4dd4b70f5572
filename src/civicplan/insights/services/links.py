"""The evidence chain: themes and input linked to plan elements, and plan elements drafted from a theme."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicplan.core.history import apply_and_save
from civicplan.insights.models import Evidence, LinkRelation, PlanLink, Theme
from civicplan.insights.services import require
from civicplan.plans.models import PlanItem
from civicplan.plans.services import create_item


def _check_item(item: PlanItem, plan_id: int) -> None:
    if item.plan_id != plan_id or item.is_archived:
        raise ValidationError({"item": _("Choose an active element of this plan.")})


def link(
    *,
    item: PlanItem,
    user: Any,
    relation: str,
    theme: Theme | None = None,
    evidence: Evidence | None = None,
    reason: str = "",
) -> PlanLink:
    """Link a theme or one piece of input to a plan element; the same link twice is one link."""
    source = theme or evidence
    if source is None or (theme is not None and evidence is not None):
        raise ValidationError(_("Link either a theme or one piece of input."))
    require(user, "insights.manage_insights", source.plan)
    _check_item(item, source.plan_id)
    if relation not in LinkRelation.values:
        raise ValidationError(_("Choose how they are related."))
    if relation == LinkRelation.OUT_OF_SCOPE and not reason.strip():
        raise ValidationError({"reason": _("Say why it is out of scope: the reason is shown with the link.")})
    existing = PlanLink.objects.filter(
        item=item, theme=theme, evidence=evidence, relation=relation, archived_at__isnull=True
    ).first()
    if existing:
        return existing
    return apply_and_save(
        PlanLink(plan_id=source.plan_id, item=item, theme=theme, evidence=evidence, created_by=user),
        user=user,
        data={"relation": relation, "reason": reason.strip()},
        reason=_("Linked"),
    )


def unlink(*, plan_link: PlanLink, user: Any, reason: str) -> PlanLink:
    require(user, "insights.manage_insights", plan_link.plan)
    return apply_and_save(
        plan_link,
        user=user,
        data={"archived_at": timezone.now(), "archived_by": user, "archive_reason": reason},
        reason=reason,
    )


@transaction.atomic
def draft_from_theme(*, theme: Theme, user: Any, parent: PlanItem | None, data: dict[str, Any]) -> PlanItem:
    """A new element in the plan's working draft (a priority, or a goal, strategy or action under `parent`),
    linked as addressing the theme, so the council sees the evidence behind it before adopting."""
    require(user, "insights.manage_insights", theme.plan)
    if parent is not None:
        _check_item(parent, theme.plan_id)
    reason = _("Drafted from the theme “%(theme)s”") % {"theme": theme.name_en}
    item = create_item(plan=theme.plan, user=user, parent=parent, data=data, reason=reason)
    link(item=item, user=user, relation=LinkRelation.ADDRESSED_BY, theme=theme)
    return item
