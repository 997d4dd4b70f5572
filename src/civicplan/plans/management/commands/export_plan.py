"""`manage.py export_plan --format yaml|json|xlsx [--plan ID] [--output FILE]`: the working draft as a file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from civicplan.core.commands import write_to_stdout
from civicplan.plans import selectors
from civicplan.plans.exporters import export_plan
from civicplan.plans.models import Plan


class Command(BaseCommand):
    help = "Export a plan's working draft as YAML, JSON or an XLSX outline workbook."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--format", choices=["yaml", "json", "xlsx"], default="yaml")
        parser.add_argument("--plan", type=int, help="Plan id (default: the current plan).")
        parser.add_argument("--output", "-o", type=Path, help="File to write (default: standard output).")

    def handle(self, *args: Any, format: str, plan: int | None, output: Path | None, **options: Any) -> None:
        chosen = Plan.objects.filter(pk=plan).first() if plan else selectors.current_plan()
        if chosen is None:
            raise CommandError("No such plan." if plan else "There is no plan to export.")
        data = export_plan(chosen, format)
        if output:
            output.write_bytes(data)
            self.stderr.write(f"Wrote {output} ({len(data):,} bytes).")
        elif format == "xlsx":
            raise CommandError("An XLSX workbook needs --output FILE.")
        else:
            write_to_stdout(self, data)
