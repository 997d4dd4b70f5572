"""Worker for the survey results benchmark: a fresh database with a 25-question survey (every kind) and N
responses (100,000 by default) bulk-inserted, then, median of 3:

    read               the counted responses into the column frame (results_view.answer_frame_of, not kept)
    tabulate           every question's tabulation over the frame
    crosstab           one crosstab of two questions
    weighted crosstab  the same with a weight per response (joined on the response id, as raking gives them)
    results page       the staff results page through the test client (queries and time), with and without a
                       filter: the first render (the frame is read), the first after a cache clear with the frame
                       kept, and then from the results cache

Run by run.py in its own process: python bench/surveys.py --responses 100000 --out var/bench/surveys.json
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import time
from pathlib import Path
from typing import Any

import django
from django.core.management import call_command

OPTIONS = [(f"o{n}", f"Option {n}", f"Opción {n}") for n in range(1, 7)]
ROWS = [(f"r{n}", f"Row {n}", f"Fila {n}") for n in range(1, 5)]
# 25 questions: every kind, demographic segments last.
KINDS = (
    ["single"] * 6
    + ["multiple"] * 4
    + ["rating"] * 4
    + ["matrix"] * 2
    + ["ranking", "allocation", "number", "short_text", "long_text"]
    + ["segment"] * 3
    + ["district"]
)


def build_survey() -> Any:
    from civicplan.engagement.models import Option, Question, Survey
    from civicplan.plans.models import Plan

    plan = Plan.objects.first()
    survey = Survey.objects.create(plan=plan, slug="bench", title_en="Bench", title_es="Bench", state="open")
    for position, kind in enumerate(KINDS):
        real = "single" if kind == "segment" else kind
        segment = {22: "age_band", 23: "home_language", 21: "relationship"}.get(position, "")
        question = Question.objects.create(
            survey=survey,
            key=f"q{position + 1}",
            position=position,
            kind=real,
            text_en=f"Question {position + 1}",
            text_es=f"Pregunta {position + 1}",
            segment=segment,
            allows_other=kind == "multiple",
        )
        if real in ("single", "multiple", "ranking", "allocation"):
            for index, (code, en, es) in enumerate(OPTIONS):
                Option.objects.create(question=question, code=code, label_en=en, label_es=es, position=index)
        if real == "matrix":
            for index, (code, en, es) in enumerate(ROWS):
                Option.objects.create(
                    question=question, code=code, label_en=en, label_es=es, position=index, is_row=True
                )
    return survey


def answer(kind: str, rng: random.Random) -> Any:
    codes = [code for code, _en, _es in OPTIONS]
    if kind in ("single", "segment"):
        return rng.choice(codes)
    if kind == "multiple":
        return sorted(rng.sample(codes, rng.randint(1, 3)))
    if kind == "rating":
        return rng.randint(1, 5)
    if kind == "matrix":
        return {code: rng.randint(1, 5) for code, _en, _es in ROWS}
    if kind == "ranking":
        return rng.sample(codes, 3)
    if kind == "allocation":
        return {"o1": 50, "o2": 30, "o3": 20}
    if kind == "number":
        return str(rng.randint(0, 40))
    if kind == "district":
        return rng.choice(["95120", "95121", "95122", "95123"])
    return rng.choice(["More parks", "Fix the streets", "Más vivienda", "Mejor transporte"])


def build_responses(survey: Any, count: int, rng: random.Random) -> None:
    from civicplan.engagement.models import Response

    batch = []
    for n in range(count):
        answers = {f"q{i + 1}": answer(kind, rng) for i, kind in enumerate(KINDS) if rng.random() < 0.95}
        batch.append(
            Response(
                survey=survey,
                answers=answers,
                submitted_on="2026-03-01",
                language=rng.choice(["en", "es"]),
                flagged=n % 97 == 0,
            )
        )
        if len(batch) == 5000:
            Response.objects.bulk_create(batch)
            batch = []
    Response.objects.bulk_create(batch)


def median_time(step: Any, runs: int = 3) -> tuple[Any, float]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = step()
        times.append(time.perf_counter() - started)
    return result, statistics.median(times)


def page(client: Any, url: str) -> dict[str, Any]:
    """The first render (reads the frame and tabulates), the first with the frame kept (tabulates), and the
    median of three more (the results cache)."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from civicplan.engagement import results_view

    def render() -> float:
        started = time.perf_counter()
        client.get(url, HTTP_HOST="127.0.0.1")
        return time.perf_counter() - started

    cache.clear()
    results_view.forget_frames()
    uncached = render()
    cache.clear()
    frame_kept = render()
    with CaptureQueriesContext(connection) as queries:
        _response, seconds = median_time(lambda: client.get(url, HTTP_HOST="127.0.0.1"))
    return {
        "queries": len(queries) // 3,
        "seconds": seconds,
        "uncached_seconds": uncached,
        "frame_kept_seconds": frame_kept,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    django.setup()
    call_command("migrate", verbosity=0)
    from django.test import Client

    from civicplan.accounts.models import User
    from civicplan.engagement import results_view, selectors
    from civicplan.engagement.tabulation import RESPONSE, crosstab, tabulate, with_weights
    from generate import SCALES, generate

    generate(SCALES["city"])
    rng = random.Random(7)
    survey = build_survey()
    started = time.perf_counter()
    build_responses(survey, args.responses, rng)
    generated = time.perf_counter() - started
    asked = selectors.asked_questions(survey, "en")

    def read() -> Any:
        results_view.forget_frames()
        return results_view.answer_frame_of(survey)

    frame, read_seconds = median_time(read)
    _results, tabulated = median_time(lambda: [tabulate(a.shape, frame) for a in asked])
    _table, crossed = median_time(lambda: crosstab(asked[0].shape, asked[10].shape, frame))
    weights = {pk: rng.uniform(0.3, 3.0) for pk in frame[RESPONSE].to_list()}
    weighted, joined = median_time(lambda: with_weights(frame, weights))
    _table, weighted_crossed = median_time(lambda: crosstab(asked[0].shape, asked[10].shape, weighted))
    results_view.forget_frames()
    client = Client()
    client.force_login(User.objects.filter(role="coordinator").first())
    url = f"/en/staff/engagement/surveys/{survey.pk}/results/"
    result = {
        "responses": args.responses,
        "questions": len(asked),
        "generate_seconds": generated,
        "read_seconds": read_seconds,
        "tabulate_seconds": tabulated,
        "crosstab_seconds": crossed,
        "weights_join_seconds": joined,
        "weighted_crosstab_seconds": weighted_crossed,
        "frame_mb": frame.estimated_size() / 1e6,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "page": page(client, url),
        "page_filtered": page(client, url + "?age_band=o2&row=q1&column=q11"),
    }
    args.out.write_text(json.dumps(result), encoding="utf-8")


if __name__ == "__main__":
    main()
