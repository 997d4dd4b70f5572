"""Staff work pages. Each view checks the person's permission on the object, then calls a service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from civicplan.accounts.models import Department, Organization
from civicplan.core.access import require, signed_in_with
from civicplan.core.forms import add_validation_error, read_upload
from civicplan.plans import diff, exporters, selectors, services
from civicplan.plans.forms import (
    AdoptForm,
    ArchiveForm,
    CompareForm,
    ImportForm,
    ItemForm,
    MoveForm,
    PlanForm,
    RestoreForm,
    StatusForm,
    ValueForm,
)
from civicplan.plans.importers import PlanFileInvalid
from civicplan.plans.models import (
    Level,
    PendingImport,
    Plan,
    PlanItem,
    PlanState,
    Status,
    Value,
    parent_level,
)

View = Callable[..., HttpResponse]


# Every staff page: signed in, with a plan role. Object permissions are checked inside each view (`_require`).
staff_only = signed_in_with("plans.view_draft")
_require = require


_apply_validation_error = add_validation_error


def _keep_typed_after_conflict(form: Any, error: services.EditConflict) -> Any:
    """The form keeps what this person typed; saving again is a deliberate choice to replace the other version,
    so the form now names the version they have seen."""
    form.data = form.data.copy()
    form.data["lock_version"] = str(error.current.lock_version)
    return error.current


# --- Plan ----------------------------------------------------------------------------------------------------------


@staff_only
def home(request: HttpRequest) -> HttpResponse:
    """Straight to the plan when there is one to work on; the list when imports or past plans make a choice."""
    plans = list(selectors.staff_plans())
    working = [plan for plan in plans if plan.state != PlanState.ARCHIVED]
    if len(working) == 1 and len(plans) == 1:
        return redirect("staff:plan", plan_id=working[0].pk)
    if not plans:
        return render(request, "plans/staff/no_plan.html", {})
    return redirect("staff:plans")


@staff_only
@require_http_methods(["GET"])
def plan_list(request: HttpRequest) -> HttpResponse:
    public = selectors.public_version()
    return render(
        request,
        "plans/staff/plans.html",
        {
            "plans": selectors.staff_plans_with_versions(),
            "public_plan_id": public.plan_id if public else None,
            "can_manage": request.user.has_perm("plans.manage_plan"),
        },
    )


@staff_only
def plan_archive(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = get_object_or_404(Plan, pk=plan_id)
    _require(request, "plans.manage_plan", plan)
    form = ArchiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.archive_plan(plan=plan, user=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("The plan was archived."))
        return redirect("staff:plans")
    return render(
        request,
        "plans/staff/archive.html",
        {
            "plan": plan,
            "form": form,
            "subject": plan.localized("title"),
            "cancel_url": "staff:plan",
            "cancel_id": plan.pk,
        },
    )


@staff_only
@require_http_methods(["GET"])
def plan_tree(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = get_object_or_404(Plan.objects.select_related("organization"), pk=plan_id)
    departments = list(Department.objects.filter(organization_id=plan.organization_id))
    statuses = selectors.statuses_of(plan)
    department_id = _int_param(request, "department", {d.pk for d in departments})
    status_id = _int_param(request, "status", {s.pk for s in statuses})
    show_archived = request.GET.get("archived") == "1"
    tree = selectors.staff_tree(
        plan, department_id=department_id, status_id=status_id, include_archived=show_archived
    )
    filtered = department_id is not None or status_id is not None
    context = {
        "plan": plan,
        "tree": tree,
        "departments": departments,
        "statuses": statuses,
        "department_id": department_id,
        "status_id": status_id,
        "filtered": filtered,
        "show_archived": show_archived,
        "latest_version": selectors.latest_version(plan),
        "can_manage": request.user.has_perm("plans.manage_plan", plan),
        "open_all": filtered or request.GET.get("open") == "all",
        "my_department_id": getattr(request.user, "department_id", None),
        "stale_ids": selectors.stale_actions(plan).action_ids,  # two queries, whatever the plan's size
    }
    template = "plans/staff/_tree.html" if request.htmx else "plans/staff/plan.html"
    return render(request, template, context)


def _int_param(request: HttpRequest, name: str, allowed: set[int]) -> int | None:
    raw = request.GET.get(name, "")
    return int(raw) if raw.isdigit() and int(raw) in allowed else None


@staff_only
def plan_edit(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = get_object_or_404(Plan, pk=plan_id)
    _require(request, "plans.manage_plan", plan)
    form = PlanForm(request.POST or None, instance=plan, initial={"lock_version": plan.lock_version})
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in PlanForm.Meta.fields}
        try:
            services.update_plan(
                plan=plan,
                user=request.user,
                data=data,
                expected_version=form.cleaned_data["lock_version"],
                reason=form.cleaned_data["reason"],
            )
        except services.EditConflict as error:
            conflict = _keep_typed_after_conflict(form, error)
        except ValidationError as error:
            _apply_validation_error(form, error)
        else:
            messages.success(request, _("The plan was saved."))
            return redirect("staff:plan", plan_id=plan.pk)
    return render(
        request,
        "plans/staff/plan_edit.html",
        {
            "plan": plan,
            "form": form,
            "conflict": conflict,
            "values": plan.values.filter(archived_at__isnull=True),
        },
        status=409 if conflict else 200,
    )


@staff_only
def value_edit(request: HttpRequest, plan_id: int | None = None, value_id: int | None = None) -> HttpResponse:
    value = get_object_or_404(Value.objects.select_related("plan"), pk=value_id) if value_id else None
    plan = value.plan if value else get_object_or_404(Plan, pk=plan_id)
    _require(request, "plans.manage_plan", plan)
    form = ValueForm(request.POST or None, instance=value)
    if request.method == "POST" and form.is_valid():
        services.save_value(plan=plan, user=request.user, value=value, data=form.cleaned_data)
        messages.success(request, _("The value was saved."))
        return redirect("staff:plan-edit", plan_id=plan.pk)
    return render(request, "plans/staff/value_edit.html", {"plan": plan, "form": form, "value": value})


@staff_only
@require_http_methods(["GET", "POST"])
def value_archive(request: HttpRequest, value_id: int) -> HttpResponse:
    value = get_object_or_404(Value.objects.select_related("plan"), pk=value_id)
    _require(request, "plans.manage_plan", value.plan)
    form = ArchiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.archive_value(value=value, user=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("The value was archived."))
        return redirect("staff:plan-edit", plan_id=value.plan_id)
    return render(
        request,
        "plans/staff/archive.html",
        {
            "plan": value.plan,
            "form": form,
            "subject": value.name_en,
            "cancel_url": "staff:plan-edit",
            "cancel_id": value.plan_id,
        },
    )


@staff_only
@require_http_methods(["POST"])
def value_move(request: HttpRequest, value_id: int) -> HttpResponse:
    value = get_object_or_404(Value.objects.select_related("plan"), pk=value_id, archived_at__isnull=True)
    _require(request, "plans.manage_plan", value.plan)
    services.move_value(
        value=value, user=request.user, offset=-1 if request.POST.get("direction") == "up" else 1
    )
    return redirect("staff:plan-edit", plan_id=value.plan_id)


@staff_only
def status_list(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = get_object_or_404(Plan, pk=plan_id)
    return render(
        request,
        "plans/staff/statuses.html",
        {
            "plan": plan,
            "statuses": selectors.statuses_of(plan),
            "can_manage": request.user.has_perm("plans.manage_plan", plan),
        },
    )


@staff_only
def status_edit(
    request: HttpRequest, plan_id: int | None = None, status_id: int | None = None
) -> HttpResponse:
    status = get_object_or_404(Status.objects.select_related("plan"), pk=status_id) if status_id else None
    plan = status.plan if status else get_object_or_404(Plan, pk=plan_id)
    _require(request, "plans.manage_plan", plan)
    form = StatusForm(request.POST or None, instance=status, plan=plan)
    if request.method == "POST" and form.is_valid():
        services.save_status(plan=plan, user=request.user, status=status, data=form.cleaned_data)
        messages.success(request, _("The status was saved."))
        return redirect("staff:statuses", plan_id=plan.pk)
    return render(request, "plans/staff/status_edit.html", {"plan": plan, "form": form, "status_obj": status})


# --- Items ---------------------------------------------------------------------------------------------------------


def _item(item_id: int) -> PlanItem:
    return get_object_or_404(
        PlanItem.objects.select_related("plan", "plan__organization", "parent", "department", "status"),
        pk=item_id,
    )


@staff_only
def item_new(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = get_object_or_404(Plan.objects.select_related("organization"), pk=plan_id)
    _require(request, "plans.add_item", plan)
    parent = None
    parent_id = request.POST.get("parent") or request.GET.get("parent")
    if parent_id:
        parent = get_object_or_404(PlanItem, pk=parent_id, plan=plan, archived_at__isnull=True)
        if parent.level == Level.ACTION:
            raise Http404
    form = ItemForm(request.POST or None, plan=plan, can_manage=True)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.create_item(
                plan=plan,
                user=request.user,
                parent=parent,
                data=form.content(),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            _apply_validation_error(form, error)
        else:
            messages.success(request, _("%(code)s was created.") % {"code": item.code})
            return redirect("staff:item", item_id=item.pk)
    level = Level(parent.level).label if parent else None
    new_level = (
        [Level.GOAL, Level.STRATEGY, Level.ACTION][
            [Level.PRIORITY, Level.GOAL, Level.STRATEGY].index(parent.level)
        ]
        if parent
        else Level.PRIORITY
    )
    return render(
        request,
        "plans/staff/item_form.html",
        {
            "plan": plan,
            "form": form,
            "parent": parent,
            "parent_level": level,
            "new_level_label": Level(new_level).label,
            "item": None,
        },
    )


@staff_only
def item_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _item(item_id)
    children = item.children.select_related("department", "status").order_by("order", "pk")
    user = request.user
    return render(
        request,
        "plans/staff/item.html",
        {
            "plan": item.plan,
            "item": item,
            "children": children.filter(archived_at__isnull=True),
            "child_ids": [child.pk for child in children if child.archived_at is None],
            "archived_children": children.filter(archived_at__isnull=False),
            "ancestors": _ancestors(item),
            "can_change": user.has_perm("plans.change_item", item),
            "can_manage": user.has_perm("plans.manage_plan", item.plan),
        },
    )


def _ancestors(item: PlanItem) -> list[PlanItem]:
    chain = []
    current = item.parent
    while current is not None:
        chain.insert(0, current)
        current = current.parent
    return chain


@staff_only
def item_edit(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _item(item_id)
    _require(request, "plans.change_item", item)
    if item.is_archived:
        messages.error(request, _("Archived items cannot be edited. Restore it first."))
        return redirect("staff:item", item_id=item.pk)
    can_manage = request.user.has_perm("plans.manage_plan", item.plan)
    has_children = item.children.filter(archived_at__isnull=True).exists()
    form = ItemForm(
        request.POST or None,
        instance=item,
        plan=item.plan,
        can_manage=can_manage,
        has_children=has_children,
        initial={"lock_version": item.lock_version},
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.update_item(
                item=item,
                user=request.user,
                data=form.content(),
                expected_version=form.cleaned_data["lock_version"] or 0,
                reason=form.cleaned_data["reason"],
            )
        except services.EditConflict as error:
            conflict = _keep_typed_after_conflict(form, error)
        except ValidationError as error:
            _apply_validation_error(form, error)
        else:
            messages.success(request, _("%(code)s was saved.") % {"code": item.code})
            return redirect("staff:item", item_id=item.pk)
    fields = [(form[name].label, name) for name in ItemForm.Meta.fields]
    return render(
        request,
        "plans/staff/item_form.html",
        {
            "plan": item.plan,
            "form": form,
            "item": item,
            "conflict": conflict,
            "conflict_rows": _conflict_rows(form, conflict, fields) if conflict else [],
        },
        status=409 if conflict else 200,
    )


def _conflict_rows(form: ItemForm, current: PlanItem, fields: list[tuple[str, str]]) -> list[dict[str, Any]]:
    rows = []
    for label, name in fields:
        if form.fields[name].disabled:
            continue
        mine = form.cleaned_data.get(name)
        theirs = getattr(current, name)
        rows.append({"label": label, "mine": _show(mine), "theirs": _show(theirs), "differs": mine != theirs})
    return rows


def _show(value: Any) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, Status | Department):
        return value.localized("name")
    return str(value)


@staff_only
def item_move(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _item(item_id)
    _require(request, "plans.move_item", item.plan)
    wanted = parent_level(item.level)
    if wanted is None:
        choices = [("", _("Top level (priorities)"))]
        candidates: dict[str, PlanItem | None] = {"": None}
    else:
        parents = item.plan.items.filter(level=wanted, archived_at__isnull=True).order_by("code")
        choices = [(str(p.pk), f"{p.code} {p.localized('title')}") for p in parents]
        candidates = {str(p.pk): p for p in parents}
    form = MoveForm(
        request.POST or None,
        choices=choices,
        initial={"parent": str(item.parent_id or ""), "position": item.order},
    )
    if request.method == "POST" and form.is_valid():
        try:
            moved = services.move_item(
                item=item,
                user=request.user,
                new_parent=candidates[form.cleaned_data["parent"]],
                position=form.cleaned_data["position"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            _apply_validation_error(form, error)
        else:
            messages.success(request, _("Moved: the item is now %(code)s.") % {"code": moved.code})
            return redirect("staff:item", item_id=item.pk)
    return render(request, "plans/staff/item_move.html", {"plan": item.plan, "item": item, "form": form})


@staff_only
def item_archive(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _item(item_id)
    _require(request, "plans.archive_item", item.plan)
    form = ArchiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.archive_item(item=item, user=request.user, reason=form.cleaned_data["reason"])
        messages.success(
            request, _("%(code)s was archived. It can be restored from its page.") % {"code": item.code}
        )
        return redirect("staff:item", item_id=item.pk)
    below = item.children.filter(archived_at__isnull=True).count()
    return render(
        request,
        "plans/staff/archive.html",
        {
            "plan": item.plan,
            "form": form,
            "subject": f"{item.code} {item.title_en}",
            "below": below,
            "cancel_url": "staff:item",
            "cancel_id": item.pk,
        },
    )


@staff_only
@require_http_methods(["GET", "POST"])
def item_restore(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _item(item_id)
    _require(request, "plans.archive_item", item.plan)
    if not item.is_archived:
        return redirect("staff:item", item_id=item.pk)
    form = RestoreForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.restore_item(item=item, user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _apply_validation_error(form, error)
        else:
            item.refresh_from_db()
            messages.success(request, _("Restored as %(code)s.") % {"code": item.code})
            return redirect("staff:item", item_id=item.pk)
    return render(request, "plans/staff/restore.html", {"plan": item.plan, "item": item, "form": form})


@staff_only
def item_history(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _item(item_id)
    return render(
        request,
        "plans/staff/item_history.html",
        {
            "plan": item.plan,
            "item": item,
            "entries": selectors.item_history(item),
        },
    )


# --- Adoption and versions -------------------------------------------------------------------------------------------


@staff_only
def adopt(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = get_object_or_404(Plan, pk=plan_id)
    _require(request, "plans.adopt_plan", plan)
    latest = selectors.latest_version(plan)
    form = AdoptForm(request.POST or None)
    problems = services.adoption_problems(plan)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.adopt_plan(plan=plan, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_validation_error(form, error)
        else:
            messages.success(
                request, _("Version %(number)s was adopted and is now public.") % {"number": version.number}
            )
            return redirect("staff:versions", plan_id=plan.pk)
    changes = (
        diff.compare_documents(latest.snapshot, selectors.plan_document(plan, with_ids=True))
        if latest
        else None
    )
    return render(
        request,
        "plans/staff/adopt.html",
        {
            "plan": plan,
            "form": form,
            "latest": latest,
            "problems": problems,
            "changes": changes,
        },
    )


@staff_only
def versions(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = get_object_or_404(Plan, pk=plan_id)
    return render(
        request,
        "plans/staff/versions.html",
        {
            "plan": plan,
            "versions": selectors.versions_of(plan),
            "can_adopt": request.user.has_perm("plans.adopt_plan", plan),
        },
    )


@staff_only
@require_http_methods(["GET"])
def compare(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = get_object_or_404(Plan, pk=plan_id)
    all_versions = list(selectors.versions_of(plan))
    form = CompareForm(request.GET)
    form.is_valid()
    numbers = {str(v.number): v for v in all_versions}
    default_a = (
        str(all_versions[1].number)
        if len(all_versions) > 1
        else (str(all_versions[0].number) if all_versions else "")
    )
    a = form.cleaned_data.get("a") or default_a
    b = form.cleaned_data.get("b") or (str(all_versions[0].number) if len(all_versions) > 1 else "draft")

    def document(key: str) -> dict[str, Any] | None:
        if key == "draft":
            return selectors.plan_document(plan, with_ids=True)
        version = numbers.get(key)
        return version.snapshot if version else None

    old, new = document(a), document(b)
    changes = diff.compare_documents(old, new) if old and new else None
    return render(
        request,
        "plans/staff/compare.html",
        {
            "plan": plan,
            "versions": all_versions,
            "a": a,
            "b": b,
            "changes": changes,
        },
    )


# --- Import and export ---------------------------------------------------------------------------------------------


@staff_only
@require_http_methods(["GET"])
def export(request: HttpRequest, plan_id: int, fmt: str) -> HttpResponse:
    plan = get_object_or_404(Plan, pk=plan_id)
    if fmt not in exporters.CONTENT_TYPES:
        raise Http404
    response = HttpResponse(exporters.export_plan(plan, fmt), content_type=exporters.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="plan-{plan.pk}-draft.{fmt}"'
    return response


@staff_only
def import_upload(request: HttpRequest) -> HttpResponse:
    _require(request, "plans.import_plan")
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: list[Any] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = read_upload(form)
        if data is not None:
            try:
                services.parse_plan_upload(
                    filename=upload.name, data=data, organization=Organization.current()
                )
            except PlanFileInvalid as error:
                problems = error.problems
            else:
                pending = services.hold_import(user=request.user, filename=upload.name, data=data)
                return redirect("staff:import-preview", token=pending.token)
    failed = request.method == "POST"
    return render(
        request,
        "plans/staff/import.html",
        {"form": form, "problems": problems},
        status=400 if failed else 200,
    )


@staff_only
def import_preview(request: HttpRequest, token: str) -> HttpResponse:
    _require(request, "plans.import_plan")
    pending = get_object_or_404(PendingImport, token=token, purpose="plan", created_by=request.user)
    organization = Organization.current()
    try:
        parsed = services.parse_plan_upload(
            filename=pending.filename, data=bytes(pending.content), organization=organization
        )
    except PlanFileInvalid as error:  # the database changed since the upload (e.g. a department was renamed)
        return render(
            request, "plans/staff/import.html", {"form": ImportForm(), "problems": error.problems}, status=400
        )
    if request.method == "POST":
        if organization is None:
            raise Http404
        try:
            plan = services.confirm_import(
                pending=pending,
                user=request.user,
                document=parsed.document,
                organization=organization,
                extras=parsed.extras,
            )
        except PlanFileInvalid as error:  # an indicator the services refuse; the plan was rolled back with it
            return render(
                request,
                "plans/staff/import.html",
                {"form": ImportForm(), "problems": error.problems},
                status=400,
            )
        if plan is None:  # a second click on the same confirm button
            messages.info(request, _("This file was already imported."))
            return redirect("staff:home")
        messages.success(request, _("The plan was imported as a new draft."))
        return redirect("staff:plan", plan_id=plan.pk)
    return render(
        request,
        "plans/staff/import_preview.html",
        {
            "pending": pending,
            "document": parsed.document,
            "summary": _import_summary(parsed.document, organization),
            "extra_counts": parsed.extra_counts,
        },
    )


def _import_summary(document: dict[str, Any], organization: Organization | None) -> dict[str, Any]:
    counts = {level: 0 for level in (Level.PRIORITY, Level.GOAL, Level.STRATEGY, Level.ACTION)}
    for level, _item, _parent in selectors.iter_document_items(document):
        counts[level] += 1
    known = {
        code for code in Department.objects.filter(organization=organization).values_list("code", flat=True)
    }
    return {
        "counts": [(Level(level).label, count) for level, count in counts.items()],
        "new_departments": [d for d in document["departments"] if d["code"] not in known],
        "missing_spanish": sum(
            1 for _l, item, _p in selectors.iter_document_items(document) if not item["title"]["es"]
        ),
    }
