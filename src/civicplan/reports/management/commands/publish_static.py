"""`manage.py publish_static --out DIR [--site-url https://plan.example.gov] [--host HOST] [--max-pages N]`: write
the public site (both languages, static assets, downloads) as static files any web server or CDN can host. Running it
again rewrites only changed files and removes the files it wrote before that no longer belong (reports/publishing.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from civicplan.reports.publishing import DEFAULT_MAX_PAGES, publish_static, tty_progress


class Command(BaseCommand):
    help = "Write the public site, in English and Spanish, as static files into --out DIR."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--out", required=True, type=Path, help="the folder to write (created if missing)"
        )
        parser.add_argument(
            "--site-url",
            default="",
            help="the live site's address: links to pages that need a server (survey forms, staff sign-in) go "
            "there; without it those links are dropped and their text kept",
        )
        parser.add_argument(
            "--host", default=None, help="host name for the in-process requests (ALLOWED_HOSTS)"
        )
        parser.add_argument(
            "--max-pages", type=int, default=DEFAULT_MAX_PAGES, help="stop the crawl after N pages"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        out: Path = options["out"]
        if out.exists() and not out.is_dir():
            raise CommandError(f"{out} exists and is not a folder.")
        progress = tty_progress(self.stdout._out) if options["verbosity"] > 0 else None
        result = publish_static(
            out,
            host=options["host"],
            site_url=options["site_url"],
            max_pages=options["max_pages"],
            progress=progress,
        )
        if progress:
            self.stdout.write("")
        for error in result.errors:
            self.stderr.write(f"warning: {error}")
        if options["verbosity"] > 0:
            self.stdout.write(f"Published to {out}: {result.summary()}")
