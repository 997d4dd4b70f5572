"""Worker for the static-site benchmark: a fresh database with the generated plan (metro scale by default: items,
indicators with their values, the budget), then `publish_static` into an empty folder, timed, and once more over
its own output (nothing changed: every file compared, none written).

Run by run.py in its own process:

    python bench/static_publish.py --scale metro --out var/bench/static-publish.json
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path

import django
from django.core.management import call_command


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", choices=["city", "metro"], default="metro")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    # The environment (SQLITE_PATH, ...) was set by run.py; models can only be imported once Django is set up.
    django.setup()
    from budget import generate_budget
    from civicplan.reports.publishing import publish_static
    from env import BENCH_DIR
    from generate import SCALES, generate, generate_tracking

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    data = generate(SCALES[args.scale])
    generate_tracking(data, SCALES[args.scale])
    generate_budget(data, SCALES[args.scale])
    generate_seconds = time.perf_counter() - started

    site = BENCH_DIR / f"static-site-{args.scale}"
    shutil.rmtree(site, ignore_errors=True)
    first = publish_static(site)
    again = publish_static(site)
    result = {
        "scale": args.scale,
        "items": data.items,
        "generate_seconds": generate_seconds,
        "pages": first.pages,
        "files": first.files,
        "bytes": first.bytes,
        "seconds": first.seconds,
        "again_seconds": again.seconds,
        "again_written": again.written,
        "errors": first.errors[:10],
        "site": str(site),
    }
    args.out.write_text(json.dumps(result, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
