"""Fiscal years, funds and the amounts a page shows, shared by every budget page."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from civicplan.accounts.models import Organization
from civicplan.budget.models import REQUEST_PROGRAM, BudgetLine, Fund
from civicplan.lib.fiscal import fiscal_year_label, fiscal_year_of
from civicplan.plans.models import Plan

__all__ = [
    "budget_years",
    "current_fiscal_year",
    "funds_of",
    "fy_label",
    "lines_by_description",
    "plan_fiscal_years",
    "public_budget_years",
]


def fy_label(year: int, organization: Organization | None = None) -> str:
    """`FY 2025-26` (Spanish `AF 2025-26`) for the fiscal year that starts in `year`."""
    month = organization.fiscal_year_start_month if organization else 7
    # The same word as the plan's period label.
    return fiscal_year_label(year, month, gettext("FY"))


def current_fiscal_year(organization: Organization, today: dt.date | None = None) -> int:
    return fiscal_year_of(today or timezone.localdate(), organization.fiscal_year_start_month)


def plan_fiscal_years(plan: Plan) -> list[int]:
    return [plan.start_fiscal_year + offset for offset in range(plan.years)]


def budget_years(organization: Organization) -> list[int]:
    """Fiscal years that have budget lines, oldest first."""
    return list(
        BudgetLine.objects.filter(organization=organization)
        .order_by("fiscal_year")
        .values_list("fiscal_year", flat=True)
        .distinct()
    )


def public_budget_years(organization: Organization) -> list[int]:
    """Fiscal years whose adopted budget residents may read: years with adopted amounts that came from the city's
    budget (a file finance loaded), not only from requests adopted ahead of it. A request adopted for a future
    year does not make that year's budget "adopted"."""
    return list(
        BudgetLine.objects.filter(organization=organization, adopted_amount__isnull=False)
        .exclude(program=REQUEST_PROGRAM)
        .order_by("fiscal_year")
        .values_list("fiscal_year", flat=True)
        .distinct()
    )


def funds_of(organization: Organization) -> QuerySet[Fund]:
    return Fund.objects.filter(organization=organization).order_by("code", "name_en")


def lines_by_description(organization: Organization) -> dict[str, list[BudgetLine]]:
    """Every budget line of the city by its description (the same description in several fiscal years)."""
    found: dict[str, list[BudgetLine]] = {}
    for line in BudgetLine.objects.filter(organization=organization).order_by("fiscal_year", "pk"):
        found.setdefault(line.description, []).append(line)
    return found
