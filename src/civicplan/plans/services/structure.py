"""Writes. One function per use case: keyword-only arguments, one transaction, a permission check, and a
history record naming who did it and why. Views, commands and the demo loader all come through here."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from civicplan.accounts.models import Department, Organization, User
from civicplan.core.history import apply_and_save, record_change
from civicplan.core.models import ContentGeneration
from civicplan.core.registry import PlanImportProblem, plan_import_extras
from civicplan.plans.defaults import DEFAULT_STATUSES
from civicplan.plans.models import (
    ITEM_CONTENT_FIELDS,
    Level,
    PendingImport,
    Plan,
    PlanItem,
    PlanState,
    PlanVersion,
    Status,
    Value,
    child_level,
    parent_level,
)
from civicplan.plans.rollup import weighted_progress
from civicplan.plans.selectors import iter_document_items, plan_document

STRUCTURE_FIELDS = ("department", "weight")  # only the coordinator changes who owns an item or how it counts


class EditConflict(Exception):
    """Someone saved the item after this person opened it. Carries the current row to show both versions."""

    def __init__(self, current: Any) -> None:
        super().__init__("edit conflict")
        self.current = current


def _require(user: User, perm: str, obj: Any = None) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied(_("You do not have permission to do this."))


def _changed_public_content() -> None:
    # Bumped inside the caller's transaction: readers see the new generation exactly when they see the change.
    ContentGeneration.bump()


# --- Plans and their framing ------------------------------------------------------------------------------------


@transaction.atomic
def update_plan(
    *, plan: Plan, user: User, data: dict[str, Any], expected_version: int, reason: str = ""
) -> Plan:
    _require(user, "plans.manage_plan", plan)
    current = Plan.objects.select_for_update().get(pk=plan.pk)
    if current.lock_version != expected_version:
        raise EditConflict(current)
    current.lock_version += 1
    return apply_and_save(current, user=user, data=data, reason=reason)


@transaction.atomic
def archive_plan(*, plan: Plan, user: User, reason: str) -> Plan:
    """Retire a whole plan (superseded, or an import made by mistake). Its rows and versions stay on record;
    an archived plan is no longer the one staff work on or residents see."""
    _require(user, "plans.manage_plan", plan)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the plan is archived: it is part of the public record.")})
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    plan.state = PlanState.ARCHIVED
    plan.lock_version += 1
    record_change(plan, user, reason)
    plan.save()
    _changed_public_content()
    return plan


@transaction.atomic
def save_value(*, plan: Plan, user: User, data: dict[str, Any], value: Value | None = None) -> Value:
    _require(user, "plans.manage_plan", plan)
    if value is None:
        order = (plan.values.aggregate(top=Max("order"))["top"] or 0) + 1
        value = Value(plan=plan, order=order)
    return apply_and_save(value, user=user, data=data)


@transaction.atomic
def archive_value(*, value: Value, user: User, reason: str) -> None:
    _require(user, "plans.manage_plan", value.plan)
    value.archived_at, value.archived_by, value.archive_reason = timezone.now(), user, reason
    record_change(value, user, reason)
    value.save()


@transaction.atomic
def move_value(*, value: Value, user: User, offset: int) -> None:
    """Move a value up (-1) or down (+1) among the plan's active values: their order is the plan's wording."""
    _require(user, "plans.manage_plan", value.plan)
    values = list(value.plan.values.filter(archived_at__isnull=True).order_by("order", "pk"))
    index = values.index(next(v for v in values if v.pk == value.pk))
    target = max(0, min(len(values) - 1, index + offset))
    values.insert(target, values.pop(index))
    for order, current in enumerate(values, start=1):
        if current.order != order:
            current.order = order
            record_change(current, user, _("Reordered"))
            current.save()


@transaction.atomic
def save_status(*, plan: Plan, user: User, data: dict[str, Any], status: Status | None = None) -> Status:
    _require(user, "plans.manage_plan", plan)
    if status is None:
        order = (plan.statuses.aggregate(top=Max("order"))["top"] or 0) + 1
        status = Status(plan=plan, order=order)
    apply_and_save(status, user=user, data=data)
    recompute_plan_progress(plan)
    _changed_public_content()
    return status


# --- Items --------------------------------------------------------------------------------------------------------


def _next_code(plan: Plan, parent: PlanItem | None) -> tuple[str, int]:
    siblings = plan.items.filter(parent=parent, archived_at__isnull=True)
    prefix = f"{parent.code}." if parent else ""
    numbers = [
        int(code[len(prefix) :])
        for code in siblings.values_list("code", flat=True)
        if code[len(prefix) :].isdigit()
    ]
    order = (siblings.aggregate(top=Max("order"))["top"] or 0) + 1
    return prefix + str(max(numbers, default=0) + 1), order


def _check_dates(data: dict[str, Any]) -> None:
    start, due = data.get("start_date"), data.get("due_date")
    if start and due and due < start:
        raise ValidationError({"due_date": _("The due date is before the start date.")})


def _apply_status_default(item: PlanItem, previous_status_id: int | None, progress_given: bool) -> None:
    status = item.status
    if (
        status
        and status.pk != previous_status_id
        and status.default_progress is not None
        and not progress_given
        and item.level == Level.ACTION
    ):
        item.progress = Decimal(status.default_progress)


@transaction.atomic
def create_item(
    *, plan: Plan, user: User, parent: PlanItem | None, data: dict[str, Any], reason: str = ""
) -> PlanItem:
    _require(user, "plans.add_item", plan)
    level = child_level(parent.level) if parent else Level.PRIORITY
    if level is None:
        raise ValidationError(_("An action cannot have items under it."))
    if parent is not None and (parent.plan_id != plan.pk or parent.is_archived):
        raise ValidationError(_("The parent item is not an active item of this plan."))
    _check_dates(data)
    code, order = _next_code(plan, parent)
    item = PlanItem(plan=plan, parent=parent, level=level, code=code, order=order)
    for name in ITEM_CONTENT_FIELDS:
        if name in data:
            setattr(item, name, data[name])
    _apply_status_default(item, None, data.get("progress") is not None)
    item.full_clean()
    record_change(item, user, reason)
    item.save()
    recompute_ancestors(item)
    _changed_public_content()  # the roll-up of adopted parents may have moved
    return item


@transaction.atomic
def update_item(
    *, item: PlanItem, user: User, data: dict[str, Any], expected_version: int, reason: str = ""
) -> PlanItem:
    """Save an edit made from `expected_version`. Raises EditConflict if someone saved in between."""
    current = PlanItem.objects.select_for_update(of=("self",)).select_related("status").get(pk=item.pk)
    _require(user, "plans.change_item", current)
    if current.lock_version != expected_version:
        raise EditConflict(current)
    if not user.has_perm("plans.manage_plan", current.plan):
        for name in STRUCTURE_FIELDS:
            if name in data and data[name] != getattr(current, name):
                raise PermissionDenied(
                    _("Only the plan coordinator can change the owner department or weight.")
                )
    _check_dates(
        {
            "start_date": data.get("start_date", current.start_date),
            "due_date": data.get("due_date", current.due_date),
        }
    )
    previous_status_id = current.status_id
    previous_progress = current.progress
    for name, value in data.items():
        if name not in ITEM_CONTENT_FIELDS:
            raise ValueError(f"{name} is not an editable field")
        setattr(current, name, value)
    _apply_status_default(
        current, previous_status_id, "progress" in data and data["progress"] != previous_progress
    )
    if current.level != Level.ACTION and current.children.filter(archived_at__isnull=True).exists():
        current.progress = previous_progress  # parents' progress is derived from their children
    current.lock_version += 1
    current.full_clean()
    record_change(current, user, reason)
    current.save()
    recompute_ancestors(current)
    _changed_public_content()
    return current


@transaction.atomic
def move_item(
    *, item: PlanItem, user: User, new_parent: PlanItem | None, position: int | None = None, reason: str = ""
) -> PlanItem:
    """Re-parent and/or reorder an item. Codes of the affected siblings (and their subtrees) follow."""
    _require(user, "plans.move_item", item.plan)
    item = PlanItem.objects.select_for_update().get(pk=item.pk)
    expected_parent_level = parent_level(item.level)
    if (new_parent is None) != (expected_parent_level is None) or (
        new_parent is not None
        and (
            new_parent.level != expected_parent_level
            or new_parent.plan_id != item.plan_id
            or new_parent.is_archived
        )
    ):
        raise ValidationError(
            _("A %(level)s must sit under an active %(parent)s of the same plan.")
            % {
                "level": item.get_level_display().lower(),
                "parent": Level(expected_parent_level).label.lower() if expected_parent_level else "-",
            }
        )
    old_parent = item.parent
    siblings = list(
        item.plan.items.filter(parent=new_parent, archived_at__isnull=True)
        .exclude(pk=item.pk)
        .order_by("order", "pk")
    )
    index = len(siblings) if position is None else max(0, min(position - 1, len(siblings)))
    siblings.insert(index, item)
    item.parent = new_parent
    item.lock_version += 1
    record_change(item, user, reason)
    item.save()
    _renumber(item.plan, new_parent, siblings, user, reason)
    if old_parent != new_parent:
        _renumber(item.plan, old_parent, None, user, reason)
        if old_parent is not None:
            recompute_ancestors(old_parent, include_self=True)
    recompute_ancestors(item)
    _changed_public_content()
    item.refresh_from_db()
    return item


def _renumber(
    plan: Plan, parent: PlanItem | None, ordered: list[PlanItem] | None, user: User, reason: str
) -> None:
    if ordered is None:
        ordered = list(plan.items.filter(parent=parent, archived_at__isnull=True).order_by("order", "pk"))
    prefix = f"{parent.code}." if parent else ""
    for position, sibling in enumerate(ordered, start=1):
        code = prefix + str(position)
        sibling.refresh_from_db(fields=["code", "order", "lock_version"])
        if sibling.code == code and sibling.order == position:
            continue
        code_changed = sibling.code != code
        sibling.code, sibling.order = code, position
        sibling.lock_version += 1
        record_change(sibling, user, reason or _("Renumbered after a move"))
        sibling.save()
        if code_changed:
            _renumber_subtree(sibling, user)


def _renumber_subtree(parent: PlanItem, user: User) -> None:
    for child in parent.children.all():
        suffix = child.code.rsplit(".", 1)[-1]
        code = f"{parent.code}.{suffix}"
        if child.code != code:
            child.code = code
            child.lock_version += 1
            record_change(child, user, _("Code follows its parent"))
            child.save()
            _renumber_subtree(child, user)


@transaction.atomic
def archive_item(*, item: PlanItem, user: User, reason: str) -> PlanItem:
    """Archive an item and everything under it. Codes of the others do not change: residents know them."""
    _require(user, "plans.archive_item", item.plan)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the item is archived: it is part of the public record.")})
    now = timezone.now()
    stack = [item]
    while stack:
        current = stack.pop()
        if current.archived_at is None:
            current.archived_at, current.archived_by, current.archive_reason = now, user, reason
            current.lock_version += 1
            record_change(current, user, reason)
            current.save()
        stack.extend(current.children.filter(archived_at__isnull=True))
    if item.parent_id:
        recompute_ancestors(item.parent, include_self=True)
    _changed_public_content()
    return item


@transaction.atomic
def restore_item(*, item: PlanItem, user: User, reason: str = "") -> PlanItem:
    """Bring an archived item (and what was archived with it) back, at the end of its parent's list."""
    _require(user, "plans.archive_item", item.plan)
    if item.parent is not None and item.parent.is_archived:
        raise ValidationError(_("Restore the parent item %(code)s first.") % {"code": item.parent.code})
    archived_at = item.archived_at
    code, order = _next_code(item.plan, item.parent)
    item.code, item.order = code, order
    stack = [item]
    while stack:
        current = stack.pop()
        current.archived_at, current.archived_by, current.archive_reason = None, None, ""
        current.lock_version += 1
        record_change(current, user, reason or _("Restored"))
        current.save()
        stack.extend(current.children.filter(archived_at=archived_at))
    _renumber_subtree(item, user)
    recompute_ancestors(item, include_self=True)
    _changed_public_content()
    return item


# --- Roll-up ------------------------------------------------------------------------------------------------------


def _rolled_up(parent: PlanItem) -> Decimal | None:
    children = parent.children.filter(archived_at__isnull=True).select_related("status")
    return weighted_progress(
        (child.progress, child.weight)
        for child in children
        if child.status is None or child.status.counts_in_rollup
    )


def recompute_ancestors(item: PlanItem, *, include_self: bool = False) -> None:
    """Recompute progress from `item`'s parent (or itself) up to its priority."""
    current: PlanItem | None = item if include_self else item.parent
    while current is not None:
        if current.children.filter(archived_at__isnull=True).exists():
            progress = _rolled_up(current)
            if progress != current.progress:
                PlanItem.objects.filter(pk=current.pk).update(progress=progress)
        current = current.parent


def recompute_plan_progress(plan: Plan) -> None:
    """Recompute every parent of a plan bottom-up, in one read and one write per changed item."""
    items = list(plan.items.filter(archived_at__isnull=True).select_related("status"))
    children: dict[int, list[PlanItem]] = {}
    for item in items:
        if item.parent_id:
            children.setdefault(item.parent_id, []).append(item)
    by_depth = sorted(
        items, key=lambda i: -[Level.PRIORITY, Level.GOAL, Level.STRATEGY, Level.ACTION].index(i.level)
    )
    changed = []
    for item in by_depth:
        kids = children.get(item.pk)
        if not kids:
            continue
        progress = weighted_progress(
            (kid.progress, kid.weight) for kid in kids if kid.status is None or kid.status.counts_in_rollup
        )
        if progress != item.progress:
            item.progress = progress
            changed.append(item)
    PlanItem.objects.bulk_update(changed, ["progress"], batch_size=500)


# --- Adoption and versions -------------------------------------------------------------------------------------------


def adoption_problems(plan: Plan) -> list[str]:
    """What stops a plan from being adopted (and so published): everything public needs both languages."""
    problems = []
    labels = {"title": _("title"), "mission": _("mission"), "vision": _("vision")}
    for name, label in labels.items():
        english, spanish = getattr(plan, f"{name}_en"), getattr(plan, f"{name}_es")
        if english and not spanish:
            problems.append(_("The plan's %(field)s has no Spanish text.") % {"field": label})
    for value in plan.values.filter(archived_at__isnull=True):
        if not value.name_es or (value.description_en and not value.description_es):
            problems.append(_("The value “%(name)s” has no Spanish text.") % {"name": value.name_en})
    items = plan.items.filter(archived_at__isnull=True).order_by("code")
    for item in items:
        if not item.title_es or (item.description_en and not item.description_es):
            problems.append(
                _("%(code)s “%(title)s” has no Spanish text.") % {"code": item.code, "title": item.title_en}
            )
        elif item.title_es and not item.title_en:
            problems.append(_("%(code)s has no English title.") % {"code": item.code})
    if not items.filter(level=Level.PRIORITY).exists():
        problems.append(_("The plan has no priorities."))
    return problems


@transaction.atomic
def adopt_plan(
    *, plan: Plan, user: User, adopted_on: dt.date, meeting: str, resolution: str, reason: str = ""
) -> PlanVersion:
    """Council adopted the working draft: freeze it as the next version and publish it."""
    _require(user, "plans.adopt_plan", plan)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    problems = adoption_problems(plan)
    if problems:
        raise ValidationError(problems)
    previous = plan.versions.order_by("-number").first()
    if previous is not None:
        if not reason.strip():
            raise ValidationError({"reason": _("An amendment needs a recorded reason.")})
        if adopted_on < previous.adopted_on:
            raise ValidationError(
                {"adopted_on": _("An amendment cannot be adopted before the version it amends.")}
            )
    if not meeting.strip() or not resolution.strip():
        raise ValidationError(_("Record the council meeting and the resolution number."))
    version = PlanVersion.objects.create(
        plan=plan,
        number=(previous.number + 1) if previous else 1,
        adopted_on=adopted_on,
        meeting=meeting.strip(),
        resolution=resolution.strip(),
        reason=reason.strip(),
        snapshot=plan_document(plan, with_ids=True),
        created_by=user,
    )
    plan.state = PlanState.AMENDED if previous else PlanState.ADOPTED
    record_change(plan, user, _("Adopted version %(number)s") % {"number": version.number})
    plan.save()
    _changed_public_content()
    return version


# --- Import -------------------------------------------------------------------------------------------------------


def create_statuses(*, plan: Plan, user: User | None, entries: list[dict[str, Any]]) -> dict[str, Status]:
    """A new plan's status vocabulary, in the given order, from document-shaped entries (see defaults.py)."""
    statuses = {}
    for order, entry in enumerate(entries, start=1):
        status = Status(
            plan=plan,
            order=order,
            key=entry["key"],
            name_en=entry["name"]["en"],
            name_es=entry["name"]["es"],
            color=entry["color"],
            default_progress=entry["default_progress"],
            counts_as_complete=entry["counts_as_complete"],
            counts_in_rollup=entry["counts_in_rollup"],
        )
        record_change(status, user)
        status.save()
        statuses[status.key] = status
    return statuses


PENDING_IMPORT_LIFETIME = dt.timedelta(days=1)


@transaction.atomic
def hold_import(*, user: User, filename: str, data: bytes, purpose: str = "plan") -> PendingImport:
    """Keep a validated upload until its preview is confirmed. Old, unconfirmed uploads are dropped here.
    Another module's upload (`purpose`, e.g. "measurements") is permission-checked by that module's service."""
    _require(user, "plans.import_plan" if purpose == "plan" else "plans.view_draft")
    PendingImport.objects.filter(created_at__lt=timezone.now() - PENDING_IMPORT_LIFETIME).delete()
    return PendingImport.objects.create(
        token=secrets.token_urlsafe(24),
        purpose=purpose,
        filename=filename[:255],
        content=data,
        created_by=user,
    )


@transaction.atomic
def confirm_import(
    *,
    pending: PendingImport,
    user: User,
    document: dict[str, Any],
    organization: Organization,
    extras: dict[str, Any] | None = None,
) -> Plan | None:
    """Import a held upload once; a second confirmation of the same upload finds it gone and returns None."""
    held = PendingImport.objects.select_for_update().filter(pk=pending.pk, created_by=user).first()
    if held is None:
        return None
    plan = import_plan_document(document=document, user=user, organization=organization, extras=extras)
    held.delete()
    return plan


def parse_plan_file(*, filename: str, data: bytes, organization: Organization | None) -> dict[str, Any]:
    """Read and validate a plan file against the city's departments. Raises PlanFileInvalid; writes nothing."""
    from civicplan.accounts.selectors import department_codes
    from civicplan.plans.importers import read_plan_file, validate_document

    return validate_document(read_plan_file(filename, data), known_departments=department_codes(organization))


@dataclass
class ParsedPlanFile:
    document: dict[str, Any]  # validated
    extras: dict[str, Any] = field(default_factory=dict)  # key -> data for core.registry.plan_import_extras()
    extra_counts: dict[str, int] = field(default_factory=dict)  # what the extras will create, for the preview


def _extra_problems(error: PlanImportProblem) -> Any:
    from civicplan.plans.importers import PlanFileInvalid, Problem

    return PlanFileInvalid([Problem(where, message) for where, message in error.problems])


def parse_plan_upload(
    *, filename: str, data: bytes, organization: Organization | None, lang: str | None = None
) -> ParsedPlanFile:
    """Read and validate a plan file and the extras it carries (StratML indicators), writing nothing. `lang` is
    the language of a StratML file's texts. Raises PlanFileInvalid listing every problem with its place."""
    from civicplan.accounts.selectors import department_codes
    from civicplan.plans.importers import read_plan_upload, validate_document

    raw, extras = read_plan_upload(filename, data, lang=lang)
    document = validate_document(raw, known_departments=department_codes(organization))
    counts: dict[str, int] = {}
    handlers = plan_import_extras()
    for key, extra_data in extras.items():
        if key in handlers:
            try:
                found = handlers[key].check(data=extra_data, document=document, organization=organization)
            except PlanImportProblem as error:
                raise _extra_problems(error) from None
            for name, count in found.items():
                counts[name] = counts.get(name, 0) + count
    return ParsedPlanFile(document=document, extras=extras, extra_counts=counts)


@transaction.atomic
def import_plan_document(
    *,
    document: dict[str, Any],
    user: User | None,
    organization: Organization,
    check_permission: bool = True,
    extras: dict[str, Any] | None = None,
) -> Plan:
    """Create a new draft plan from a validated document (importers.validate_document). All or nothing: the
    `extras` the file carried (see ParsedPlanFile) are created by their registered handlers in this same
    transaction, and a PlanFileInvalid from one of them rolls the plan back too. The counts of what the extras
    created are left on `plan.import_extra_counts`."""
    if check_permission:
        if user is None:
            raise PermissionDenied
        _require(user, "plans.import_plan")
    departments = {d.code: d for d in Department.objects.filter(organization=organization)}
    for entry in document.get("departments", []):
        if entry["code"] not in departments:
            department = Department(
                organization=organization,
                code=entry["code"],
                name_en=entry["name"]["en"],
                name_es=entry["name"]["es"],
            )
            record_change(department, user, _("Created by a plan import"))
            department.save()
            departments[department.code] = department
    data = document["plan"]
    plan = Plan(
        organization=organization,
        title_en=data["title"]["en"],
        title_es=data["title"]["es"],
        start_fiscal_year=data["start_fiscal_year"],
        years=data["years"] or 5,
        mission_en=data["mission"]["en"],
        mission_es=data["mission"]["es"],
        vision_en=data["vision"]["en"],
        vision_es=data["vision"]["es"],
    )
    record_change(plan, user, _("Imported"))
    plan.save()
    for order, entry in enumerate(data["values"], start=1):
        value = Value(
            plan=plan,
            order=order,
            name_en=entry["name"]["en"],
            name_es=entry["name"]["es"],
            description_en=entry["description"]["en"],
            description_es=entry["description"]["es"],
        )
        record_change(value, user)
        value.save()
    statuses = create_statuses(plan=plan, user=user, entries=data["statuses"] or DEFAULT_STATUSES)
    level_order: dict[int, int] = {}
    for level, entry, parent in iter_document_items(document):
        siblings_key = id(parent)
        level_order[siblings_key] = level_order.get(siblings_key, 0) + 1
        item = PlanItem(
            plan=plan,
            parent=parent["_saved"] if parent else None,
            level=level,
            code=entry["code"],
            order=level_order[siblings_key],
            title_en=entry["title"]["en"],
            title_es=entry["title"]["es"],
            description_en=entry["description"]["en"],
            description_es=entry["description"]["es"],
            department=departments.get(entry["department"]) if entry["department"] else None,
            lead=entry["lead"],
            start_date=entry["start_date"],
            due_date=entry["due_date"],
            status=statuses.get(entry["status"]) if entry["status"] else None,
            progress=entry["progress"],
            weight=entry["weight"],
        )
        record_change(item, user, _("Imported"))
        item.save()
        entry["_saved"] = item
    items = {}
    for _level, entry, _parent in iter_document_items(document):
        saved = entry.pop("_saved", None)
        if saved is not None:
            items[saved.code] = saved
    recompute_plan_progress(plan)
    counts: dict[str, int] = {}
    handlers = plan_import_extras()
    for key, extra_data in (extras or {}).items():
        if key not in handlers:
            continue
        try:
            found = handlers[key].create(
                data=extra_data, plan=plan, items=items, user=user, check_permission=check_permission
            )
        except PlanImportProblem as error:
            raise _extra_problems(error) from None
        for name, count in found.items():
            counts[name] = counts.get(name, 0) + count
    plan.import_extra_counts = counts
    return plan
