"""Worker for one scale: migrate a fresh database, generate, then count SQL queries and time page renders.

Run by run.py in its own process (Django's settings are read once per process, and each scale has its own
database file, set by the SQLITE_PATH in the environment):

    python bench/pages.py --scale city --runs 7 --out var/bench/city.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import django
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

if TYPE_CHECKING:
    from generate import Generated

HOST = "127.0.0.1"  # in ALLOWED_HOSTS; the test client's default "testserver" is not


@dataclass
class Measure:
    """One page in one state (uncached, cached, or signed-in): queries per render and render times."""

    queries: int  # the fewest of the runs: the steady state
    query_counts: list[int]  # every count seen; more than one is reported (a signed-in request writes its
    # session at most once a minute, SessionLifetimeMiddleware: +3 queries on that one request)
    median_ms: float
    min_ms: float

    @classmethod
    def of(cls, samples: list[tuple[int, float]]) -> Measure:
        counts = [count for count, _seconds in samples]
        times = [seconds * 1000 for _count, seconds in samples]
        return cls(min(counts), sorted(set(counts)), statistics.median(times), min(times))


def render(client: Client, url: str) -> tuple[int, float]:
    """GET `url` once: (SQL queries, seconds). Anything but a 200 stops: it would time an error page."""
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}, expected 200")
    return len(queries), elapsed


def public_page(client: Client, url: str, runs: int) -> dict[str, Measure]:
    """First render with every cache emptied, as right after a content change (uncached), then the same page
    again (served from the page cache)."""
    from civicplan.plans.selectors import forget_built_plans

    render(client, url)  # warm-up: templates, translations, imports
    uncached, cached = [], []
    for _run in range(runs):
        cache.clear()
        forget_built_plans()
        uncached.append(render(client, url))
        cached.append(render(client, url))
    return {"uncached": Measure.of(uncached), "cached": Measure.of(cached)}


def staff_page(client: Client, url: str, runs: int) -> dict[str, Measure]:
    render(client, url)
    return {"signed-in": Measure.of([render(client, url) for _run in range(runs)])}


def public_urls(data: Generated) -> dict[str, str]:
    from budget import budget_public_urls

    return {
        "home": "/en/",
        "goal": f"/en/goals/{data.goal_code}/",
        "priority": f"/es/priorities/{data.priority_code}/",
        "indicator": "/en/indicators/" + _public_indicator_key(data) + "/",
        **budget_public_urls(data),
    }


def _public_indicator_key(data: Generated) -> str:
    from civicplan.performance.models import Indicator

    indicator = Indicator.objects.filter(plan=data.plan, is_published=True).order_by("key").first()
    if indicator is None:
        raise SystemExit("The generator made no published indicator.")
    return indicator.key


def measure_pages(data: Generated, runs: int) -> dict[str, dict[str, Any]]:
    anonymous = Client(HTTP_HOST=HOST)
    pages: dict[str, dict[str, Any]] = {}
    for name, url in public_urls(data).items():
        pages[name] = {"url": url, **{k: asdict(v) for k, v in public_page(anonymous, url, runs).items()}}
    staff = Client(HTTP_HOST=HOST)
    staff.force_login(data.coordinator)
    for name, url in staff_urls(data).items():
        pages[name] = {"url": url, **{k: asdict(v) for k, v in staff_page(staff, url, runs).items()}}
    return pages


def staff_urls(data: Generated) -> dict[str, str]:
    """The staff pages whose query counts must not grow with the plan: the tree, the dashboards, a goal's page
    (with its indicators), the indicator list, the update review queue, the budget's alignment views."""
    from budget import budget_staff_urls
    from civicplan.performance.models import Indicator
    from civicplan.plans.models import PlanItem

    goal = PlanItem.objects.get(plan=data.plan, code=data.goal_code)
    department = goal.department or data.organization.departments.order_by("code").first()
    period = data.plan.periods.filter(due_on__lt=dt.date.today()).order_by("-starts_on").first()
    urls = {
        "staff tree": f"/en/staff/plans/{data.plan.pk}/",
        "dashboard": "/en/staff/dashboard/",
        "department dashboard": f"/en/staff/dashboard/departments/{department.pk}/",
        "council summary": "/es/staff/dashboard/council/",
        "staff goal": f"/en/staff/items/{goal.pk}/",
        "indicator list": "/en/staff/indicators/",
    }
    if period is not None:
        urls["update review"] = f"/en/staff/plans/{data.plan.pk}/periods/{period.pk}/review/"
    indicator = Indicator.objects.filter(plan=data.plan, is_published=True).order_by("key").first()
    if indicator is not None:
        urls["staff indicator"] = f"/en/staff/indicators/{indicator.pk}/"
    return {**urls, **budget_staff_urls(data)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", choices=["city", "metro"], required=True)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    # The environment (SQLITE_PATH, ...) was set by run.py; models can only be imported once Django is set up.
    django.setup()
    from budget import generate_budget
    from generate import SCALES, generate, generate_tracking

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrate_seconds = time.perf_counter() - started
    data = generate(SCALES[args.scale])
    tracking = generate_tracking(data, SCALES[args.scale])
    tracking.update(generate_budget(data, SCALES[args.scale]))
    result = {
        "scale": args.scale,
        "items": data.items,
        "tracking": tracking,
        "timings": {"migrate": migrate_seconds, **data.timings},
        "goal_code": data.goal_code,
        "priority_code": data.priority_code,
        "urls": public_urls(data),
        "pages": measure_pages(data, args.runs),
    }
    args.out.write_text(json.dumps(result, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
