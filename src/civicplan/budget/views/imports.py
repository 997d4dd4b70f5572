"""Staff pages for budget data (namespace `budget`): budget files (upload, preview with the mapping of unknown
department and fund names, all-or-nothing import, the CSV template), funds, and the confirmed name mappings.
Each view checks the person's permission, then calls a service."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from civicplan.accounts.models import Department, Organization
from civicplan.budget.forms.funds import FundForm
from civicplan.budget.forms.imports import BudgetFileForm, MappingForm
from civicplan.budget.importers.budget_files import BudgetFileInvalid, read_budget_file
from civicplan.budget.models import BudgetLine, Fund, NameMapping
from civicplan.budget.selectors.common import funds_of, fy_label
from civicplan.budget.services.funds import forget_mapping, save_fund
from civicplan.budget.services.imports import (
    BUDGET_PURPOSE,
    BudgetImportRefused,
    BudgetPreview,
    confirm_budget_import,
    hold_budget_file,
    preview_budget_file,
)
from civicplan.core.access import signed_in_with
from civicplan.core.forms import add_validation_error, read_upload
from civicplan.lib.fiscal import fiscal_year_label
from civicplan.lib.money import format_money
from civicplan.lib.spreadsheets import safe_cell
from civicplan.plans.models import PendingImport
from civicplan.plans.selectors import current_plan

budget_manager = signed_in_with("budget.manage_budget")
budget_reader = signed_in_with("budget.view_budget")

TEMPLATE_COLUMNS = [
    "fiscal_year",
    "fund",
    "department",
    "program",
    "account",
    "description",
    "amount",
    "kind",
]


def _organization() -> Organization:
    organization = Organization.current()
    if organization is None:
        raise Http404
    return organization


def _fund_from(raw: str | None, organization: Organization) -> Fund | None:
    if not raw or not raw.isdigit():
        return None
    return Fund.objects.filter(pk=int(raw), organization=organization).first()


# --- Budget files ---------------------------------------------------------------------------------------------


@budget_manager
def upload(request: HttpRequest) -> HttpResponse:
    """Upload a budget file. A file that cannot be read at all is refused here, beside the field; row problems
    and names to map are shown on the preview."""
    organization = _organization()
    form = BudgetFileForm(request.POST or None, request.FILES or None, funds=funds_of(organization))
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = read_upload(form)
        if data is not None:
            try:
                read_budget_file(
                    upload.name, data, fiscal_year_start_month=organization.fiscal_year_start_month
                )
            except BudgetFileInvalid as error:
                form.add_error("file", " ".join(problem.message for problem in error.errors))
            else:
                pending = hold_budget_file(user=request.user, filename=upload.name, data=data)
                url = reverse("budget:import-preview", kwargs={"token": pending.token})
                fund = form.cleaned_data["fund"]
                return redirect(f"{url}?fund={fund.pk}" if fund else url)
    return render(
        request,
        "budget/staff/imports/upload.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@budget_manager
def preview(request: HttpRequest, token: str) -> HttpResponse:
    """The preview of a held file (only for whoever uploaded it). GET shows it; POST "update" recomputes it with
    the person's mapping choices; POST "import" writes it, all or nothing, if the choices are the ones previewed."""
    pending = PendingImport.objects.filter(token=token, purpose=BUDGET_PURPOSE).first()
    if pending is None:
        raise Http404
    if pending.created_by_id != request.user.pk:
        raise PermissionDenied
    organization = _organization()
    source = request.POST if request.method == "POST" else request.GET
    fund = _fund_from(source.get("fund"), organization)
    choices = {key: str(value) for key, value in request.POST.items() if key.startswith("map-")}
    context = {"organization": organization, "fund": fund, "choices": choices}
    result = preview_budget_file(
        organization=organization,
        plan=current_plan(),
        user=request.user,
        filename=pending.filename,
        data=bytes(pending.content),
        fund=fund,
        choices=choices,
    )
    if request.method != "POST" or request.POST.get("action") != "import":
        return _render_preview(request, pending, result)
    if request.POST.get("seen") != result.choices_signature:
        messages.warning(
            request,
            _("You changed the choices since the preview: check the preview below, then import again."),
        )
        return _render_preview(request, pending, result)
    if not result.ok:
        return _render_preview(request, pending, result, status=400)
    return _import(request, pending, context)


def _import(request: HttpRequest, pending: PendingImport, context: dict[str, Any]) -> HttpResponse:
    try:
        result = confirm_budget_import(
            pending=pending,
            organization=context["organization"],
            plan=current_plan(),
            user=request.user,
            fund=context["fund"],
            choices=context["choices"],
        )
    except BudgetImportRefused as refused:  # the data changed since the preview
        return _render_preview(request, pending, refused.preview, status=400)
    if result is None:  # a second click on the same button
        messages.info(request, _("This file was already imported."))
    else:
        messages.success(
            request,
            _("Imported %(name)s: %(new)s new lines, %(changed)s changed, %(unchanged)s already there.")
            % {
                "name": result.filename,
                "new": result.new,
                "changed": result.changed,
                "unchanged": result.unchanged,
            },
        )
    return redirect(_after_import_url())


def _after_import_url() -> str:
    try:
        return reverse("budget:lines")
    except NoReverseMatch:  # the budget lines page is not there: back to the upload page
        return reverse("budget:import")


def _render_preview(
    request: HttpRequest, pending: PendingImport, result: BudgetPreview, status: int = 200
) -> HttpResponse:
    organization = result.organization
    form = MappingForm(
        request.POST if request.method == "POST" else None,
        preview=result,
        departments=Department.objects.filter(organization=organization).order_by("name_en"),
        funds=funds_of(organization) if organization else Fund.objects.none(),
    )
    if form.is_bound:
        form.is_valid()  # a choice that is not on the list shows its error beside the select
    return render(
        request,
        "budget/staff/imports/preview.html",
        {"pending": pending, "preview": result, "form": form},
        status=status,
    )


@budget_manager
@require_GET
def template(request: HttpRequest) -> HttpResponse:
    """A CSV template in the long shape, with two example rows of the city's first fund and department."""
    organization = _organization()
    plan = current_plan()
    year = plan.start_fiscal_year if plan else 2025
    fund = funds_of(organization).first()
    department = Department.objects.filter(organization=organization).order_by("name_en").first()
    fund_text = f"{fund.code} - {fund.name_en}" if fund else "100 - General Fund"
    department_text = department.name_en if department else "Public Works"
    label = fiscal_year_label(year, organization.fiscal_year_start_month)  # "FY" in every language: files are
    rows = [
        [
            label,
            fund_text,
            department_text,
            "Streets",
            "5100 Salaries",
            "Street maintenance crew",
            "1250000",
            "adopted",
        ],
        [
            label,
            fund_text,
            department_text,
            "Streets",
            "5300 Contract services",
            "Pavement repair",
            "(25,000)",
            "revised",
        ],
    ]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(TEMPLATE_COLUMNS)
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    response = HttpResponse(buffer.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="budget-template.csv"'
    return response


# --- Funds ----------------------------------------------------------------------------------------------------


@budget_reader
def funds(request: HttpRequest) -> HttpResponse:
    """Every fund with its lines and adopted total per fiscal year; the coordinator and finance add funds here."""
    organization = _organization()
    may_manage = request.user.has_perm("budget.manage_budget")
    if request.method == "POST" and not may_manage:
        raise PermissionDenied
    form = FundForm(request.POST or None, organization=organization) if may_manage else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            fund = save_fund(organization=organization, user=request.user, data=form.cleaned_data)
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(request, _("Fund %(fund)s was added.") % {"fund": fund})
            return redirect("budget:funds")
    context = {"form": form, "may_manage": may_manage, **_fund_table(organization)}
    status = 400 if request.method == "POST" else 200
    return render(request, "budget/staff/funds/list.html", context, status=status)


def _fund_table(organization: Organization) -> dict[str, Any]:
    """One row per fund, one column per fiscal year with lines: two queries whatever the number of lines."""
    funds = list(funds_of(organization))
    totals = (
        BudgetLine.objects.filter(organization=organization)
        .values("fund_id", "fiscal_year")
        .annotate(lines=Count("pk"), adopted=Sum("adopted_amount"))
        .order_by()
    )
    by_fund: dict[tuple[int, int], dict[str, Any]] = {}
    years: set[int] = set()
    for entry in totals:
        by_fund[(entry["fund_id"], entry["fiscal_year"])] = entry
        years.add(entry["fiscal_year"])
    ordered = sorted(years)
    rows = []
    for fund in funds:
        cells = []
        for year in ordered:
            entry = by_fund.get((fund.pk, year))
            cells.append(
                {
                    "year": fy_label(year, organization),  # the cell's label when the table stacks on a phone
                    "lines": entry["lines"] if entry else 0,
                    "adopted": format_money(entry["adopted"])
                    if entry and entry["adopted"] is not None
                    else "—",
                }
            )
        rows.append({"fund": fund, "cells": cells})
    return {"rows": rows, "years": [fy_label(year, organization) for year in ordered]}


@budget_manager
def fund_edit(request: HttpRequest, fund_id: int) -> HttpResponse:
    organization = _organization()
    fund = get_object_or_404(Fund, pk=fund_id, organization=organization)
    form = FundForm(request.POST or None, organization=organization, instance=fund)
    if request.method == "POST" and form.is_valid():
        try:
            save_fund(organization=organization, user=request.user, data=form.cleaned_data, fund=fund)
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(request, _("Fund %(fund)s was saved.") % {"fund": fund})
            return redirect("budget:funds")
    status = 400 if request.method == "POST" else 200
    return render(request, "budget/staff/funds/form.html", {"form": form, "fund": fund}, status=status)


# --- Name mappings --------------------------------------------------------------------------------------------


@budget_manager
@require_GET
def mappings(request: HttpRequest) -> HttpResponse:
    organization = _organization()
    rows = (
        NameMapping.objects.filter(organization=organization)
        .select_related("department", "fund", "created_by")
        .order_by("kind", "spelling")
    )
    return render(request, "budget/staff/funds/mappings.html", {"mappings": rows})


@require_POST
@budget_manager
def mapping_delete(request: HttpRequest, mapping_id: int) -> HttpResponse:
    mapping = get_object_or_404(NameMapping, pk=mapping_id, organization=_organization())
    spelling = mapping.spelling
    forget_mapping(mapping=mapping, user=request.user)
    messages.success(
        request, _("“%(name)s” is forgotten: the next file that uses it will ask again.") % {"name": spelling}
    )
    return redirect("budget:mappings")


urlpatterns: list[URLPattern] = [
    path("import/", upload, name="import"),
    path("import/template.csv", template, name="import-template"),
    path("import/<str:token>/", preview, name="import-preview"),
    path("funds/", funds, name="funds"),
    path("funds/<int:fund_id>/", fund_edit, name="fund-edit"),
    path("mappings/", mappings, name="mappings"),
    path("mappings/<int:mapping_id>/delete/", mapping_delete, name="mapping-delete"),
]
