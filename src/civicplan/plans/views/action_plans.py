"""Staff pages for an action's plan (owner, contributors, dependencies, milestones, evidence) and the timelines
per goal and per department. Reading needs `plans.view_draft`; every change needs `plans.plan_action` on the
action. Each small form posts to its own address and comes back to the action plan page (post/redirect/get);
on a mistake the page is shown again with what was typed."""

from __future__ import annotations

import datetime as dt
from pathlib import PurePath
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_http_methods

from civicplan.accounts.models import Department
from civicplan.lib.timeline import TimelineLabels, TimelineMilestone, TimelineRow, date_range, render_timeline
from civicplan.lib.uploads import CONTENT_TYPES
from civicplan.plans import selectors, services
from civicplan.plans.forms import (
    ActionPeopleForm,
    DependencyForm,
    EvidenceFileForm,
    EvidenceLinkForm,
    MilestoneArchiveForm,
    MilestoneDoneForm,
    MilestoneForm,
)
from civicplan.plans.models import EvidenceLink, Level, Milestone, Plan, PlanItem
from civicplan.plans.views.staff import _ancestors, _apply_validation_error, _require, staff_only

TEMPLATES = "plans/staff/action_plans/"


def _today() -> dt.date:
    return timezone.localdate()


def _action(item_id: int) -> PlanItem:
    action = get_object_or_404(
        PlanItem.objects.select_related(
            "plan", "plan__organization", "parent", "department", "status", "owner"
        ),
        pk=item_id,
    )
    if action.level != Level.ACTION:
        raise Http404
    return action


def _back(action: PlanItem, anchor: str = "") -> HttpResponse:
    response = redirect("staff:action-plan", item_id=action.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _people_form(action: PlanItem, data: Any = None) -> ActionPeopleForm:
    return ActionPeopleForm(
        data,
        people=selectors.plan_people(),
        initial={"owner": action.owner_id, "contributors": list(action.contributors.all())},
    )


def _page(request: HttpRequest, action: PlanItem, status: int = 200, **bound: Any) -> HttpResponse:
    """The action plan page; `bound` replaces one empty form with the one that was just posted."""
    can_plan = request.user.has_perm("plans.plan_action", action) and not action.is_archived
    forms = {
        "people_form": bound.get("people_form") or (_people_form(action) if can_plan else None),
        "dependency_form": bound.get("dependency_form") or DependencyForm(),
        "milestone_form": bound.get("milestone_form") or MilestoneForm(prefix="new"),
        "evidence_form": bound.get("evidence_form") or EvidenceLinkForm(prefix="evidence"),
        "evidence_file_form": bound.get("evidence_file_form") or EvidenceFileForm(prefix="evidence-file"),
    }
    context = {
        "plan": action.plan,
        "item": action,
        "ancestors": _ancestors(action),
        "action_plan": selectors.action_plan(action, today=_today()),
        "can_plan": can_plan,
        "candidates": selectors.dependency_candidates(action) if can_plan else [],
        "today": _today(),
        **forms,
    }
    return render(request, TEMPLATES + "page.html", context, status=status)


@staff_only
@require_http_methods(["GET"])
def action_plan(request: HttpRequest, item_id: int) -> HttpResponse:
    return _page(request, _action(item_id))


def _writable(request: HttpRequest, action: PlanItem) -> None:
    _require(request, "plans.plan_action", action)


@staff_only
@require_http_methods(["POST"])
def action_people(request: HttpRequest, item_id: int) -> HttpResponse:
    action = _action(item_id)
    _writable(request, action)
    form = _people_form(action, request.POST)
    if form.is_valid():
        try:
            services.set_action_people(
                action=action,
                user=request.user,
                owner=form.cleaned_data["owner"],
                contributors=form.cleaned_data["contributors"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            _apply_validation_error(form, error)
        else:
            messages.success(request, _("The owner and contributors were saved."))
            return _back(action, "people")
    return _page(request, action, people_form=form)


@staff_only
@require_http_methods(["POST"])
def dependency_add(request: HttpRequest, item_id: int) -> HttpResponse:
    action = _action(item_id)
    _writable(request, action)
    form = DependencyForm(request.POST)
    if form.is_valid():
        code = form.cleaned_data["code"].strip()
        other = selectors.action_by_code(action.plan, code)
        if other is None:
            form.add_error("code", _("No active action of this plan has the code %(code)s.") % {"code": code})
        else:
            try:
                services.add_dependency(action=action, user=request.user, depends_on=other)
            except ValidationError as error:
                _apply_validation_error(form, error)
            else:
                messages.success(
                    request,
                    _("%(this)s now depends on %(other)s.") % {"this": action.code, "other": other.code},
                )
                return _back(action, "dependencies")
    return _page(request, action, dependency_form=form)


@staff_only
@require_http_methods(["POST"])
def dependency_remove(request: HttpRequest, item_id: int, depends_on_id: int) -> HttpResponse:
    action = _action(item_id)
    _writable(request, action)
    other = get_object_or_404(PlanItem, pk=depends_on_id)
    try:
        services.remove_dependency(action=action, user=request.user, depends_on=other)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(this)s no longer depends on %(other)s.") % {"this": action.code, "other": other.code},
        )
    return _back(action, "dependencies")


@staff_only
@require_http_methods(["POST"])
def milestone_new(request: HttpRequest, item_id: int) -> HttpResponse:
    action = _action(item_id)
    _writable(request, action)
    form = MilestoneForm(request.POST, prefix="new")
    if form.is_valid():
        try:
            milestone = services.add_milestone(
                action=action, user=request.user, data=form.content(), reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            _apply_validation_error(form, error)
        else:
            messages.success(
                request, _("The milestone “%(title)s” was added.") % {"title": milestone.title_en}
            )
            return _back(action, "milestones")
    return _page(request, action, milestone_form=form)


def _milestone(milestone_id: int) -> Milestone:
    return get_object_or_404(
        Milestone.objects.select_related("action", "action__plan", "action__department", "action__parent"),
        pk=milestone_id,
    )


@staff_only
@require_http_methods(["GET", "POST"])
def milestone_edit(request: HttpRequest, milestone_id: int) -> HttpResponse:
    milestone = _milestone(milestone_id)
    action = milestone.action
    _writable(request, action)
    if milestone.is_archived:
        raise Http404
    form = MilestoneForm(request.POST or None, instance=milestone)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_milestone(
                milestone=milestone,
                user=request.user,
                data=form.content(),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            _apply_validation_error(form, error)
        else:
            messages.success(request, _("The milestone was saved."))
            return _back(action, "milestones")
    return render(
        request,
        TEMPLATES + "milestone_form.html",
        {
            "plan": action.plan,
            "item": action,
            "ancestors": _ancestors(action),
            "milestone": milestone,
            "form": form,
        },
    )


@staff_only
@require_http_methods(["POST"])
def milestone_done(request: HttpRequest, milestone_id: int) -> HttpResponse:
    """Mark done (on the date given, today by default), or with `undo` mark not done again."""
    milestone = _milestone(milestone_id)
    action = milestone.action
    _writable(request, action)
    form = MilestoneDoneForm(request.POST)
    try:
        if request.POST.get("undo"):
            services.reopen_milestone(milestone=milestone, user=request.user)
            messages.success(request, _("“%(title)s” is marked not done.") % {"title": milestone.title_en})
        elif form.is_valid():
            services.mark_milestone_done(
                milestone=milestone, user=request.user, done_on=form.cleaned_data["done_on"], today=_today()
            )
            messages.success(request, _("“%(title)s” is marked done.") % {"title": milestone.title_en})
        else:
            messages.error(request, _("Enter the done date as a date, for example 2025-09-30."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return _back(action, "milestones")


@staff_only
@require_http_methods(["GET", "POST"])
def milestone_archive(request: HttpRequest, milestone_id: int) -> HttpResponse:
    milestone = _milestone(milestone_id)
    action = milestone.action
    _writable(request, action)
    form = MilestoneArchiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.archive_milestone(
                milestone=milestone, user=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            _apply_validation_error(form, error)
        else:
            messages.success(
                request, _("The milestone “%(title)s” was archived.") % {"title": milestone.title_en}
            )
            return _back(action, "milestones")
    return render(
        request,
        TEMPLATES + "milestone_archive.html",
        {
            "plan": action.plan,
            "item": action,
            "ancestors": _ancestors(action),
            "milestone": milestone,
            "form": form,
        },
    )


@staff_only
@require_http_methods(["POST"])
def evidence_new(request: HttpRequest, item_id: int) -> HttpResponse:
    action = _action(item_id)
    _writable(request, action)
    form = EvidenceLinkForm(request.POST, prefix="evidence")
    if form.is_valid():
        try:
            services.add_evidence_link(
                action=action,
                user=request.user,
                title=form.cleaned_data["title"],
                url=form.cleaned_data["url"],
            )
        except ValidationError as error:
            _apply_validation_error(form, error)
        else:
            messages.success(request, _("The evidence link was added."))
            return _back(action, "evidence")
    return _page(request, action, evidence_form=form)


@staff_only
@require_http_methods(["POST"])
def evidence_file_new(request: HttpRequest, item_id: int) -> HttpResponse:
    action = _action(item_id)
    _writable(request, action)
    form = EvidenceFileForm(request.POST, request.FILES, prefix="evidence-file")
    if form.is_valid():
        try:
            link = services.add_evidence_file(
                action=action,
                user=request.user,
                title=form.cleaned_data["title"],
                upload=form.cleaned_data["file"],
            )
        except ValidationError as error:
            _apply_validation_error(form, error)
        else:
            messages.success(request, _("The file “%(name)s” was attached.") % {"name": link.file_name})
            return _back(action, "evidence")
    return _page(request, action, status=400, evidence_file_form=form)


@staff_only
@require_http_methods(["GET"])
def evidence_file(request: HttpRequest, link_id: int) -> FileResponse:
    """Download an attached file: signed-in staff only, archived evidence included (it stays in the record).
    Always as an attachment, with the type its check gave, never sniffed and never run as a page."""
    link = get_object_or_404(EvidenceLink.objects.select_related("action"), pk=link_id)
    _require(request, "plans.view_draft", link.action)
    if not link.file:
        raise Http404
    try:
        handle = link.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    extension = PurePath(link.file.name).suffix.lower()
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=link.file_name or PurePath(link.file.name).name,
        content_type=CONTENT_TYPES.get(extension, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@staff_only
@require_http_methods(["POST"])
def evidence_archive(request: HttpRequest, link_id: int) -> HttpResponse:
    link = get_object_or_404(EvidenceLink.objects.select_related("action", "action__plan"), pk=link_id)
    _writable(request, link.action)
    try:
        services.archive_evidence_link(
            link=link, user=request.user, reason=request.POST.get("reason", "")[:500]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The evidence “%(title)s” was removed.") % {"title": link.title})
    return _back(link.action, "evidence")


# --- Timelines ------------------------------------------------------------------------------------------------------


def _chart(
    schedule: selectors.Schedule, *, title: str, today: dt.date, fallback: tuple[dt.date, dt.date]
) -> str:
    rows = [
        TimelineRow(
            code=entry.action.code,
            title=entry.action.localized("title"),
            start=entry.action.start_date,
            due=entry.action.due_date,
            progress=float(entry.action.progress) if entry.action.progress is not None else None,
            milestones=tuple(
                TimelineMilestone(
                    title=view.milestone.localized("title"),
                    due=view.milestone.due_on,
                    done=view.done,
                    overdue=view.overdue,
                )
                for view in entry.milestones
            ),
        )
        for entry in schedule.entries
    ]
    start, end = date_range(rows, today, fallback)
    actions, overdue = len(rows), schedule.overdue_count
    desc = ngettext(
        "%(count)s action from %(start)s to %(end)s.", "%(count)s actions from %(start)s to %(end)s.", actions
    ) % {
        "count": actions,
        "start": date_format(start, "YEAR_MONTH_FORMAT"),
        "end": date_format(end, "YEAR_MONTH_FORMAT"),
    }
    desc += " " + ngettext(
        "%(count)s milestone is overdue.", "%(count)s milestones are overdue.", overdue
    ) % {"count": overdue}
    desc += " " + _("The table below the chart lists the same actions and milestones.")
    labels = TimelineLabels(
        title=title,
        desc=desc,
        today=_("Today"),
        no_dates=_("no dates"),
        # Translators: how many milestones of an action are overdue, in a timeline row (any number).
        overdue=pgettext("timeline row", "%(count)s overdue"),
        done=_("done"),
        pending=_("due"),
        overdue_marker=_("overdue"),
        months=[date_format(dt.date(2000, month, 1), "M") for month in range(1, 13)],
    )
    return render_timeline(rows, start=start, end=end, today=today, labels=labels, id_prefix="timeline")


@staff_only
@require_http_methods(["GET"])
def item_timeline(request: HttpRequest, item_id: int) -> HttpResponse:
    item = get_object_or_404(
        PlanItem.objects.select_related("plan", "plan__organization", "parent"), pk=item_id
    )
    if item.level == Level.ACTION:
        raise Http404
    today = _today()
    schedule = selectors.item_timeline(item, today=today)
    title = _("Timeline of the actions under %(code)s %(title)s") % {
        "code": item.code,
        "title": item.localized("title"),
    }
    return render(
        request,
        TEMPLATES + "timeline.html",
        {
            "plan": item.plan,
            "item": item,
            "ancestors": _ancestors(item),
            "heading": title,
            "schedule": schedule,
            "chart": mark_safe(_chart(schedule, title=title, today=today, fallback=item.plan.bounds)),
            "departments": Department.objects.filter(organization_id=item.plan.organization_id),
            "today": today,
        },
    )


@staff_only
@require_http_methods(["GET"])
def department_timeline(request: HttpRequest, department_id: int) -> HttpResponse:
    department = get_object_or_404(Department, pk=department_id)
    raw = request.GET.get("plan", "")
    if raw.isdigit():
        plan = get_object_or_404(Plan.objects.select_related("organization"), pk=int(raw))
    else:
        plan = selectors.current_plan()
        if plan is None:
            raise Http404
    if plan.organization_id != department.organization_id:
        raise Http404
    today = _today()
    schedule = selectors.department_timeline(plan, department, today=today)
    title = _("Timeline of the actions of %(department)s") % {"department": department.localized("name")}
    return render(
        request,
        TEMPLATES + "timeline.html",
        {
            "plan": plan,
            "item": None,
            "department": department,
            "heading": title,
            "schedule": schedule,
            "chart": mark_safe(_chart(schedule, title=title, today=today, fallback=plan.bounds)),
            "departments": Department.objects.filter(organization_id=plan.organization_id),
            "today": today,
        },
    )
