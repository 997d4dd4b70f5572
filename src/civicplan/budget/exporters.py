"""The budget book: one workbook per fiscal year with a sheet per alignment page, built from the same selectors
as the pages so the numbers match. Money cells are numbers with a currency format (they add up in a spreadsheet);
every text cell goes through `safe_cell`, so a fund or description written `=HYPERLINK(...)` stays text."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from civicplan.accounts.models import Organization
from civicplan.budget import selectors
from civicplan.lib.spreadsheets import safe_cell
from civicplan.plans.models import Plan

__all__ = ["MONEY_FORMAT", "XLSX_CONTENT_TYPE", "budget_book"]

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY_FORMAT = '"$"#,##0.00;-"$"#,##0.00'
PERCENT_FORMAT = '0.0"%"'
HEADER_ROW = 2  # row 1 names the sheet's content and year; row 2 holds the column headings


class _Column:
    """A column heading and how its cells are written: text, money or percent."""

    def __init__(self, heading: str, kind: str = "text", width: int = 16) -> None:
        self.heading, self.kind, self.width = heading, kind, width


def _cell(value: Any, column: _Column) -> Any:
    if value is None:
        return None
    if column.kind in {"money", "percent"}:
        return float(value) if isinstance(value, Decimal) else value
    return safe_cell(str(value))


def _sheet(
    workbook: Any, name: str, title: str, columns: Sequence[_Column], rows: Iterable[Sequence[Any]]
) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(name[:31])
    sheet.append([safe_cell(title)])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([safe_cell(column.heading) for column in columns])
    for cell in sheet[HEADER_ROW]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_cell(value, column) for value, column in zip(row, columns, strict=True)])
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width
        number_format = {"money": MONEY_FORMAT, "percent": PERCENT_FORMAT}.get(column.kind)
        if number_format:
            for (cell,) in sheet.iter_rows(min_row=HEADER_ROW + 1, min_col=index, max_col=index):
                cell.number_format = number_format
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=1)
    last = get_column_letter(len(columns))
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{last}{max(sheet.max_row, HEADER_ROW)}"


def budget_book(
    plan: Plan | None, organization: Organization, fiscal_year: int, *, kind: str = "adopted"
) -> bytes:
    """The workbook for one fiscal year and kind of amount (adopted unless told)."""
    import openpyxl

    year = selectors.fy_label(fiscal_year, organization)
    label = selectors.kind_label(kind)
    tree = selectors.plan_tree(plan) if plan else selectors.PlanTree({}, {}, {})
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    _by_priority(workbook, plan, organization, fiscal_year, kind, tree, f"{label}, {year}")
    for by, name in (("fund", _("Totals by fund")), ("department", _("Totals by department"))):
        totals = selectors.budget_totals(organization, fiscal_year, by=by, kind=kind)
        _totals(workbook, name, f"{name}: {label}, {year}", totals)
    gaps = (
        selectors.budget_gaps(plan, organization, fiscal_year, kind=kind, limit=None, tree=tree)
        if plan
        else None
    )
    _gaps(workbook, gaps, f"{_('Gaps')}, {year}")
    _actions(workbook, plan, organization, fiscal_year, tree, f"{_('Actions')}, {year}")
    _outside(
        workbook,
        gaps,
        _("Budget lines linked to no plan element: %(kind)s, %(year)s") % {"kind": label, "year": year},
    )
    _lines(workbook, organization, fiscal_year, f"{_('Budget lines')}, {year}")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _by_priority(
    workbook: Any,
    plan: Plan | None,
    organization: Organization,
    fiscal_year: int,
    kind: str,
    tree: selectors.PlanTree,
    subtitle: str,
) -> None:
    money = selectors.plan_money(plan, organization, fiscal_year, kind=kind, tree=tree)
    columns = [
        _Column(_("Level"), width=10),
        _Column(_("Code"), width=8),
        _Column(_("Title"), width=50),
        _Column(_("Amount"), "money"),
        _Column(_("Previous year"), "money"),
        _Column(pgettext("difference", "Change"), "money"),
        _Column(_("Change (%)"), "percent", 12),
        _Column(_("Share of the total (%)"), "percent", 12),
    ]
    rows: list[list[Any]] = []
    for priority in money.priorities:
        for row in [priority, *priority.children]:
            item = row.item
            rows.append(
                [
                    item.get_level_display(),
                    item.code,
                    item.localized("title"),
                    row.amount,
                    row.previous,
                    row.change,
                    row.change_percent,
                    row.share,
                ]
            )
    rows.append(["", "", _("Outside the plan"), money.outside, None, None, None, money.outside_share])
    rows.append(["", "", _("Total"), money.total, money.previous, money.change, money.change_percent, None])
    title = _("Money by priority and goal: %(subtitle)s") % {"subtitle": subtitle}
    _sheet(workbook, _("By priority"), title, columns, rows)


def _totals(workbook: Any, name: str, title: str, totals: selectors.Totals) -> None:
    columns = [
        _Column(_("Code"), width=10),
        _Column(_("Name"), width=40),
        _Column(_("Including interfund transfers"), "money", 20),
        _Column(_("Interfund transfers"), "money", 18),
        _Column(_("Excluding interfund transfers"), "money", 20),
    ]
    rows: list[list[Any]] = [[row.code, row.name(), row.gross, row.transfers, row.net] for row in totals.rows]
    rows.append(["", _("Total"), totals.gross, totals.transfers, totals.net])
    _sheet(workbook, name, title, columns, rows)


def _gaps(workbook: Any, gaps: selectors.Gaps | None, title: str) -> None:
    columns = [
        _Column(_("Gap"), width=34),
        _Column(_("Code"), width=10),
        _Column(_("Title"), width=50),
        _Column(_("Priority or department"), width=30),
        _Column(_("Funding status"), width=24),
        _Column(_("Estimated cost"), "money"),
    ]
    rows: list[list[Any]] = []
    if gaps is not None:
        for goal, priority in gaps.goals:
            parent = f"{priority.code} {priority.localized('title')}" if priority else ""
            rows.append(
                [_("Goal with no funded action"), goal.code, goal.localized("title"), parent, "", None]
            )
        for gap in gaps.actions:
            action = gap.action
            department = action.department.localized("name") if action.department else ""
            estimated = gap.funding.estimated_cost if gap.funding else None
            rows.append(
                [
                    _("Action not funded"),
                    action.code,
                    action.localized("title"),
                    department,
                    gap.reason,
                    estimated,
                ]
            )
    _sheet(workbook, _("Gaps"), title, columns, rows)


def _actions(
    workbook: Any,
    plan: Plan | None,
    organization: Organization,
    fiscal_year: int,
    tree: selectors.PlanTree,
    title: str,
) -> None:
    columns = [
        _Column(_("Code"), width=10),
        _Column(_("Action"), width=50),
        _Column(_("Department"), width=28),
        _Column(_("Funding status"), width=24),
        _Column(_("Source fund"), width=24),
        _Column(_("Estimated cost"), "money"),
        _Column(_("Budgeted"), "money"),
        _Column(_("Actual"), "money"),
        _Column(_("Budgeted minus estimated"), "money", 20),
        _Column(_("Actual minus budgeted"), "money", 20),
    ]
    found = selectors.action_money(plan, organization, fiscal_year, tree=tree) if plan else []
    rows = [
        [
            row.action.code,
            row.action.localized("title"),
            row.action.department.localized("name") if row.action.department else "",
            row.status_label,
            str(row.funding.fund) if row.funding and row.funding.fund else "",
            row.estimated,
            row.budgeted,
            row.actual,
            row.variance,
            row.spent_variance,
        ]
        for row in found
    ]
    _sheet(workbook, _("Actions"), title, columns, rows)


def _outside(workbook: Any, gaps: selectors.Gaps | None, title: str) -> None:
    columns = [
        _Column(_("Fund"), width=26),
        _Column(_("Department"), width=28),
        _Column(_("Division / program"), width=24),
        _Column(_("Account / object"), width=24),
        _Column(_("Description"), width=40),
        _Column(_("Amount"), "money"),
    ]
    rows = []
    if gaps is not None:
        for row in gaps.unlinked.lines:
            line = row.line
            department = line.department.localized("name")
            rows.append(
                [str(line.fund), department, line.program, line.account, line.description, row.amount]
            )
    _sheet(workbook, _("Outside the plan"), title, columns, rows)


def _lines(workbook: Any, organization: Organization, fiscal_year: int, title: str) -> None:
    columns = [
        _Column(_("Fund code"), width=10),
        _Column(_("Fund"), width=26),
        _Column(_("Department"), width=28),
        _Column(_("Division / program"), width=24),
        _Column(_("Account / object"), width=24),
        _Column(_("Description"), width=40),
        _Column(_("Proposed"), "money"),
        _Column(_("Adopted"), "money"),
        _Column(_("Revised"), "money"),
        _Column(_("Actual"), "money"),
        _Column(_("Interfund transfer"), width=12),
        _Column(_("Linked plan elements"), width=24),
    ]
    rows = [
        [
            line.fund.code,
            line.fund.localized("name"),
            line.department.localized("name"),
            line.program,
            line.account,
            line.description,
            line.proposed_amount,
            line.adopted_amount,
            line.revised_amount,
            line.actual_amount,
            _("yes") if line.is_transfer else _("no"),
            ", ".join(allocation.item.code for allocation in line.allocations.all()),
        ]
        for line in selectors.budget_lines(organization, fiscal_year)
    ]
    _sheet(workbook, _("Lines"), title, columns, rows)
