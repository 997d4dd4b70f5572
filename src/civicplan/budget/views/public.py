"""Residents' "Where the money goes" (namespace `money`, under /budget/): the adopted budget by priority of the
adopted plan, in the reader's language. Never a draft: priorities and goals come from the adopted version."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from civicplan.accounts.models import Organization
from civicplan.budget import selectors
from civicplan.core.cache import cached_public_page
from civicplan.lib.charts import Bar, bar_chart
from civicplan.lib.money import format_money, format_money_short
from civicplan.plans.selectors import public_plan

OTHER_COLOR = "#a9aeb1"


def _chart(money: selectors.PublicMoney, title: str) -> str:
    bars = [Bar(f"{row.item.code} {row.item.title}", float(row.amount)) for row in money.priorities]
    if money.not_adopted:
        bars.append(Bar(_("Not yet in the adopted plan"), float(money.not_adopted), OTHER_COLOR))
    bars.append(Bar(_("Not linked to a plan priority"), float(money.unlinked), OTHER_COLOR))
    description = "; ".join(f"{bar.label}: {format_money(bar.value)}" for bar in bars)
    return mark_safe(  # lib.charts escapes every text it draws
        bar_chart(
            chart_id="where-the-money-goes",
            title=title,
            description=description,
            bars=bars,
            value_text=format_money_short,
            width=420,
            labels_above=True,  # residents read this page on phones
        )
    )


@cached_public_page
@require_GET
def where(request: HttpRequest) -> HttpResponse:
    plan = public_plan()
    organization = plan.organization if plan else Organization.current()
    if organization is None:
        raise Http404
    years = selectors.public_budget_years(organization)
    year = selectors.choose_fiscal_year(organization, request.GET.get("year"), years)
    year_label = selectors.fy_label(year, organization)
    context: dict[str, Any] = {
        "plan": plan,
        "organization": organization,
        "year": year,
        "year_label": year_label,
        "year_choices": [(y, selectors.fy_label(y, organization)) for y in sorted({*years, year})],
    }
    if plan is not None and year in years:
        money = selectors.public_money(plan, organization, year)
        title = _("Adopted budget by priority, %(year)s") % {"year": year_label}
        context.update(money=money, chart=_chart(money, title), chart_title=title)
    return render(request, "budget/public/where.html", context)


urlpatterns: list[URLPattern] = [
    path("", where, name="where"),
]
