"""Action plans: milestones, owners, contributors, dependencies and evidence (links and attached files).

Every write needs `plans.plan_action` on the action (the coordinator, an editor of the owning department, or the
action's accountable owner) and leaves a history record naming who and why. None of this is on the public site
yet, so these writes do not bump the public content generation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import PurePath
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from civicplan.accounts.models import Role, User
from civicplan.core.history import apply_and_save, record_change
from civicplan.lib.uploads import check_evidence_file
from civicplan.plans.models import EvidenceLink, Level, Milestone, PlanItem, ProgressUpdate

__all__ = [
    "add_dependency",
    "add_evidence_file",
    "add_evidence_link",
    "add_milestone",
    "archive_evidence_link",
    "archive_milestone",
    "check_web_address",
    "mark_milestone_done",
    "remove_dependency",
    "reopen_milestone",
    "set_action_people",
    "update_milestone",
]

_PLAN_ROLES = {Role.COORDINATOR, Role.EDITOR, Role.COUNCIL, Role.VIEWER}
MILESTONE_FIELDS = ("title_en", "title_es", "due_on")


def _require_action(user: User, action: PlanItem) -> None:
    if not user.has_perm("plans.plan_action", action):
        raise PermissionDenied(_("You do not have permission to do this."))
    if action.level != Level.ACTION:
        raise ValidationError(_("Only actions have an action plan."))
    if action.is_archived:
        raise ValidationError(_("This action is archived. Restore it before changing its plan."))


def _locked_action(action: PlanItem) -> PlanItem:
    return PlanItem.objects.select_for_update(of=("self",)).select_related("plan").get(pk=action.pk)


def _check_person(person: User, role_text: str) -> None:
    if not person.is_active or person.role not in _PLAN_ROLES:
        raise ValidationError(
            _("%(name)s cannot be %(role)s: only active staff with a plan role can.")
            % {"name": person.display_name, "role": role_text}
        )


def _save_item_once(item: PlanItem, user: User, reason: str, change: Any) -> None:
    """Run the many-to-many `change`, then save the item once: one history row with the new sets."""
    item.skip_history_when_saving = True
    try:
        change()
    finally:
        del item.skip_history_when_saving
    record_change(item, user, reason)
    item.save(update_fields=["owner", "updated_at"])


# --- Owner and contributors -----------------------------------------------------------------------------------------


@transaction.atomic
def set_action_people(
    *, action: PlanItem, user: User, owner: User | None, contributors: Iterable[User], reason: str = ""
) -> PlanItem:
    """Name the accountable owner (one person, who may work in another department) and the contributors."""
    _require_action(user, action)
    current = _locked_action(action)
    helpers = {person.pk: person for person in contributors}
    if owner is not None:
        _check_person(owner, _("the accountable owner"))
        helpers.pop(owner.pk, None)  # the owner is not also a contributor
    for person in helpers.values():
        _check_person(person, _("a contributor"))
    current.owner = owner
    _save_item_once(current, user, reason, lambda: current.contributors.set(list(helpers.values())))
    return current


# --- Dependencies ---------------------------------------------------------------------------------------------------


def _depends_graph(action: PlanItem) -> dict[int, set[int]]:
    through = PlanItem.depends_on.through
    graph: dict[int, set[int]] = {}
    rows = through.objects.filter(from_planitem__plan_id=action.plan_id).values_list(
        "from_planitem_id", "to_planitem_id"
    )
    for source, target in rows:
        graph.setdefault(source, set()).add(target)
    return graph


def _reaches(graph: dict[int, set[int]], start: int, goal: int) -> bool:
    seen, stack = set(), [start]
    while stack:
        current = stack.pop()
        if current == goal:
            return True
        if current in seen:
            continue
        seen.add(current)
        stack.extend(graph.get(current, ()))
    return False


@transaction.atomic
def add_dependency(*, action: PlanItem, user: User, depends_on: PlanItem, reason: str = "") -> PlanItem:
    """`action` cannot finish before `depends_on`. Both are active actions of the same plan, without a cycle."""
    _require_action(user, action)
    current = _locked_action(action)
    other = depends_on
    if other.pk == current.pk:
        raise ValidationError({"code": _("An action cannot depend on itself.")})
    if other.level != Level.ACTION:
        raise ValidationError(
            {"code": _("%(code)s is not an action: only actions can be waited on.") % {"code": other.code}}
        )
    if other.plan_id != current.plan_id:
        raise ValidationError({"code": _("%(code)s belongs to another plan.") % {"code": other.code}})
    if other.is_archived:
        raise ValidationError({"code": _("%(code)s is archived.") % {"code": other.code}})
    if _reaches(_depends_graph(current), other.pk, current.pk):
        raise ValidationError(
            {
                "code": _("%(other)s already depends on %(this)s, so %(this)s cannot depend on %(other)s.")
                % {"other": other.code, "this": current.code}
            }
        )
    if current.depends_on.filter(pk=other.pk).exists():
        return current
    reason = reason or _("Now depends on %(code)s") % {"code": other.code}
    _save_item_once(current, user, reason, lambda: current.depends_on.add(other))
    return current


@transaction.atomic
def remove_dependency(*, action: PlanItem, user: User, depends_on: PlanItem, reason: str = "") -> PlanItem:
    _require_action(user, action)
    current = _locked_action(action)
    if not current.depends_on.filter(pk=depends_on.pk).exists():
        return current
    reason = reason or _("No longer depends on %(code)s") % {"code": depends_on.code}
    _save_item_once(current, user, reason, lambda: current.depends_on.remove(depends_on))
    return current


# --- Milestones -----------------------------------------------------------------------------------------------------


def _milestone_data(data: dict[str, Any]) -> dict[str, Any]:
    unknown = set(data) - set(MILESTONE_FIELDS)
    if unknown:
        raise ValueError(f"not milestone fields: {sorted(unknown)}")
    cleaned = dict(data)
    for name in ("title_en", "title_es"):
        if name in cleaned:
            cleaned[name] = (cleaned[name] or "").strip()
    if "title_en" in cleaned and not cleaned["title_en"]:
        raise ValidationError({"title_en": _("Give the milestone an English title.")})
    return cleaned


def _live_milestone(milestone: Milestone, user: User) -> Milestone:
    current = Milestone.objects.select_for_update(of=("self",)).select_related("action").get(pk=milestone.pk)
    _require_action(user, current.action)
    if current.is_archived:
        raise ValidationError(_("This milestone is archived."))
    return current


@transaction.atomic
def add_milestone(*, action: PlanItem, user: User, data: dict[str, Any], reason: str = "") -> Milestone:
    """A dated step. The English title is needed; the Spanish one may wait while the plan is a draft."""
    _require_action(user, action)
    data = _milestone_data(data)
    order = (action.milestones.aggregate(top=Max("order"))["top"] or 0) + 1
    return apply_and_save(Milestone(action=action, order=order), user=user, data=data, reason=reason)


@transaction.atomic
def update_milestone(
    *, milestone: Milestone, user: User, data: dict[str, Any], reason: str = ""
) -> Milestone:
    current = _live_milestone(milestone, user)
    return apply_and_save(current, user=user, data=_milestone_data(data), reason=reason)


@transaction.atomic
def mark_milestone_done(
    *, milestone: Milestone, user: User, done_on: dt.date | None = None, today: dt.date | None = None
) -> Milestone:
    """Done on `done_on` (today when not given); a date in the future is refused."""
    current = _live_milestone(milestone, user)
    today = today or timezone.localdate()
    done_on = done_on or today
    if done_on > today:
        raise ValidationError({"done_on": _("The done date cannot be in the future.")})
    current.done_on = done_on
    record_change(current, user, _("Marked done"))
    current.save()
    return current


@transaction.atomic
def reopen_milestone(*, milestone: Milestone, user: User, reason: str = "") -> Milestone:
    """Undo "done": the milestone is open again (and overdue if its due date has passed)."""
    current = _live_milestone(milestone, user)
    current.done_on = None
    record_change(current, user, reason or _("Marked not done"))
    current.save()
    return current


@transaction.atomic
def archive_milestone(*, milestone: Milestone, user: User, reason: str) -> Milestone:
    """Milestones are never deleted: archived with who, when and why."""
    current = _live_milestone(milestone, user)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the milestone is archived: it stays in the record.")})
    current.archived_at, current.archived_by, current.archive_reason = timezone.now(), user, reason.strip()
    record_change(current, user, reason.strip())
    current.save()
    return current


# --- Evidence -------------------------------------------------------------------------------------------------------

_WEB_ADDRESS = URLValidator(schemes=["http", "https"])


def check_web_address(url: str) -> str:
    """A web address people can open safely: http or https only (never javascript:, data:, file:...)."""
    url = (url or "").strip()
    message = _("Enter a web address that starts with http:// or https://.")
    if urlsplit(url).scheme.lower() not in {"http", "https"}:
        raise ValidationError({"url": message})
    try:
        _WEB_ADDRESS(url)
    except ValidationError as error:
        raise ValidationError({"url": message}) from error
    return url


@transaction.atomic
def add_evidence_link(*, action: PlanItem, user: User, title: str, url: str) -> EvidenceLink:
    _require_action(user, action)
    if not (title or "").strip():
        raise ValidationError({"title": _("Give the link a title people will recognise.")})
    link = EvidenceLink(action=action, added_by=user)
    return apply_and_save(
        link,
        user=user,
        data={"title": title.strip(), "url": check_web_address(url)},
        reason=_("Evidence added"),
    )


def _new_file_evidence(
    *, action: PlanItem, user: User, title: str, upload: UploadedFile, update: ProgressUpdate | None = None
) -> EvidenceLink:
    """Check an uploaded file (size, kind by name and by content), store it under a random name in a dated
    folder of MEDIA_ROOT and add the evidence row with its history. The caller checks permission.
    An empty title takes the file's name."""
    original = PurePath(upload.name or "").name.strip()[:255]
    try:
        check_evidence_file(original, upload, size=upload.size or 0, max_bytes=settings.EVIDENCE_MAX_BYTES)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from error
    link = EvidenceLink(
        action=action,
        update=update,
        added_by=user,
        title=((title or "").strip() or original)[:200],
        file_name=original,
        file_size=upload.size or 0,
    )
    link.file.save(original, upload, save=False)
    try:
        link.full_clean()
        record_change(
            link, user, _("Evidence added") if update is None else _("Given with a progress update")
        )
        link.save()
    except Exception:
        link.file.delete(save=False)  # nothing refers to the stored copy
        raise
    return link


@transaction.atomic
def add_evidence_file(*, action: PlanItem, user: User, title: str, upload: UploadedFile) -> EvidenceLink:
    """Attach a file as evidence: PDF, images, Office and OpenDocument files, CSV or text, at most
    EVIDENCE_MAX_BYTES, checked by extension and content. Staff download it; it is never public."""
    _require_action(user, action)
    if not (title or "").strip():
        raise ValidationError({"title": _("Give the file a title people will recognise.")})
    if upload is None:
        raise ValidationError({"file": _("Choose a file to attach.")})
    return _new_file_evidence(action=action, user=user, title=title, upload=upload)


@transaction.atomic
def archive_evidence_link(*, link: EvidenceLink, user: User, reason: str = "") -> EvidenceLink:
    current = EvidenceLink.objects.select_for_update(of=("self",)).select_related("action").get(pk=link.pk)
    _require_action(user, current.action)
    if current.is_archived:
        return current
    reason = reason.strip() or (_("Evidence file removed") if current.file else _("Evidence link removed"))
    current.archived_at, current.archived_by, current.archive_reason = timezone.now(), user, reason
    record_change(current, user, reason)
    current.save()
    return current
