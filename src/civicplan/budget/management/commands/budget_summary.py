"""`manage.py budget_summary --fiscal-year "FY 2025-26" --by fund|department|priority [--net-transfers]
[--kind adopted|revised|actual|budgeted] [--format json|csv]`: a fiscal year's totals, for scripts and checks. The
numbers come from the same selectors as the staff pages, so they are the numbers the pages show."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from civicplan.accounts.models import Organization
from civicplan.budget import selectors
from civicplan.lib.fiscal import parse_fiscal_year
from civicplan.lib.spreadsheets import safe_cell
from civicplan.plans.selectors import current_plan

OUTSIDE_CODE = "outside"


def _money(value: Decimal) -> str:
    return format(value.quantize(Decimal("0.01")), "f")


class Command(BaseCommand):
    help = (
        "Print a fiscal year's budget totals by fund, department or plan priority (the staff pages' numbers)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--fiscal-year", required=True, help='e.g. "FY 2025-26", 2025-26 or 2026 (the end year)'
        )
        parser.add_argument("--by", choices=["fund", "department", "priority"], default="fund")
        parser.add_argument("--net-transfers", action="store_true", help="leave interfund transfers out")
        parser.add_argument(
            "--kind", choices=[kind for kind, _label in selectors.KIND_CHOICES], default="adopted"
        )
        parser.add_argument("--format", choices=["json", "csv"], default="json")

    def handle(self, *args: Any, **options: Any) -> None:
        organization = Organization.current()
        if organization is None:
            raise CommandError("There is no organization yet.")
        try:
            year = parse_fiscal_year(options["fiscal_year"], organization.fiscal_year_start_month)
        except ValueError as error:
            raise CommandError(f"Cannot read the fiscal year {options['fiscal_year']!r}: {error}") from None
        with translation.override("en"):
            summary = self._summary(organization, year, options)
        if options["format"] == "json":
            self.stdout.write(json.dumps(summary, indent=2, ensure_ascii=False))
        else:
            self._csv(summary)

    def _summary(self, organization: Organization, year: int, options: dict[str, Any]) -> dict[str, Any]:
        kind, net = options["kind"], options["net_transfers"]
        if options["by"] == "priority":
            rows, total, transfers = self._priorities(organization, year, kind, net)
        else:
            totals = selectors.budget_totals(
                organization, year, by=options["by"], kind=kind, net_transfers=net
            )
            rows = [
                {"code": row.code, "name": row.name("en"), "amount": _money(row.amount)}
                for row in totals.rows
            ]
            total, transfers = totals.total, totals.transfers
        return {
            "fiscal_year": selectors.fy_label(year, organization),
            "by": options["by"],
            "kind": kind,
            "net_transfers": net,
            "interfund_transfers": _money(transfers),
            "rows": rows,
            "total": _money(total),
        }

    def _priorities(
        self, organization: Organization, year: int, kind: str, net: bool
    ) -> tuple[list[dict[str, str]], Decimal, Decimal]:
        plan = current_plan()
        if plan is None:
            raise CommandError("There is no plan to sum the budget by priority.")
        money = selectors.plan_money(plan, organization, year, kind=kind, net_transfers=net)
        rows = [
            {"code": row.item.code, "name": row.item.title_en, "amount": _money(row.amount)}
            for row in money.priorities
        ]
        rows.append({"code": OUTSIDE_CODE, "name": "Outside the plan", "amount": _money(money.outside)})
        return rows, money.total, money.transfers

    def _csv(self, summary: dict[str, Any]) -> None:
        writer = csv.writer(self.stdout, lineterminator="\n")
        writer.writerow(["code", "name", "amount"])
        for row in summary["rows"]:
            # Text through safe_cell: a CSV opened in a spreadsheet never runs a name as a formula.
            writer.writerow([safe_cell(row["code"]), safe_cell(row["name"]), row["amount"]])
        writer.writerow(["total", "Total", summary["total"]])
