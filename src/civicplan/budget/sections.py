"""The "Funding" block on plan item pages (registered in apps.ready through core.registry.ItemSection).

Staff pages of goals, strategies and actions show, per fiscal year, the budgeted and actual money of the lines
linked to the item or the elements below it, and for actions the funding status and estimated cost. Public goal
pages show the adopted budget reaching the goal, rolled up the ADOPTED version's tree (never a draft element),
and nothing at all when there is none. A fixed number of queries whatever the plan's size."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from civicplan.accounts.models import Organization
from civicplan.budget import selectors
from civicplan.lib.money import format_money
from civicplan.plans.models import Level, PlanItem

STAFF_LEVELS = {str(Level.GOAL), str(Level.STRATEGY), str(Level.ACTION)}
NOTHING = mark_safe("")
ZERO = Decimal(0)


def render_item_section(
    request: Any,
    *,
    item_id: int,
    child_ids: list[int],
    level: str,
    public: bool = False,
    descendant_ids: list[int] | None = None,
) -> SafeString:
    if public:
        return _public_section(request, item_id, level, descendant_ids or [])
    if level not in STAFF_LEVELS or request is None or not request.user.has_perm("budget.view_budget"):
        return NOTHING
    return _staff_section(request, item_id, level)


def _staff_section(request: Any, item_id: int, level: str) -> SafeString:
    item = PlanItem.objects.select_related("plan__organization").filter(pk=item_id).first()
    if item is None:
        return NOTHING
    organization = item.plan.organization
    is_action = level == str(Level.ACTION)
    if is_action:
        years = selectors.action_funding_years(item)
    else:
        money = selectors.item_money_by_year(_subtree(item))
        years = [
            selectors.FundingYear(
                year, None, money.get(year, {}).get("budgeted", ZERO), money.get(year, {}).get("actual", ZERO)
            )
            for year in sorted(set(selectors.plan_fiscal_years(item.plan)) | set(money))
        ]
    rows = [
        {
            "label": selectors.fy_label(row.fiscal_year, organization),
            "funding": row.funding,
            "estimated": row.estimated_text,
            "budgeted": row.budgeted_text,
            "actual": row.actual_text,
        }
        for row in years
    ]
    context = {
        "item_id": item_id,
        "rows": rows,
        "is_action": is_action,
        "can_change": is_action and request.user.has_perm("budget.change_funding", item),
    }
    return mark_safe(render_to_string("budget/staff/alignment/_item_section.html", context, request=request))


def _subtree(item: PlanItem) -> list[int]:
    """The item and every element below it, from one query of the plan's (id, parent) pairs."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in PlanItem.objects.filter(plan_id=item.plan_id).values_list("id", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found, queue = [], [item.pk]
    while queue:
        current = queue.pop()
        found.append(current)
        queue.extend(children.get(current, []))
    return found


def _public_section(request: Any, item_id: int, level: str, descendant_ids: list[int]) -> SafeString:
    """The adopted money reaching a goal: the page passes the goal's elements in the ADOPTED version
    (`descendant_ids`), so money linked to a draft-only element never shows as the goal's."""
    if level != str(Level.GOAL):
        return NOTHING
    # The same amounts as "Where the money goes": adopted, interfund transfers left out.
    money = selectors.item_money_by_year([item_id, *descendant_ids], ("adopted",), net_transfers=True)
    if not any(amounts["adopted"] for amounts in money.values()):
        return NOTHING
    organization = Organization.current()  # its fiscal-year start names the years
    rows = [
        (selectors.fy_label(year, organization), format_money(amounts["adopted"]))
        for year, amounts in sorted(money.items())
        if amounts["adopted"]
    ]
    if not rows:
        return NOTHING
    context = {"item_id": item_id, "rows": rows}
    return mark_safe(render_to_string("budget/public/_item_section.html", context, request=request))
