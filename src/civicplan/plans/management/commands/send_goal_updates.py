"""E-mail residents who follow a goal what was published on it since their last e-mail. Run daily (cron or the
task worker); a follower hears about each update once, so running it twice sends nothing more."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from civicplan.plans.services import send_goal_updates


class Command(BaseCommand):
    help = "E-mail goal followers a digest of the progress updates published since their last e-mail."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Say what would be sent; send nothing.")

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        report = send_goal_updates(dry_run=dry_run)
        if dry_run:
            for _address, subject in report.sent:
                self.stdout.write(f"Would send: {subject}")  # addresses stay out of logs
        verb = "Would send" if dry_run else "Sent"
        count = len(report.sent)
        summary = f"{verb} {count} digest{'' if count == 1 else 's'}; {report.nothing_new} had nothing new"
        if report.failed:
            summary += f"; {report.failed} could not be sent (see the log)"
        self.stdout.write(summary + ".")
