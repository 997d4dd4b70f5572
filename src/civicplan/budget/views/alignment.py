"""Staff pages of budget alignment (namespace `budget`): money by priority and goal, totals by fund and department,
gaps, actions' estimated vs. budgeted vs. actual, budget lines and their links to plan elements, an action's funding
per year, and the budget book workbook. Every plan role reads; the coordinator and finance link lines; whoever
may change an action's funding edits it. Each page runs a fixed number of queries whatever the data's size."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civicplan.accounts.models import Department, Organization
from civicplan.budget import selectors
from civicplan.budget.exporters import XLSX_CONTENT_TYPE, budget_book
from civicplan.budget.forms.alignment import AllocationForm, FundingForm
from civicplan.budget.models import ActionFunding, Allocation, BudgetLine
from civicplan.budget.services.allocations import (
    FundingConflict,
    allocate_line,
    remove_allocation,
    set_action_funding,
)
from civicplan.core.access import require, signed_in_with
from civicplan.core.forms import add_validation_error
from civicplan.lib.charts import Bar, bar_chart
from civicplan.lib.money import format_money, format_money_short
from civicplan.plans.models import Level, Plan, PlanItem
from civicplan.plans.selectors import active_items, current_plan

budget_reader = signed_in_with("budget.view_budget")
LINES_PER_PAGE = 50
OUTSIDE_COLOR = "#a9aeb1"


# --- Shared bits ----------------------------------------------------------------------------------------------


def _organization() -> Organization:
    organization = Organization.current()
    if organization is None:
        raise Http404
    return organization


def _int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


def _filters(request: HttpRequest, organization: Organization) -> dict[str, Any]:
    """The year, kind of amount and transfers a page shows, from the query string, with the choices to offer."""
    years = selectors.budget_years(organization)
    year = selectors.choose_fiscal_year(organization, request.GET.get("year"), years)
    kind = selectors.choose_kind(request.GET.get("kind"))
    return {
        "organization": organization,
        "years": years,
        "year": year,
        "year_label": selectors.fy_label(year, organization),
        "year_choices": [(y, selectors.fy_label(y, organization)) for y in sorted({*years, year})],
        "kind": kind,
        "kind_label": selectors.kind_label(kind),
        "kind_choices": selectors.KIND_CHOICES,
        "net": request.GET.get("net") == "1",
        "has_lines": year in years,
    }


def _empty_tree() -> selectors.PlanTree:
    return selectors.PlanTree(items={}, parent_of={}, children={})


def _priority_chart(money: selectors.PlanMoney, title: str) -> SafeString:
    """Two drawings of the same chart: labels beside the bars from tablet width up, labels above the bars on a
    phone (beside them, a 640-wide chart shrunk to a phone has 6 px text). Only one is displayed (and read)."""
    bars = [
        Bar(f"{row.item.code} {row.item.localized('title')}", float(row.amount)) for row in money.priorities
    ]
    bars.append(Bar(_("Outside the plan"), float(money.outside), OUTSIDE_COLOR))
    description = "; ".join(f"{bar.label}: {format_money(bar.value)}" for bar in bars)
    wide = bar_chart(
        chart_id="money-by-priority",
        title=title,
        description=description,
        bars=bars,
        value_text=format_money_short,
    )
    narrow = bar_chart(
        chart_id="money-by-priority-phone",
        title=title,
        description=description,
        bars=bars,
        value_text=format_money_short,
        width=360,
        labels_above=True,
    )
    # lib.charts escapes every text it draws
    return mark_safe(
        f'<div class="display-none tablet:display-block">{wide}</div><div class="tablet:display-none">{narrow}</div>'
    )


# --- Overview, totals, gaps, actions --------------------------------------------------------------------------


@budget_reader
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """Money by priority and goal for a fiscal year, with the change from the year before."""
    context = _filters(request, _organization())
    plan = current_plan()
    tree = selectors.plan_tree(plan) if plan else _empty_tree()
    money = selectors.plan_money(
        plan,
        context["organization"],
        context["year"],
        kind=context["kind"],
        net_transfers=context["net"],
        tree=tree,
        years=context["years"],
    )
    title = _("%(kind)s budget by priority, %(year)s") % {
        "kind": context["kind_label"],
        "year": context["year_label"],
    }
    context.update(
        plan=plan,
        money=money,
        chart=_priority_chart(money, title),
        chart_title=title,
        previous_label=selectors.fy_label(context["year"] - 1, context["organization"]),
    )
    return render(request, "budget/staff/alignment/overview.html", context)


@budget_reader
@require_GET
def totals(request: HttpRequest) -> HttpResponse:
    context = _filters(request, _organization())
    options = {"kind": context["kind"], "net_transfers": context["net"]}
    context.update(
        by_fund=selectors.budget_totals(context["organization"], context["year"], by="fund", **options),
        by_department=selectors.budget_totals(
            context["organization"], context["year"], by="department", **options
        ),
    )
    return render(request, "budget/staff/alignment/totals.html", context)


@budget_reader
@require_GET
def gaps(request: HttpRequest) -> HttpResponse:
    context = _filters(request, _organization())
    plan = current_plan()
    context["plan"] = plan
    if plan is not None:
        context["gaps"] = selectors.budget_gaps(
            plan, context["organization"], context["year"], kind=context["kind"]
        )
    return render(request, "budget/staff/alignment/gaps.html", context)


@budget_reader
@require_GET
def actions(request: HttpRequest) -> HttpResponse:
    context = _filters(request, _organization())
    plan = current_plan()
    departments = list(Department.objects.filter(organization=context["organization"]).order_by("name_en"))
    department_id = _int(request.GET.get("department"))
    if department_id not in {d.pk for d in departments}:
        department_id = None
    context.update(
        plan=plan,
        departments=departments,
        department_id=department_id,
        can_manage=request.user.has_perm("budget.manage_budget"),
    )
    if plan is not None:
        context["rows"] = selectors.action_money(
            plan, context["organization"], context["year"], department_id=department_id
        )
    return render(request, "budget/staff/alignment/actions.html", context)


# --- Budget lines and their allocations -----------------------------------------------------------------------


@budget_reader
@require_GET
def lines(request: HttpRequest) -> HttpResponse:
    context = _filters(request, _organization())
    organization = context["organization"]
    funds = list(selectors.funds_of(organization))
    departments = list(Department.objects.filter(organization=organization).order_by("name_en"))
    fund_id = _int(request.GET.get("fund"))
    department_id = _int(request.GET.get("department"))
    linked = {"yes": True, "no": False}.get(request.GET.get("linked", ""))
    found = selectors.budget_lines(
        organization, context["year"], fund_id=fund_id, department_id=department_id, linked=linked
    )
    page = Paginator(found, LINES_PER_PAGE).get_page(request.GET.get("page"))
    keep = request.GET.copy()
    keep.pop("page", None)
    context.update(
        funds=funds,
        departments=departments,
        fund_id=fund_id,
        department_id=department_id,
        linked=request.GET.get("linked", ""),
        page=page,
        rows=[selectors.LineRow(line, context["kind"]) for line in page.object_list],
        query=keep.urlencode(),
    )
    return render(request, "budget/staff/alignment/lines.html", context)


def _plan_items(plan: Plan | None) -> list[PlanItem]:
    if plan is None:
        return []
    found = active_items(plan).filter(level__in=[Level.GOAL, Level.STRATEGY, Level.ACTION])
    return sorted(found, key=lambda item: selectors.code_key(item.code))


def _change_initial(request: HttpRequest, line: BudgetLine) -> dict[str, Any]:
    """`?change=<allocation id>` fills the form with that allocation, to change its part."""
    allocation_id = _int(request.GET.get("change"))
    allocation = (
        line.allocations.filter(pk=allocation_id).select_related("item").first() if allocation_id else None
    )
    if allocation is None:
        return {}
    return {
        "item": allocation.item_id,
        "share_percent": format(allocation.share_percent.normalize(), "f")
        if allocation.share_percent
        else None,
        "amount": format(allocation.amount, "f") if allocation.amount is not None else "",
        "note": allocation.note,
    }


@budget_reader
@require_http_methods(["GET", "POST"])
def line(request: HttpRequest, line_id: int) -> HttpResponse:
    """A line, its amounts and its cent-exact split among plan elements; managers link it to more elements."""
    budget_line = get_object_or_404(
        BudgetLine.objects.select_related("fund", "department", "organization"), pk=line_id
    )
    can_manage = request.user.has_perm("budget.manage_budget")
    if request.method == "POST":
        require(request, "budget.manage_budget")
    form = AllocationForm(
        request.POST if request.method == "POST" else None,
        items=_plan_items(current_plan()) if can_manage else [],
        initial=_change_initial(request, budget_line) if can_manage else {},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid() and _allocate(request, budget_line, form):
            return redirect("budget:line", line_id=budget_line.pk)
        status = 400
    context = {
        "line": budget_line,
        "detail": selectors.line_detail(budget_line),
        "form": form,
        "can_manage": can_manage,
        "year_label": selectors.fy_label(budget_line.fiscal_year, budget_line.organization),
        "amounts": [
            (_("Proposed"), budget_line.proposed_amount),
            (_("Adopted"), budget_line.adopted_amount),
            (_("Revised"), budget_line.revised_amount),
            (_("Actual"), budget_line.actual_amount),
        ],
    }
    context["amounts"] = [(label, format_money(value, cents=True)) for label, value in context["amounts"]]
    return render(request, "budget/staff/alignment/line.html", context, status=status)


def _allocate(request: HttpRequest, budget_line: BudgetLine, form: AllocationForm) -> bool:
    element = form.cleaned_data["element"]
    try:
        allocate_line(
            line=budget_line,
            item=element,
            user=request.user,
            share_percent=form.cleaned_data["share_percent"],
            amount=form.cleaned_data["amount"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as error:
        form.add_error(form.part_field(), error)
        return False
    messages.success(request, _("The line is linked to %(code)s.") % {"code": element.code})
    return True


@signed_in_with("budget.manage_budget")
@require_POST
def allocation_delete(request: HttpRequest, allocation_id: int) -> HttpResponse:
    allocation = get_object_or_404(Allocation.objects.select_related("item"), pk=allocation_id)
    line_id, code = allocation.line_id, allocation.item.code
    remove_allocation(allocation=allocation, user=request.user)
    messages.success(request, _("The line is no longer linked to %(code)s.") % {"code": code})
    return redirect("budget:line", line_id=line_id)


# --- An action's funding per fiscal year ----------------------------------------------------------------------


def _funding_year(request: HttpRequest, action: PlanItem, years: list[int]) -> int:
    raw = _int(request.POST.get("year") if request.method == "POST" else request.GET.get("year"))
    if raw in years:
        return raw
    current = selectors.current_fiscal_year(action.plan.organization)
    return current if current in years else years[0]


def _funding_initial(funding: ActionFunding | None, year: int) -> dict[str, Any]:
    if funding is None:
        return {"year": year, "lock_version": 0, "status": "unfunded"}
    return {
        "year": year,
        "lock_version": funding.lock_version,
        "status": funding.status,
        "estimated_cost": format(funding.estimated_cost, "f") if funding.estimated_cost is not None else "",
        "fund": funding.fund_id,
        "note": funding.note,
    }


def _funding_conflict_rows(form: FundingForm, saved: ActionFunding) -> list[dict[str, Any]]:
    mine = form.cleaned_data
    pairs = [
        (
            _("Funding status"),
            dict(form.fields["status"].choices).get(mine["status"]),
            saved.get_status_display(),
        ),
        (
            _("Estimated cost"),
            format_money(mine["estimated_cost"], cents=True),
            format_money(saved.estimated_cost, cents=True),
        ),
        (_("Source fund"), str(mine["fund"] or "–"), str(saved.fund or "–")),
        (_("Note"), mine["note"] or "–", saved.note or "–"),
    ]
    return [{"label": label, "mine": a, "theirs": b, "differs": str(a) != str(b)} for label, a, b in pairs]


@budget_reader
@require_http_methods(["GET", "POST"])
def action_funding(request: HttpRequest, item_id: int) -> HttpResponse:
    """The action's estimated cost, status and fund per year; one year's form. A save made by someone else since
    the form was opened is shown side by side (409) instead of being overwritten."""
    action = get_object_or_404(
        PlanItem.objects.select_related("plan__organization", "department", "parent__parent"),
        pk=item_id,
        level=Level.ACTION,
    )
    require(request, "budget.change_funding", action)
    years = selectors.plan_fiscal_years(action.plan)
    year = _funding_year(request, action, years)
    saved = ActionFunding.objects.filter(action=action, fiscal_year=year).first()
    form = FundingForm(
        request.POST if request.method == "POST" else None,
        initial=_funding_initial(saved, year),
        funds=selectors.funds_of(action.plan.organization),
    )
    conflict, conflict_rows, status = None, [], 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                set_action_funding(
                    action=action,
                    fiscal_year=form.cleaned_data["year"],
                    user=request.user,
                    status=form.cleaned_data["status"],
                    estimated_cost=form.cleaned_data["estimated_cost"],
                    fund=form.cleaned_data["fund"],
                    note=form.cleaned_data["note"],
                    expected_version=form.cleaned_data["lock_version"] or 0,
                )
            except FundingConflict as error:
                conflict, status = error.current, 409
                conflict_rows = _funding_conflict_rows(form, conflict)
                form.data = form.data.copy()  # saving again now replaces the version this person has seen
                form.data["lock_version"] = str(conflict.lock_version)
            except ValidationError as error:
                add_validation_error(form, error)
            else:
                messages.success(
                    request,
                    _("Funding for %(year)s saved.")
                    % {"year": selectors.fy_label(year, action.plan.organization)},
                )
                return redirect(
                    f"{reverse('budget:action-funding', kwargs={'item_id': action.pk})}?year={year}"
                )
    organization = action.plan.organization
    context = {
        "action": action,
        "form": form,
        "year": year,
        "year_label": selectors.fy_label(year, organization),
        "rows": [
            (row, selectors.fy_label(row.fiscal_year, organization))
            for row in selectors.action_funding_years(action)
        ],
        "conflict": conflict,
        "conflict_rows": conflict_rows,
    }
    return render(request, "budget/staff/alignment/funding.html", context, status=status)


# --- The budget book ------------------------------------------------------------------------------------------


@budget_reader
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    organization = _organization()
    filters = _filters(request, organization)
    content = budget_book(current_plan(), organization, filters["year"], kind=filters["kind"])
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    name = filters["year_label"].replace(" ", "")
    response["Content-Disposition"] = f'attachment; filename="budget-book-{name}.xlsx"'
    return response


urlpatterns: list[URLPattern] = [
    path("", overview, name="overview"),
    path("totals/", totals, name="totals"),
    path("gaps/", gaps, name="gaps"),
    path("actions/", actions, name="actions"),
    path("actions/<int:item_id>/funding/", action_funding, name="action-funding"),
    path("lines/", lines, name="lines"),
    path("lines/<int:line_id>/", line, name="line"),
    path("allocations/<int:allocation_id>/delete/", allocation_delete, name="allocation-delete"),
    path("export.xlsx", export, name="export"),
]
