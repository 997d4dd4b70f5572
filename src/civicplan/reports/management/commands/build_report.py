"""`manage.py build_report --kind annual --period FY2026 --lang es --format pdf --out card.pdf`: a report from the
adopted plan, built here and now (no task queue), e.g. for a council packet or a scheduled job."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from civicplan.core.commands import write_to_stdout
from civicplan.reports import exporters, report_data, services


class Command(BaseCommand):
    help = "Build a quarterly, annual or accomplishments report as PDF, XLSX or HTML."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", choices=report_data.KINDS, default=report_data.ANNUAL)
        parser.add_argument(
            "--period",
            default="",
            help="FY2026-Q2 (quarterly) or FY2026 (annual, accomplishments); default: now",
        )
        parser.add_argument("--lang", choices=report_data.LANGUAGES, default="en")
        parser.add_argument("--format", choices=exporters.FORMATS, default="pdf")
        parser.add_argument(
            "--out", default="", help="File to write (default: a name like annual-FY2026-en.pdf)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        try:
            report = report_data.build_report(options["kind"], options["period"] or None, options["lang"])
        except report_data.ReportError as error:
            raise CommandError(str(error)) from None
        data, pages = services.render(report, options["format"])
        out = options["out"] or exporters.filename(report, options["format"])
        if out == "-":
            write_to_stdout(self, data)
            return
        Path(out).write_bytes(data)
        pages_text = f", {pages} pages" if pages else ""
        self.stdout.write(
            f"Wrote {out} ({len(data):,} bytes{pages_text}) in {time.perf_counter() - started:.2f} s."
        )
