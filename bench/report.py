"""The printed tables of bench/run.py, and the comparison with the quality targets."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from typing import Any

from load import LoadPlan, LoadResult

QUERY_LIMIT = 15  # "at most ~15" SQL queries per page
THROUGHPUT_TARGET = 0.70  # a public page serves >= 70% of the trivial view's requests/s...
P95_TARGET = 4.0  # ...with a p95 latency under 4x the trivial view's
PAGE_STATES = [
    ("home", "uncached"),
    ("home", "cached"),
    ("goal", "uncached"),
    ("goal", "cached"),
    ("priority", "uncached"),
    ("priority", "cached"),
    ("indicator", "uncached"),
    ("indicator", "cached"),
    ("staff tree", "signed-in"),
    ("dashboard", "signed-in"),
    ("department dashboard", "signed-in"),
    ("council summary", "signed-in"),
    ("staff goal", "signed-in"),
    ("indicator list", "signed-in"),
    ("staff indicator", "signed-in"),
    ("update review", "signed-in"),
    ("where the money goes", "uncached"),
    ("where the money goes", "cached"),
    ("budget by priority", "signed-in"),
    ("budget totals", "signed-in"),
    ("budget gaps", "signed-in"),
    ("budget actions", "signed-in"),
    ("budget lines", "signed-in"),
    ("budget line", "signed-in"),
    ("budget ranking", "signed-in"),
    ("budget request", "signed-in"),
    ("action funding", "signed-in"),
]
Results = dict[str, dict[str, Any]]  # per scale: what pages.py wrote


def table(headers: list[str], rows: list[list[str]], align: str) -> None:
    """`align` has one letter per column: l(eft) for words, r(ight) for figures, so that they line up."""
    widths = [max(len(cell) for cell in column) for column in zip(headers, *rows, strict=True)]

    def line(cells: list[str]) -> str:
        padded = [
            c.ljust(w) if a == "l" else c.rjust(w) for c, w, a in zip(cells, widths, align, strict=True)
        ]
        return ("  " + "  ".join(padded)).rstrip()

    print(line(headers))
    print("  " + "  ".join("-" * w for w in widths))
    for row in rows:
        print(line(row))
    print()


def fmt(value: float, digits: int = 1) -> str:
    return "-" if math.isnan(value) else f"{value:,.{digits}f}"


# --- Generation and pages ---------------------------------------------------------------------------------


def print_generation(results: Results) -> None:
    print(
        "Data generation, seconds (import: one save() with a history row per item, through services; "
        "indicators and update history: bulk inserts with history rows)"
    )
    scales = list(results)
    steps = list(next(iter(results.values()))["timings"])
    rows = [["plan items", *(f"{results[s]['items']:,}" for s in scales)]]
    for name in ("indicators", "measurements", "updates"):
        if all(name in results[s].get("tracking", {}) for s in scales):
            rows.append([name, *(f"{results[s]['tracking'][name]:,}" for s in scales)])
    rows += [[step, *(fmt(results[s]["timings"][step], 2) for s in scales)] for step in steps]
    table(["step", *scales], rows, "l" + "r" * len(scales))


def query_problems(results: Results) -> dict[tuple[str, str], str]:
    """Per page and state: 'N+1!' when the steady-state count differs between scales, 'over ~15' when there
    are too many, 'varies' when runs of one scale saw different counts (explained under the table)."""
    problems = {}
    for page, state in PAGE_STATES:
        measures = [results[s]["pages"][page][state] for s in results]
        counts = {m["queries"] for m in measures}
        seen = sorted({count for m in measures for count in m["query_counts"]})
        if len(counts) > 1:
            problems[(page, state)] = "N+1!"
        elif max(counts) > QUERY_LIMIT:
            problems[(page, state)] = f"over ~{QUERY_LIMIT}"
        elif len(seen) > 1:
            problems[(page, state)] = f"varies {seen[0]}-{seen[-1]} (*)"
    return problems


def print_pages(results: Results, runs: int) -> dict[tuple[str, str], str]:
    scales = list(results)
    problems = query_problems(results)
    print(f"Pages (Django test client): SQL queries per render, render time in ms (median of {runs} runs);")
    print(
        "uncached = first render with the page cache and the built public plan dropped (as after a change); cached = the same page again"
    )
    headers = ["page", "state", *(f"queries {s}" for s in scales), *(f"ms {s}" for s in scales)]
    headers += ["ms metro/city"] if len(scales) == 2 else []
    rows = [_page_row(results, page, state, problems) for page, state in PAGE_STATES]
    table([*headers, "queries"], rows, "ll" + "r" * (len(headers) - 2) + "l")
    if any(v.startswith("varies") for v in problems.values()):
        print("  (*) runs saw different counts; the table shows the fewest. A signed-in request writes its")
        print(
            "      session at most once a minute (SessionLifetimeMiddleware): +3 queries on that request.\n"
        )
    if "N+1!" in problems.values():
        print("  !!! N+1! A page runs a different number of SQL queries at different scales (above) !!!\n")
    return problems


def _page_row(results: Results, page: str, state: str, problems: dict[tuple[str, str], str]) -> list[str]:
    scales = list(results)
    measures = [results[s]["pages"][page][state] for s in scales]
    row = [f"{page} {results[scales[0]]['pages'][page]['url']}", state]
    row += [str(m["queries"]) for m in measures] + [fmt(m["median_ms"]) for m in measures]
    if len(scales) == 2:
        row.append(f"{measures[1]['median_ms'] / measures[0]['median_ms']:.1f}x")
    same = "same" if len(scales) == 2 else "ok"
    problem = problems.get((page, state))
    if problem is None or problem == "N+1!":
        return [*row, problem or same]
    return [*row, f"{same}; {problem}"]


# --- Load ---------------------------------------------------------------------------------------------------


@dataclass
class LoadSummary:
    """Medians over the rounds of one URL."""

    path: str
    rps: float
    p50_ms: float
    p95_ms: float
    cpu_ms: float  # gunicorn workers' CPU time per request
    errors: int


def summarise(results: dict[str, list[LoadResult]]) -> list[LoadSummary]:
    return [
        LoadSummary(
            path,
            statistics.median(r.rps for r in rounds),
            statistics.median(r.p50_ms for r in rounds),
            statistics.median(r.p95_ms for r in rounds),
            statistics.median(r.cpu_ms_per_request for r in rounds),
            sum(r.errors for r in rounds),
        )
        for path, rounds in results.items()
    ]


def print_load(summaries: list[LoadSummary], plan: LoadPlan, scale: str) -> None:
    print(
        f"Throughput under gunicorn (gthread, 2 workers x 4 threads, {scale} database): {plan.concurrency} "
        f"keep-alive connections, {fmt(plan.seconds)} s per URL x {plan.rounds} rounds, medians"
    )
    base = summaries[0]
    rows = [_load_row(s, base) for s in summaries]
    headers = ["url", "req/s", "p50 ms", "p95 ms", "req/s vs /healthz", "p95 vs /healthz"]
    headers += ["server CPU ms/req", "errors", "targets: >= 70%, < 4x"]
    table(headers, rows, "lrrrrrrrl")


def _load_row(s: LoadSummary, base: LoadSummary) -> list[str]:
    share, p95_ratio = s.rps / base.rps, s.p95_ms / base.p95_ms
    verdict = "(baseline)" if s is base else _load_verdict(share, p95_ratio)
    return [
        s.path, fmt(s.rps, 0), fmt(s.p50_ms, 2), fmt(s.p95_ms, 2), f"{share:.0%}", f"{p95_ratio:.2f}x",
        fmt(s.cpu_ms, 2), str(s.errors), verdict,
    ]  # fmt: skip


def _load_verdict(share: float, p95_ratio: float) -> str:
    misses = []
    if share < THROUGHPUT_TARGET:
        misses.append("req/s BELOW")
    if p95_ratio >= P95_TARGET:
        misses.append("p95 ABOVE")
    return ", ".join(misses) or "ok"


# --- Summary ------------------------------------------------------------------------------------------------


def print_summary(results: Results, problems: dict[tuple[str, str], str], load: list[LoadSummary]) -> None:
    print("Summary against the quality targets")
    rows = _query_rows(results, problems) + _load_rows(load)
    table(["target", "measured", "verdict"], rows, "lll")


def _query_rows(results: Results, problems: dict[tuple[str, str], str]) -> list[list[str]]:
    n_plus_one = sorted({f"{page} ({state})" for (page, state), v in problems.items() if v == "N+1!"})
    if len(results) < 2:
        same = [f"one scale only ({', '.join(results)})", "not compared"]
    else:
        same = ["; ".join(n_plus_one), "N+1!"] if n_plus_one else ["yes, every page", "ok"]
    most, page = max((results[s]["pages"][p][st]["queries"], p) for s in results for p, st in PAGE_STATES)
    return [
        ["same SQL queries at city and metro", *same],
        [
            f"at most ~{QUERY_LIMIT} queries per page",
            f"max {most} ({page})",
            "ok" if most <= QUERY_LIMIT else "ABOVE",
        ],
    ]


def _load_rows(load: list[LoadSummary]) -> list[list[str]]:
    base, pages = load[0], load[1:]
    slowest = min(pages, key=lambda s: s.rps)
    spikiest = max(pages, key=lambda s: s.p95_ms)
    share, p95_ratio = slowest.rps / base.rps, spikiest.p95_ms / base.p95_ms
    costliest = max(pages, key=lambda s: s.cpu_ms)
    errors = sum(s.errors for s in load)
    return [
        ["public req/s >= 70% of /healthz", f"min {share:.0%} ({slowest.path})",
         "ok" if share >= THROUGHPUT_TARGET else "BELOW"],
        ["public p95 < 4x /healthz", f"max {p95_ratio:.2f}x ({spikiest.path})",
         "ok" if p95_ratio < P95_TARGET else "ABOVE"],
        ["server CPU/request vs /healthz", f"max {costliest.cpu_ms / base.cpu_ms:.2f}x ({costliest.path})",
         "(no target; steadier than req/s on a busy machine)"],
        ["errors under load", str(errors), "ok" if not errors else "ERRORS"],
    ]  # fmt: skip


# --- Measurement import -------------------------------------------------------------------------------------


def print_import(result: dict[str, Any]) -> None:
    rows = result["rows"]
    print(
        f"Measurement import (services, SQLite): a CSV of {rows:,} new values ({result['file_mb']:.1f} MB) "
        "for the city plan; target: 100,000 rows well under 30 s"
    )
    table(
        ["step", "seconds", "rows/s"],
        [
            [
                "preview (checks only, nothing written)",
                fmt(result["preview_s"], 2),
                fmt(rows / result["preview_s"], 0),
            ],
            [
                "import (checks again + writes with history)",
                fmt(result["import_s"], 2),
                fmt(rows / result["import_s"], 0),
            ],
            ["same file again (all unchanged)", fmt(result["again_s"], 2), fmt(rows / result["again_s"], 0)],
        ],
        "lrr",
    )
    print(
        f"  peak memory: {fmt(result['peak_python_mb'])} MB of Python allocations during a preview (tracemalloc); "
        f"{fmt(result['peak_rss_mb'])} MB peak RSS of the whole process\n"
    )
