"""Worker for the measurement-import benchmark: a fresh database with the city plan and its indicators, then a
CSV of N new values (100,000 by default) for extra indicators, timed through the real services:

    preview           every check, nothing written (what the upload page shows)
    import            the same checks again inside the transaction, then the bulk writes with history rows
    import again      the same file: every row unchanged, nothing written
    peak memory       the preview once more under tracemalloc (Python allocations), and the process's peak RSS

Run by run.py in its own process: python bench/imports.py --rows 100000 --out var/bench/imports.json
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import resource
import time
import tracemalloc
from pathlib import Path
from typing import Any

import django
from django.core.management import call_command


def months_so_far() -> int:
    """Months of the plan that have started (values for later months are refused), at most 60."""
    import datetime as dt

    from generate import PLAN_START

    today = dt.date.today()
    return max(1, min(60, (today.year - PLAN_START.year) * 12 + today.month - PLAN_START.month + 1))


def build_csv(keys: list[str], rows: int, rng: random.Random, months: int) -> bytes:
    from civicplan.lib.periods import add_months
    from generate import PLAN_START

    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["indicator", "period", "value", "note", "verified"])
    for n in range(rows):
        key = keys[n // months]
        month = add_months(PLAN_START, n % months)
        note = "Estimated; final figure next month" if rng.random() < 0.05 else ""
        value = f"{rng.uniform(0, 5000):.2f}"
        writer.writerow([key, f"{month.year}-{month.month:02d}", value, note, rng.choice(["yes", "no"])])
    return out.getvalue().encode("utf-8")


def timed(step: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    result = step()
    return result, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    django.setup()
    from civicplan.accounts.models import Department
    from civicplan.performance.models import Indicator
    from civicplan.performance.services import import_measurement_file, preview_measurement_file
    from generate import SCALES, generate, generate_tracking

    call_command("migrate", verbosity=0)
    data = generate(SCALES["city"])
    generate_tracking(data, SCALES["city"])
    rng = random.Random(f"imports-{args.rows}")
    departments = list(Department.objects.filter(organization=data.organization))
    months = months_so_far()
    count = -(-args.rows // months)
    Indicator.objects.bulk_create(
        Indicator(
            plan=data.plan,
            key=f"IMP-{n + 1:05d}",
            name_en=f"Imported indicator {n + 1}",
            name_es=f"Indicador importado {n + 1}",
            department=rng.choice(departments),
            is_published=n % 2 == 0,
        )
        for n in range(count)
    )
    keys = [f"IMP-{n + 1:05d}" for n in range(count)]
    content = build_csv(keys, args.rows, rng, months)
    plan, user = data.plan, data.coordinator

    def preview() -> Any:
        return preview_measurement_file(plan=plan, user=user, filename="bench.csv", data=content)

    def run_import() -> Any:
        return import_measurement_file(plan=plan, user=user, filename="bench.csv", data=content)

    checked, preview_s = timed(preview)
    assert not checked.errors, checked.errors[:5]
    written, import_s = timed(run_import)
    again, again_s = timed(run_import)
    assert (written.new, again.unchanged) == (args.rows, args.rows)
    tracemalloc.start()
    preview()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    result = {
        "rows": args.rows,
        "file_mb": len(content) / 1048576,
        "preview_s": preview_s,
        "import_s": import_s,
        "again_s": again_s,
        "peak_python_mb": peak / 1048576,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,  # KiB on Linux
        "generator_s": {k: round(v, 2) for k, v in data.timings.items()},
    }
    args.out.write_text(json.dumps(result, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
