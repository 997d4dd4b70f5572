"""`manage.py survey_results SLUG [--format json|csv] [--include-partial]`: every question's tabulation, the same
figures the staff results page shows (counts per option, valid n, means for ratings and matrix rows, open-text
answers), with the same confidentiality rules for employee surveys."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from civicplan.engagement import results_view, selectors
from civicplan.engagement.exporters import write_rows
from civicplan.engagement.tabulation import results_csv_rows, results_document


class Command(BaseCommand):
    help = "Print a survey's results (every question's tabulation) as JSON or CSV."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("slug")
        parser.add_argument("--format", choices=["json", "csv"], default="json")
        parser.add_argument(
            "--include-partial", action="store_true", help="count partial (imported) responses"
        )
        parser.add_argument("--language", choices=["en", "es"], default="en")

    def handle(
        self, *args: Any, slug: str, format: str, include_partial: bool, language: str, **options: Any
    ) -> None:
        survey = selectors.survey_by_slug(slug)
        if survey is None:
            raise CommandError(f"No survey has the address {slug!r}.")
        with translation.override(language):
            params = {"partial": "1"} if include_partial else {}
            shown = results_view.survey_results(survey, params, public=False, language=language)
        if shown.suppressed and not shown.shown:
            raise CommandError(str(shown.suppressed))
        results = [item.result for item in shown.shown]
        if format == "json":
            document = {"survey": survey.slug, "responses": shown.n, **results_document(results)}
            self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))
        else:
            # The same safe CSV as the page's download (text that looks like a formula gets an apostrophe).
            self.stdout.write(write_rows(results_csv_rows(results), "csv").decode("utf-8-sig"), ending="")
