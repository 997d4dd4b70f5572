"""`manage.py import_measurements FILE [--dry-run] [--replace] [--user USERNAME] [--plan ID]`: the staff
upload page's checks and all-or-nothing write, for files too large or too frequent for a browser."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from civicplan.accounts.models import Role, User
from civicplan.performance.services import (
    ImportPreview,
    MeasurementImportRefused,
    import_measurement_file,
    preview_measurement_file,
)
from civicplan.plans.models import Plan
from civicplan.plans.selectors import current_plan

SHOWN_ERRORS = 50


class Command(BaseCommand):
    help = "Import indicator values from a CSV or XLSX file (docs/formats/measurements.md). All or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file and print the summary only"
        )
        parser.add_argument("--replace", action="store_true", help="update periods that already have a value")
        parser.add_argument("--user", help="who enters the values (default: the first active coordinator)")
        parser.add_argument("--plan", type=int, help="plan id (default: the current plan)")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        plan = self._plan(options["plan"])
        user = self._user(options["user"])
        data = path.read_bytes()
        started = time.perf_counter()
        try:
            if options["dry_run"]:
                preview = preview_measurement_file(
                    plan=plan, user=user, filename=path.name, data=data, replace=options["replace"]
                )
            else:
                preview = import_measurement_file(
                    plan=plan, user=user, filename=path.name, data=data, replace=options["replace"]
                )
        except MeasurementImportRefused as refused:
            preview = refused.preview
        except PermissionDenied:
            raise CommandError(f"{user.username} may not import measurements.") from None
        elapsed = time.perf_counter() - started
        self._summary(preview)
        if preview.errors:
            raise CommandError(f"{len(preview.errors)} problems: nothing was written.")
        if options["dry_run"]:
            self.stdout.write(f"Dry run: nothing was written ({elapsed:.1f} s).")
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported {preview.to_write} values in {elapsed:.1f} s."))

    def _plan(self, plan_id: int | None) -> Plan:
        if plan_id is None:
            plan = current_plan()
            if plan is None:
                raise CommandError("There is no plan yet.")
            return plan
        plan = Plan.objects.select_related("organization").filter(pk=plan_id).first()
        if plan is None:
            raise CommandError(f"No plan with id {plan_id}.")
        return plan

    def _user(self, username: str | None) -> User:
        if username:
            user = User.objects.filter(username=username, is_active=True).first()
            if user is None:
                raise CommandError(f"No active user {username!r}.")
            return user
        user = User.objects.filter(role=Role.COORDINATOR, is_active=True).order_by("pk").first()
        if user is None:
            raise CommandError("No active coordinator: name the person with --user.")
        return user

    def _summary(self, preview: ImportPreview) -> None:
        self.stdout.write(
            f"{preview.filename}: {preview.new} new, {preview.changed} changed, "
            f"{preview.unchanged} unchanged, {len(preview.errors)} problems."
        )
        for row in preview.changes[:10]:
            self.stdout.write(
                f"  row {row.number}: {row.indicator.key} {row.period}: {row.old_value} -> {row.value}"
            )
        for error in preview.errors[:SHOWN_ERRORS]:
            where = f"row {error.row}: " if error.row else ""
            self.stderr.write(f"  {where}{error.message}")
        if len(preview.errors) > SHOWN_ERRORS:
            self.stderr.write(f"  ... and {len(preview.errors) - SHOWN_ERRORS} more.")
