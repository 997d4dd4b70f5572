"""Worker for the survey benchmark: a fresh database with a 25-question survey (every kind) and N responses
(100,000 by default) bulk-inserted, then, median of 3:

    read            the counted responses with their segments (results_view.respondents_of)
    tabulate        every question's tabulation over them
    crosstab        one crosstab of two questions
    results page    the staff results page through the test client (queries and time), with and without a filter

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


def import_file(plan: Any, responses: int, rng: random.Random) -> tuple[Any, bytes]:
    """A LimeSurvey CSV export (BOM, every field quoted, CRLF) of `responses` x 25 questions: 10 single choice
    (answer codes), 10 ratings, 5 short texts, and the survey it goes into."""
    import csv
    import io

    from civicplan.engagement.models import Option, Question, Survey

    survey = Survey.objects.create(plan=plan, slug="bench-import", title_en="Import", title_es="Importación")
    kinds = ["single"] * 10 + ["rating"] * 10 + ["short_text"] * 5
    for position, kind in enumerate(kinds):
        question = Question.objects.create(
            survey=survey, key=f"Q{position + 1}", position=position, kind=kind, text_en=f"Q{position + 1}"
        )
        if kind == "single":
            for index, (code, en, es) in enumerate(OPTIONS):
                Option.objects.create(question=question, code=code, label_en=en, label_es=es, position=index)
    out = io.StringIO(newline="")
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(
        ["id", "submitdate", "lastpage", "startlanguage", "seed", "startdate", "datestamp"]
        + [f"Q{n + 1}" for n in range(len(kinds))]
    )
    codes = [code for code, _en, _es in OPTIONS]
    for n in range(responses):
        stamp = f"2026-03-{1 + n % 28:02d} 10:{n % 60:02d}:00"
        values = [
            rng.choice(codes)
            if k == "single"
            else str(rng.randint(1, 5))
            if k == "rating"
            else rng.choice(["Más parques", "Fix the streets", ""])
            for k in kinds
        ]
        writer.writerow([str(n + 1), stamp, "3", rng.choice(["en", "es"]), "1", stamp, stamp, *values])
    return survey, ("\ufeff" + out.getvalue()).encode("utf-8")


def median_time(step: Any, runs: int = 3) -> tuple[Any, float]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = step()
        times.append(time.perf_counter() - started)
    return result, statistics.median(times)


def page(client: Any, url: str) -> dict[str, Any]:
    """The first render (reads and tabulates) and the median of three more (the results cache)."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()
    started = time.perf_counter()
    client.get(url, HTTP_HOST="127.0.0.1")
    uncached = time.perf_counter() - started
    with CaptureQueriesContext(connection) as queries:
        _response, seconds = median_time(lambda: client.get(url, HTTP_HOST="127.0.0.1"))
    return {"queries": len(queries) // 3, "seconds": seconds, "uncached_seconds": uncached}


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
    from civicplan.engagement.tabulation import crosstab, tabulate
    from generate import SCALES, generate

    generate(SCALES["city"])
    rng = random.Random(7)
    survey = build_survey()
    started = time.perf_counter()
    build_responses(survey, args.responses, rng)
    generated = time.perf_counter() - started
    asked = selectors.asked_questions(survey, "en")
    people, read = median_time(lambda: results_view.respondents_of(survey, asked))
    _results, tabulated = median_time(lambda: [tabulate(a.shape, people) for a in asked])
    _table, crossed = median_time(lambda: crosstab(asked[0].shape, asked[10].shape, people))
    import_survey, export = import_file(survey.plan, args.responses, rng)
    from civicplan.engagement.services import imports

    started = time.perf_counter()
    _batch, import_preview = imports.import_survey_file(
        survey=import_survey, user=None, filename="export.csv", data=export
    )
    imported = time.perf_counter() - started
    client = Client()
    client.force_login(User.objects.filter(role="coordinator").first())
    url = f"/en/staff/engagement/surveys/{survey.pk}/results/"
    result = {
        "responses": args.responses,
        "questions": len(asked),
        "generate_seconds": generated,
        "read_seconds": read,
        "tabulate_seconds": tabulated,
        "crosstab_seconds": crossed,
        "import_seconds": imported,
        "import_rows": import_preview.new,
        "import_mb": len(export) / 1e6,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "page": page(client, url),
        "page_filtered": page(client, url + "?age_band=o2&row=q1&column=q11"),
    }
    args.out.write_text(json.dumps(result), encoding="utf-8")


if __name__ == "__main__":
    main()
