"""Raking and weighted estimates (`civicplan.insights.weighting`) on 100,000 synthetic respondents, the size a
results page weights and tabulates on the fly (target: raking well under 0.5 s). Pure numpy: no database, no
Django. Not part of the test suite.

    .venv/bin/python bench/weighting.py [--rows 100000]

The respondents (seeded) lean the way an opt-in survey does: older, home-owning, English-speaking and from the
first districts, against census-like margins. Four segments: age band (5), district (6), tenure (3, depends on
age), language (2, depends on district); about 3 % without a district. Two answers, depending on the segments
so that weighting moves them: a single choice of 5 options (5 % unanswered) and a 1-5 rating (4 % unanswered).
The segments are passed as lists of codes, as a page has them, so the encoding is in the times.

Timed, median of 5 (time.perf_counter):

- rake: `rake` to the four margins; then the same with trim=(0.3, 3.0);
- crosstab: `crosstab` of the single choice by district with the raked weights (an Estimate per cell);
- shares: `shares` of the single choice and of the rating, and `mean` of the rating.

Then the raking's iterations, largest margin error, design effect and effective n, and how far the weights
moved the first option's share.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR / "src"))

from civicplan.insights.weighting import (  # noqa: E402  (the path above comes first)
    Margin,
    RakingResult,
    crosstab,
    mean,
    rake,
    shares,
)

RUNS = 5
TRIM = (0.3, 3.0)
AGES = ("18-24", "25-34", "35-49", "50-64", "65+")
DISTRICTS = ("D1", "D2", "D3", "D4", "D5", "D6")
TENURES = ("own", "rent", "other")
LANGUAGES = ("en", "es")
OPTIONS = ("A1", "A2", "A3", "A4", "A5")
CENSUS = {
    "age": dict(zip(AGES, (0.14, 0.2, 0.27, 0.23, 0.16), strict=True)),
    "district": dict(zip(DISTRICTS, (0.19, 0.18, 0.17, 0.16, 0.15, 0.15), strict=True)),
    "tenure": dict(zip(TENURES, (0.52, 0.43, 0.05), strict=True)),
    "language": dict(zip(LANGUAGES, (0.62, 0.38), strict=True)),
}


def pick(rng: np.random.Generator, codes: tuple[str, ...], probabilities: np.ndarray) -> np.ndarray:
    """One code per row of `probabilities` (rows x codes), by inverse CDF: vectorised where rng.choice is not."""
    cumulative = np.cumsum(probabilities, axis=1)
    drawn = (rng.random((probabilities.shape[0], 1)) > cumulative).sum(axis=1)
    return np.array(codes, dtype=object)[np.minimum(drawn, len(codes) - 1)]


def respondents(rows: int) -> dict[str, list[Any]]:
    rng = np.random.default_rng(20260301 + rows)
    age = rng.choice(len(AGES), rows, p=[0.05, 0.12, 0.25, 0.3, 0.28])
    district = rng.choice(len(DISTRICTS), rows, p=[0.3, 0.22, 0.18, 0.12, 0.1, 0.08])
    own = 0.45 + 0.1 * age  # older people own more often
    tenure = pick(rng, TENURES, np.column_stack([own, 0.96 - own, np.full(rows, 0.04)]))
    spanish = 0.08 + 0.05 * district  # the later districts speak more Spanish
    language = pick(rng, LANGUAGES, np.column_stack([1 - spanish, spanish]))
    # The first option is the young, Spanish-speaking renters' favourite: the sample under-counts them.
    lean = (4 - age) / 4 * 0.25 + (language == "es") * 0.15 + (tenure == "rent") * 0.1
    answer = pick(rng, OPTIONS, np.column_stack([0.1 + lean, *[(0.9 - lean) / 4] * 4]))
    rating = np.clip(np.rint(rng.normal(3.4 - (tenure == "rent") * 0.6, 1.0)), 1, 5)
    data: dict[str, list[Any]] = {
        "age": [AGES[i] for i in age],
        "district": [DISTRICTS[i] for i in district],
        "tenure": tenure.tolist(),
        "language": language.tolist(),
        "answer": answer.tolist(),
        "rating": [str(int(r)) for r in rating],
    }
    for key, share in (("district", 0.03), ("answer", 0.05), ("rating", 0.04)):
        for i in np.flatnonzero(rng.random(rows) < share):
            data[key][i] = None
    return data


def timed(work: Callable[[], Any]) -> tuple[Any, list[float]]:
    times, result = [], None
    for _run in range(RUNS):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    return result, times


def line(label: str, times: list[float]) -> str:
    runs = ", ".join(f"{t:.3f}" for t in times)
    return f"{label:<40} {statistics.median(times):>8.3f}   {runs}"


def summary(label: str, result: RakingResult) -> str:
    return (
        f"{label:<20} iterations {result.iterations:>4}   converged {result.converged!s:<5}   "
        f"max margin error {result.max_margin_error:.1e}   deff {result.design_effect:.2f}   "
        f"effective n {result.effective_n:,.0f}   weights {result.weights.min():.2f}-{result.weights.max():.2f}"
        f"   at a bound {result.trimmed:,}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    data = respondents(args.rows)
    margins = [Margin(variable, shares_) for variable, shares_ in CENSUS.items()]
    raked, rake_times = timed(lambda: rake(data, margins))
    trimmed, trim_times = timed(lambda: rake(data, margins, trim=TRIM))
    weights = raked.weights
    table, crosstab_times = timed(lambda: crosstab(data["answer"], data["district"], weights, rows=OPTIONS))
    ratings = np.array([np.nan if r is None else float(r) for r in data["rating"]])

    def all_shares() -> tuple[Any, ...]:
        return (
            shares(data["answer"], weights, OPTIONS),
            shares(data["rating"], weights),
            mean(ratings, weights),
        )

    (answer, _rating, rating_mean), shares_times = timed(all_shares)
    unweighted = shares(data["answer"], categories=OPTIONS)["A1"]
    loads = ", ".join(f"{load:.2f}" for load in os.getloadavg())
    print(f"respondents: {args.rows:,}   segments: age 5, district 6, tenure 3, language 2   load: {loads}")
    print(f"{'step (median of ' + str(RUNS) + ', seconds)':<40} {'median':>8}   runs")
    print(line("rake, 4 margins", rake_times))
    print(line(f"rake, 4 margins, trim={TRIM}", trim_times))
    print(line("crosstab answer x district (5 x 6)", crosstab_times))
    print(line("shares of answer and rating, mean rating", shares_times))
    print(summary("raked:", raked))
    print(summary(f"trimmed {TRIM}:", trimmed))
    weighted = answer["A1"]
    in_d6 = table.share("A1", "D6")
    print(
        f"A1: unweighted {unweighted.value:.1%} ± {unweighted.margin_of_error:.1%}, weighted {weighted.value:.1%}"
        f" ± {weighted.margin_of_error:.1%} (n {weighted.n:,}, effective {weighted.effective_n:,.0f});"
        f" in D6 {in_d6.value:.1%} ± {in_d6.margin_of_error:.1%}; mean rating {rating_mean.value:.2f}"
        f" ± {rating_mean.margin_of_error:.2f}"
    )


if __name__ == "__main__":
    main()
