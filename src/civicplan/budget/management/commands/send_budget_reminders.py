"""Mail reminders of the budget calendar: a week before and on the day of each requests deadline, council study
session, proposed budget, adoption and mid-year review. Run daily (cron or the task worker); running it twice on
the same day sends nothing more."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from civicplan.budget.services import send_budget_reminders


class Command(BaseCommand):
    help = (
        "E-mail budget calendar reminders to the coordinator, finance staff and (for requests due) editors."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--date", help="Act as if today were this day (YYYY-MM-DD). Default: today.")
        parser.add_argument("--dry-run", action="store_true", help="Say what would be sent; send nothing.")

    def handle(self, *args: Any, date: str | None = None, dry_run: bool = False, **options: Any) -> None:
        today = None
        if date:
            try:
                today = dt.date.fromisoformat(date)
            except ValueError as error:
                raise CommandError(f"--date must be a date such as 2026-02-21, not {date!r}.") from error
        report = send_budget_reminders(today=today, dry_run=dry_run)
        if dry_run:
            for address, subject in report.sent:
                self.stdout.write(f"Would send to {address}: {subject}")
        verb = "Would send" if dry_run else "Sent"
        summary = f"{verb} {report.reminders} budget reminder{'' if report.reminders == 1 else 's'}"
        if report.skipped:
            summary += f"; {report.skipped} without an e-mail address were skipped"
        if report.failed:
            summary += f"; {report.failed} could not be sent (see the log)"
        self.stdout.write(summary + ".")
