"""Worker for the budget-import benchmark: a fresh database with the city plan, then a long CSV of N budget lines
(10,000 by default, one fiscal year, adopted amounts, departments spelled as the city spells them, funds created
from the file) timed through the real services, median of 3 for the preview:

    preview           every check, nothing written (what the upload page shows)
    import            the same checks inside the transaction, then the writes with history rows
    import again      the same file: every line unchanged, nothing written

Run by run.py in its own process: python bench/budget_import.py --lines 10000 --out var/bench/budget-import.json
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import statistics
import time
from pathlib import Path
from typing import Any

import django
from django.core.management import call_command


def build_csv(departments: list[str], fiscal_year: int, lines: int, rng: random.Random) -> bytes:
    from budget import ACCOUNTS, FUNDS, PROGRAMS

    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [
            "Fiscal Year",
            "Fund Code",
            "Fund Name",
            "Department",
            "Division",
            "Account",
            "Description",
            "Budget Type",
            "Amount",
        ]
    )
    label = f"FY {fiscal_year}-{(fiscal_year + 1) % 100:02d}"
    for n in range(lines):
        code, name, _es = FUNDS[n % len(FUNDS)]
        amount = f"{rng.randint(1_000, 2_000_000)}.{rng.randint(0, 99):02d}"
        writer.writerow(
            [
                label,
                code,
                name,
                departments[n % len(departments)],
                PROGRAMS[n % len(PROGRAMS)],
                ACCOUNTS[n % len(ACCOUNTS)],
                f"Line {n}",
                "Adopted",
                amount,
            ]
        )
    return out.getvalue().encode("utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    django.setup()
    call_command("migrate", verbosity=0)
    from civicplan.accounts.models import Department
    from civicplan.budget.services.imports import import_budget_file, preview_budget_file
    from generate import SCALES, generate

    data = generate(SCALES["city"])
    plan = data.plan
    names = list(Department.objects.filter(organization=plan.organization).values_list("name_en", flat=True))
    content = build_csv(names, plan.start_fiscal_year, args.lines, random.Random(5))
    arguments: dict[str, Any] = {
        "organization": plan.organization,
        "plan": plan,
        "user": data.coordinator,
        "filename": "budget.csv",
        "data": content,
        "fund": None,
        "choices": {},
        "create_missing": True,
    }
    times = []
    for _ in range(3):
        started = time.perf_counter()
        preview = preview_budget_file(**arguments)
        times.append(time.perf_counter() - started)
    assert preview.ok, "the benchmark file should import"
    started = time.perf_counter()
    written = import_budget_file(**arguments)
    imported = time.perf_counter() - started
    started = time.perf_counter()
    again = import_budget_file(**arguments)
    second = time.perf_counter() - started
    result = {
        "lines": args.lines,
        "preview_seconds": statistics.median(times),
        "import_seconds": imported,
        "written": written.to_write,
        "again_seconds": second,
        "again_written": again.to_write,
    }
    args.out.write_text(json.dumps(result), encoding="utf-8")


if __name__ == "__main__":
    main()
