"""`manage.py import_survey FILE [--format auto|...] [--survey SLUG] [--dry-run]`: responses exported from another
survey tool, into an existing survey (matched by question key or text) or, without --survey, into a new draft
survey built from the file. All or nothing; the same file twice adds nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from civicplan.engagement import selectors
from civicplan.engagement.importers.survey_files import FORMATS
from civicplan.engagement.services import imports
from civicplan.plans import selectors as plan_selectors


class _DryRun(Exception):
    pass


class Command(BaseCommand):
    help = "Import survey responses from a LimeSurvey, KoboToolbox, Qualtrics, SurveyMonkey, Google or Microsoft Forms export."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--format", choices=["auto", *FORMATS], default="auto")
        parser.add_argument(
            "--survey", help="the survey's web address (slug); without it a draft survey is made"
        )
        parser.add_argument("--dry-run", action="store_true", help="check and report, write nothing")

    def handle(
        self, *args: Any, file: Path, format: str, survey: str | None, dry_run: bool, **options: Any
    ) -> None:
        if not file.is_file():
            raise CommandError(f"No file at {file}.")
        data = file.read_bytes()
        plan = plan_selectors.current_plan()
        if plan is None:
            raise CommandError("There is no plan to import into.")
        try:
            with transaction.atomic():
                target = selectors.survey_by_slug(survey) if survey else None
                if survey and target is None:
                    raise CommandError(f"No survey has the address {survey!r}.")
                if target is None:
                    target = imports.create_survey_from_file(
                        plan=plan, user=None, filename=file.name, data=data, fmt=format
                    )
                    self.stdout.write(f"Made the draft survey {target.slug!r} from the file.")
                batch, preview = imports.import_survey_file(
                    survey=target, user=None, filename=file.name, data=data, fmt=format
                )
                self._report(preview)
                if dry_run:
                    raise _DryRun
        except _DryRun:
            self.stdout.write("Dry run: nothing was written.")
            return
        except imports.SurveyFileError as error:
            raise CommandError(str(error)) from None
        except ValidationError as error:
            preview = imports.preview_survey_file(survey=target, filename=file.name, data=data, fmt=format)
            self._report(preview)
            raise CommandError(" ".join(error.messages)) from None
        if batch is None:
            self.stdout.write("Every response was already imported: nothing was added.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported {preview.new} responses into {target.slug!r}."))

    def _report(self, preview: imports.SurveyImportPreview) -> None:
        self.stdout.write(
            f"{preview.filename}: {preview.format}; {preview.new} new, {preview.already} already there, "
            f"{preview.partial} partial, {preview.duplicates} duplicates, {preview.previews_skipped} previews left out"
        )
        for problem in preview.problems:
            where = f"row {problem.row}" if problem.row else "file"
            self.stderr.write(
                f"  {where}{f' ({problem.column})' if problem.column else ''}: {problem.message}"
            )
