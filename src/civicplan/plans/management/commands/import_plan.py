"""`manage.py import_plan FILE [--dry-run] [--lang en|es]`: create a new draft plan from a YAML, JSON, XLSX or
StratML plan file. A StratML Part 2 file's performance indicators (with their targets and values) are created in
the same transaction, as unpublished drafts, by the handler the reports module registers (core.registry)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from civicplan.accounts.models import Organization
from civicplan.plans import selectors, services
from civicplan.plans.importers import PlanFileInvalid
from civicplan.plans.models import Level

EXTRA_WORDS = {
    "indicators": "indicator(s)",
    "targets": "target(s)",
    "values": "value(s)",
}


def extra_summary(counts: dict[str, int]) -> str:
    """`2 indicator(s), 3 target(s), 5 value(s)` for what a file's extras create ("" when there are none)."""
    return (
        ", ".join(f"{counts.get(name, 0)} {words}" for name, words in EXTRA_WORDS.items()) if counts else ""
    )


class Command(BaseCommand):
    help = "Import a plan file (YAML, JSON, XLSX or StratML .xml) as a new draft plan. All or nothing."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and show what would be created."
        )
        parser.add_argument(
            "--lang",
            choices=("en", "es"),
            default=None,
            help="The language of a StratML file's texts (StratML holds one language; default: the file's "
            "xml:lang, else English). With es the texts go into the Spanish fields.",
        )

    def handle(self, *args: Any, file: Path, dry_run: bool, lang: str | None, **options: Any) -> None:
        organization = Organization.current()
        if organization is None:
            raise CommandError(
                "There is no organization yet: run `manage.py load_demo` or create the city first."
            )
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        try:
            parsed = services.parse_plan_upload(
                filename=file.name, data=data, organization=organization, lang=lang
            )
            document = parsed.document
            counts = {level: 0 for level in Level.values}
            for level, _item, _parent in selectors.iter_document_items(document):
                counts[level] += 1
            summary = ", ".join(f"{count} {level}" for level, count in counts.items())
            extras = extra_summary(parsed.extra_counts)
            if extras:
                summary += f"; {extras}"
            left_out = parsed.extra_counts.get("results_left_out", 0)
            if left_out:
                self.stderr.write(
                    f"{left_out} StratML target or actual result(s) without NumberOfUnits were left out."
                )
            if dry_run:
                self.stdout.write(
                    f"{file} is valid: it would create “{document['plan']['title']['en']}” ({summary}). "
                    "Nothing was written (--dry-run)."
                )
                return
            plan = services.import_plan_document(
                document=document,
                user=None,
                organization=organization,
                check_permission=False,
                extras=parsed.extras,
            )
        except PlanFileInvalid as error:
            lines = "\n".join(f"  - {problem}" for problem in error.problems)
            hint = ""
            if lang == "es":
                hint = (
                    "\nA plan needs English titles: a Spanish StratML file alone cannot become a new plan. "
                    "Import the English export, then add the Spanish texts."
                )
            raise CommandError(f"{file} was refused; nothing was written:\n{lines}{hint}") from None
        message = f"Imported “{plan.title_en}” as draft plan {plan.pk} ({summary})."
        if parsed.extra_counts.get("indicators"):
            message += (
                " The indicators are unpublished drafts: review them and publish them on the staff pages."
            )
        self.stdout.write(self.style.SUCCESS(message))
