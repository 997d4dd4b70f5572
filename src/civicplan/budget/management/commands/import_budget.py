"""`manage.py import_budget FILE [--dry-run] [--user USERNAME] [--fund CODE] [--map "Spelling=CODE" ...]
[--create-missing]`: the staff upload page's checks, mapping and all-or-nothing write, for files too large or too
frequent for a browser, or for a scheduled job."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from civicplan.accounts.models import Department, Organization, Role, User
from civicplan.budget.models import Fund
from civicplan.budget.services.imports import (
    BudgetImportRefused,
    BudgetPreview,
    import_budget_file,
    name_field,
    preview_budget_file,
)
from civicplan.plans.selectors import current_plan

SHOWN = 50


class Command(BaseCommand):
    help = "Import budget lines from a CSV or XLSX file (docs/formats/budget.md). All or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file and print the summary only"
        )
        parser.add_argument("--user", help="who imports (default: the first active coordinator)")
        parser.add_argument("--fund", help="fund code for lines whose file names no fund")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="SPELLING=CODE",
            help='a department name in the file and the code of our department it means, e.g. "Public Works '
            'Dept.=PW"; "fund:Gen Fund=100" for a fund. Repeat for each name.',
        )
        parser.add_argument(
            "--create-missing",
            action="store_true",
            help="create every department and fund the file names and the city does not have",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        organization = Organization.current()
        if organization is None:
            raise CommandError("There is no organization yet.")
        user = self._user(options["user"])
        fund = self._fund(organization, options["fund"])
        choices = self._choices(organization, options["map"])
        arguments = {
            "organization": organization,
            "plan": current_plan(),
            "user": user,
            "filename": path.name,
            "data": path.read_bytes(),
            "fund": fund,
            "choices": choices,
            "create_missing": options["create_missing"],
        }
        started = time.perf_counter()
        try:
            if options["dry_run"]:
                preview = preview_budget_file(**arguments)
            else:
                preview = import_budget_file(**arguments)
        except BudgetImportRefused as refused:
            preview = refused.preview
        except PermissionDenied:
            raise CommandError(f"{user.username} may not import budget files.") from None
        elapsed = time.perf_counter() - started
        self._summary(preview)
        if not preview.ok:
            raise CommandError(self._refusal(preview))
        if options["dry_run"]:
            self.stdout.write(f"Dry run: nothing was written ({elapsed:.1f} s).")
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported {preview.to_write} lines in {elapsed:.1f} s."))

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

    def _fund(self, organization: Organization, code: str | None) -> Fund | None:
        if not code:
            return None
        fund = Fund.objects.filter(organization=organization, code__iexact=code).first()
        if fund is None:
            raise CommandError(f"No fund with the code {code!r}.")
        return fund

    def _choices(self, organization: Organization, entries: list[str]) -> dict[str, str]:
        """--map "Spelling=CODE" as the preview form would post it."""
        choices = {}
        for entry in entries:
            spelling, _sep, code = entry.rpartition("=")
            if not spelling.strip() or not code.strip():
                raise CommandError(f'--map {entry!r}: write it as "Name in the file=CODE".')
            kind = "department"
            if spelling.casefold().startswith("fund:"):
                kind, spelling = "fund", spelling[5:]
            model = Department if kind == "department" else Fund
            target = model.objects.filter(organization=organization, code__iexact=code.strip()).first()
            if target is None:
                raise CommandError(f"--map {entry!r}: there is no {kind} with the code {code.strip()!r}.")
            choices[name_field(kind, spelling.strip())] = str(target.pk)
        return choices

    def _summary(self, preview: BudgetPreview) -> None:
        out = self.stdout.write
        out(
            f"{preview.filename} ({preview.shape or 'unreadable'}): {preview.new} new, {preview.changed} changed, "
            f"{preview.unchanged} unchanged lines, {len(preview.skipped)} rows skipped, "
            f"{len(preview.errors)} problems."
        )
        for row in preview.counts:
            out(f"  {row.label}: {row.new} new, {row.changed} changed, {row.unchanged} unchanged")
        for warning in preview.warnings:
            out(f"  warning: {warning}")
        for skipped in preview.skipped[:SHOWN]:
            out(f"  row {skipped.number} skipped ({skipped.reason}): {skipped.label[:80]}")
        for check in preview.reconciliation_rows:
            result = "matches" if check["matches"] else f"differs by {check['difference']}"
            out(f"  row {check['row']} {check['label']} {check['column']}: {check['file']} - {result}")
        for line in preview.changes[:10]:
            for kind, old, new in line.change_texts:
                out(f"  row {line.rows[0]}: {line.department_label} {line.account} {kind}: {old} -> {new}")
        for error in preview.errors[:SHOWN]:
            where = f"row {error.row}: " if error.row else ""
            self.stderr.write(f"  {where}{error.message}")
        if preview.more_errors:
            self.stderr.write(f"  ... and {preview.more_errors} more.")
        for name in preview.unresolved:
            prefix = "fund:" if name.kind == "fund" else ""
            self.stderr.write(
                f'  unknown {name.kind} "{name.spelling}" (rows {name.shown_rows}): '
                f'--map "{prefix}{name.spelling}=CODE" or --create-missing'
            )
        if preview.needs_fund:
            self.stderr.write(
                f"  {len(preview.rows_without_fund)} rows name no fund: give one with --fund CODE."
            )

    def _refusal(self, preview: BudgetPreview) -> str:
        parts = []
        if preview.errors:
            parts.append(f"{len(preview.errors)} problems")
        if preview.unresolved:
            parts.append(f"{len(preview.unresolved)} names to map")
        if preview.needs_fund:
            parts.append("no fund for some rows")
        return f"{', '.join(parts) or 'problems'}: nothing was written."
