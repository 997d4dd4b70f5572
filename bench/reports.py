"""Worker for the reports benchmark: a fresh database with the generated plan (city scale by default: ~400 actions,
150 indicators with their values, quarterly updates, the budget), then the annual report card of the plan's second
fiscal year built as a tagged PDF (data, layout and writing, as the background task does), in English and in
Spanish, plus the same report as XLSX. Prints nothing; run.py prints the JSON it writes.

Run by run.py in its own process:

    python bench/reports.py --scale city --out var/bench/reports.json
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import django
from django.core.management import call_command


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", choices=["city", "metro"], default="city")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    # The environment (SQLITE_PATH, ...) was set by run.py; models can only be imported once Django is set up.
    django.setup()
    from budget import generate_budget
    from civicplan.reports import exporters
    from civicplan.reports.report_data import build_report
    from generate import SCALES, generate, generate_tracking

    call_command("migrate", verbosity=0)
    data = generate(SCALES[args.scale])
    generate_tracking(data, SCALES[args.scale])
    generate_budget(data, SCALES[args.scale])
    end_year = data.plan.start_fiscal_year + 2  # FY named by the year it ends: the plan's second fiscal year
    period = f"FY{end_year}"
    result: dict[str, object] = {"scale": args.scale, "items": data.items, "period": period}
    for language in ("en", "es"):
        started, cpu = time.perf_counter(), time.process_time()
        report = build_report("annual", period, language)
        data_seconds = time.perf_counter() - started
        pdf, pages = exporters.write_pdf(report)
        result[language] = {
            "rows": report.size,
            "sections": report.sections,
            "data_seconds": data_seconds,
            "pdf_seconds": time.perf_counter() - started,
            # Wall time swells on a shared machine; the CPU time does not.
            "pdf_cpu_seconds": time.process_time() - cpu,
            "pages": pages,
            "bytes": len(pdf),
        }
    started = time.perf_counter()
    xlsx = exporters.write_xlsx(build_report("annual", period, "en"))
    result["xlsx_seconds"] = time.perf_counter() - started
    result["xlsx_bytes"] = len(xlsx)
    args.out.write_text(json.dumps(result, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
