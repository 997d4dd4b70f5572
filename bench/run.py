"""`make bench`: SQL query counts and render times at city and metro scale, and public-page throughput
under gunicorn compared with a trivial view. Prints figures and ratios (medians); never fails on timing.

    .venv/bin/python bench/run.py                # both scales, 7 runs, 3 rounds x 5 s of load per URL
    .venv/bin/python bench/run.py --quick        # city only, 3 runs, 3 rounds x 1 s of load per URL
    .venv/bin/python bench/run.py --scale metro

Each scale is generated and measured in its own process (pages.py: Django reads its settings once per
process) on a fresh SQLite database under var/bench/. The targets are docs' quality targets (Performance).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Any

from env import BENCH_DIR, PROJECT_DIR, PYTHON, bench_env, prepare, remove_database
from load import LoadPlan, LoadResult, free_port, gunicorn, measure
from report import print_generation, print_import, print_load, print_pages, print_summary, summarise

TRIVIAL = "/healthz"  # the baseline: a view that touches neither the database nor a template


@dataclass(frozen=True)
class Mode:
    name: str
    scales: list[str]
    runs: int
    load: LoadPlan
    import_rows: int  # the measurement-import benchmark's file
    survey_responses: int  # the survey benchmark's responses


QUICK_LOAD = LoadPlan(concurrency=8, seconds=1.0, rounds=3, warmup_seconds=0.5)
FULL_LOAD = LoadPlan(concurrency=8, seconds=5.0, rounds=3, warmup_seconds=1.0)


def parse_args() -> Mode:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick", action="store_true", help="city only, 3 runs, 1 s of load per URL and round"
    )
    parser.add_argument(
        "--scale", choices=["city", "metro", "both"], help="default: both (city with --quick)"
    )
    args = parser.parse_args()
    scale = args.scale or ("city" if args.quick else "both")
    scales = ["city", "metro"] if scale == "both" else [scale]
    if args.quick:
        return Mode("quick", scales, runs=3, load=QUICK_LOAD, import_rows=20_000, survey_responses=20_000)
    return Mode("full", scales, runs=7, load=FULL_LOAD, import_rows=100_000, survey_responses=100_000)


def run_scale(scale: str, runs: int) -> dict[str, Any]:
    """Fresh database, migrate, generate and measure the pages, in a child process."""
    remove_database(scale)
    out = BENCH_DIR / f"{scale}.json"
    script = PROJECT_DIR / "bench" / "pages.py"
    command = [str(PYTHON), str(script), "--scale", scale, "--runs", str(runs), "--out", str(out)]
    subprocess.run(command, cwd=PROJECT_DIR, env=bench_env(scale), check=True)
    return dict(json.loads(out.read_text(encoding="utf-8")))


def run_worker(name: str, script: str, *arguments: str) -> dict[str, Any]:
    """One benchmark worker (bench/<script>) on its own fresh database, in a child process; its JSON result:
    imports.py (measurement import), budget_import.py, surveys.py, survey_import.py."""
    remove_database(name)
    out = BENCH_DIR / f"{name}.json"
    command = [str(PYTHON), str(PROJECT_DIR / "bench" / script), *arguments, "--out", str(out)]
    subprocess.run(command, cwd=PROJECT_DIR, env=bench_env(name), check=True)
    return dict(json.loads(out.read_text(encoding="utf-8")))


def print_budget_import(result: dict[str, Any]) -> None:
    print(
        f"Budget import ({result['lines']:,} lines, one fiscal year; target <= 5 s):\n"
        f"  preview {result['preview_seconds']:.1f} s (median of 3), import {result['import_seconds']:.1f} s "
        f"({result['written']:,} lines written with history), the same file again {result['again_seconds']:.1f} s "
        f"({result['again_written']} written)\n"
    )


def print_surveys(result: dict[str, Any]) -> None:
    page, filtered = result["page"], result["page_filtered"]
    analysis = result["tabulate_seconds"] + result["weighted_crosstab_seconds"]
    print(
        f"Survey results ({result['responses']:,} responses x {result['questions']} questions, medians of 3):\n"
        f"  read the responses into the column frame {result['read_seconds']:.1f} s "
        f"({result['frame_mb']:.0f} MB; kept per process until a response changes)\n"
        f"  over the frame: tabulate every question {result['tabulate_seconds'] * 1000:.0f} ms, one crosstab "
        f"{result['crosstab_seconds'] * 1000:.0f} ms, weighted {result['weighted_crosstab_seconds'] * 1000:.0f} ms "
        f"(joining the weights {result['weights_join_seconds'] * 1000:.0f} ms)\n"
        f"  tabulation + weighted crosstab {analysis * 1000:.0f} ms (target <= 300 ms)\n"
        f"  staff results page: first render {page['uncached_seconds']:.1f} s (reads the frame), "
        f"{page['frame_kept_seconds'] * 1000:.0f} ms with the frame kept, {page['seconds'] * 1000:.0f} ms from the "
        f"results cache, {page['queries']} queries; filtered with a crosstab: {filtered['uncached_seconds']:.1f} s, "
        f"{filtered['frame_kept_seconds'] * 1000:.0f} ms, {filtered['seconds'] * 1000:.0f} ms, "
        f"{filtered['queries']} queries\n"
    )


def print_survey_import(result: dict[str, Any]) -> None:
    ratio = result["import_seconds"] / result["polars_seconds"]
    print(
        f"Survey import (LimeSurvey CSV, {result['file_mb']:.0f} MB, {result['responses']:,} responses x 25 "
        f"questions; targets <= 30 s, <= 400 MB):\n"
        f"  import {result['import_seconds']:.1f} s ({result['imported']:,} responses written); the same file "
        f"again {result['again_seconds']:.1f} s ({result['again_new']} added)\n"
        f"  peak RSS of the import process {result['rss_peak_mb']:.0f} MB ({result['rss_before_mb']:.0f} MB "
        f"before the import: interpreter, Django, the file's bytes)\n"
        f"  polars.read_csv of the same bytes {result['polars_seconds']:.2f} s: the import takes {ratio:.0f}x "
        f"the bare read (it checks every answer and writes every response)\n"
    )


def print_static_publish(result: dict[str, Any]) -> None:
    print(
        f"Static site (publish_static, {result['scale']} scale, {result['items']:,} plan items, both languages):\n"
        f"  {result['pages']:,} pages, {result['files']:,} files, {result['bytes'] / 1e6:.1f} MB written in "
        f"{result['seconds']:.1f} s; publishing again {result['again_seconds']:.1f} s "
        f"({result['again_written']} files rewritten)\n"
        + "".join(f"  warning: {error}\n" for error in result["errors"])
    )


def print_reports(result: dict[str, Any]) -> None:
    lines = [
        f"  {language}: {figures['pdf_seconds']:.1f} s ({figures['pdf_cpu_seconds']:.1f} s CPU), "
        f"{figures['pages']} pages "
        f"({figures['pdf_seconds'] / max(1, figures['pages']):.2f} s/page; data {figures['data_seconds']:.2f} s, "
        f"{figures['rows']:,} rows, {figures['bytes'] / 1e6:.1f} MB)\n"
        for language, figures in ((lang, result[lang]) for lang in ("en", "es"))
    ]
    print(
        f"Annual report PDF (build_report, {result['scale']} scale, {result['items']:,} plan items, "
        f"{result['period']}; a background task):\n"
        + "".join(lines)
        + f"  XLSX of the same report: {result['xlsx_seconds']:.2f} s, {result['xlsx_bytes'] / 1e3:.0f} kB\n"
    )


def run_script(title: str, script: str, *arguments: str) -> None:
    """A standalone benchmark (no database) that prints its own figures."""
    print(f"{title}:")
    command = [str(PYTHON), str(PROJECT_DIR / "bench" / script), *arguments]
    completed = subprocess.run(command, cwd=PROJECT_DIR, check=True, capture_output=True, text=True)
    print("\n".join(f"  {line}" for line in completed.stdout.splitlines()) + "\n")


def run_load(scale_result: dict[str, Any], plan: LoadPlan) -> dict[str, list[LoadResult]]:
    urls = scale_result["urls"]
    paths = [TRIVIAL, urls["home"], urls["goal"], urls["priority"], "/api/v1/items?limit=100"]
    port = free_port()
    with gunicorn(bench_env(scale_result["scale"]), port) as server:
        return measure(port, server.pid, paths, plan)


def load_average() -> str:
    return f"{os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else "unknown"


def main() -> None:
    mode = parse_args()
    started = time.perf_counter()
    # Line-buffered, so that this process's lines and its child processes' output stay in order.
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    prepare()
    # The load average says how busy the machine was: other work skews timings (ratios less so).
    print(
        f"CivicPlan benchmarks ({mode.name}): scales {', '.join(mode.scales)}; Python "
        f"{platform.python_version()}, {os.cpu_count()} CPUs, load average {load_average()} at start\n"
    )
    results = {scale: run_scale(scale, mode.runs) for scale in mode.scales}
    print_generation(results)
    problems = print_pages(results, mode.runs)
    load_scale = "city" if "city" in results else mode.scales[0]
    load = summarise(run_load(results[load_scale], mode.load))
    print_load(load, mode.load, load_scale)
    print_import(run_worker("imports", "imports.py", "--rows", str(mode.import_rows)))
    print_budget_import(run_worker("budget-import", "budget_import.py", "--lines", "10000"))
    print_surveys(run_worker("surveys", "surveys.py", "--responses", str(mode.survey_responses)))
    responses = str(mode.survey_responses)
    print_survey_import(run_worker("survey-import", "survey_import.py", "--responses", responses))
    run_script(
        "Weighting (raking, weighted crosstab; target with tabulation <= 300 ms)",
        "weighting.py",
        "--rows",
        responses,
    )
    run_script("Themes (10,000 bilingual comments; target <= 15 s)", "themes.py", "--comments", "10000")
    static_scale = "city" if mode.name == "quick" else "metro"
    print_static_publish(run_worker("static-publish", "static_publish.py", "--scale", static_scale))
    print_reports(run_worker("reports", "reports.py", "--scale", "city"))
    print_summary(results, problems, load)
    print(f"Total time: {time.perf_counter() - started:.0f} s (load average {load_average()} at the end)")


if __name__ == "__main__":
    main()
