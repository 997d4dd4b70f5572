"""`manage.py export_stratml [--part 1|2] [--type Performance_Plan|Performance_Report] [--lang en|es] [--out FILE]`:
the adopted plan (never the working draft) as StratML, with the published indicators in Part 2."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from civicplan.core.commands import write_to_stdout
from civicplan.reports.stratml import LANGUAGES, TYPES, NoAdoptedPlan, export_stratml


class Command(BaseCommand):
    help = (
        "Export the adopted plan as StratML Part 1 (strategic plan) or Part 2 (performance plan or report)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--part", type=int, choices=[1, 2], default=1)
        parser.add_argument("--type", dest="doc_type", choices=TYPES, default="Performance_Plan")
        parser.add_argument(
            "--lang", choices=LANGUAGES, default="en", help="StratML texts hold one language."
        )
        parser.add_argument("--out", "-o", type=Path, help="File to write (default: standard output).")

    def handle(
        self, *args: Any, part: int, doc_type: str, lang: str, out: Path | None, **options: Any
    ) -> None:
        try:
            data = export_stratml(
                part=part, doc_type=doc_type, lang=lang, source=f"{settings.SITE_URL}/{lang}/"
            )
        except NoAdoptedPlan:
            raise CommandError("No plan has been adopted yet: there is nothing public to export.") from None
        if out:
            out.write_bytes(data)
            self.stderr.write(f"Wrote {out} ({len(data):,} bytes).")
            return
        write_to_stdout(self, data)
