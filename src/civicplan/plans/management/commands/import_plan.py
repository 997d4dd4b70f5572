"""`manage.py import_plan FILE [--dry-run]`: create a new draft plan from a YAML, JSON or XLSX plan file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from civicplan.accounts.models import Department, Organization
from civicplan.plans import selectors, services
from civicplan.plans.importers import PlanFileInvalid, read_plan_file, validate_document
from civicplan.plans.models import Level


class Command(BaseCommand):
    help = "Import a plan file (YAML, JSON or XLSX) as a new draft plan. All or nothing."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and show what would be created."
        )

    def handle(self, *args: Any, file: Path, dry_run: bool, **options: Any) -> None:
        organization = Organization.current()
        if organization is None:
            raise CommandError(
                "There is no organization yet: run `manage.py load_demo` or create the city first."
            )
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        known = set(Department.objects.filter(organization=organization).values_list("code", flat=True))
        try:
            document = validate_document(read_plan_file(file.name, data), known_departments=known)
        except PlanFileInvalid as error:
            lines = "\n".join(f"  - {problem}" for problem in error.problems)
            raise CommandError(f"{file} was refused; nothing was written:\n{lines}") from None
        counts = {level: 0 for level in Level.values}
        for level, _item, _parent in selectors.iter_document_items(document):
            counts[level] += 1
        summary = ", ".join(f"{count} {level}" for level, count in counts.items())
        if dry_run:
            self.stdout.write(
                f"{file} is valid: it would create “{document['plan']['title']['en']}” ({summary}). "
                "Nothing was written (--dry-run)."
            )
            return
        plan = services.import_plan_document(
            document=document, user=None, organization=organization, check_permission=False
        )
        self.stdout.write(
            self.style.SUCCESS(f"Imported “{plan.title_en}” as draft plan {plan.pk} ({summary}).")
        )
