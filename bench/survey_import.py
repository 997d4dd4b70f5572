"""Worker for the survey import benchmark, in its own process so that its memory figures are its own: a
LimeSurvey CSV export of N responses (100,000 by default) x 25 questions is written to disk, then

    import      services.imports.import_survey_file into a survey with those questions (parse, checks, preview,
                and the all-or-nothing write), once: time, and the process's peak RSS before and after
    again       the same file a second time (nothing is added: every response is already there)
    polars      polars.read_csv of the same bytes (median of 3): the floor for reading the file at all, the
                ratio says what the import's checks and writes cost on top

Run by run.py: python bench/survey_import.py --responses 100000 --out var/bench/survey-import.json
"""

from __future__ import annotations

import argparse
import csv
import io
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
KINDS = ["single"] * 10 + ["rating"] * 10 + ["short_text"] * 5


def build_survey(plan: Any) -> Any:
    from civicplan.engagement.models import Option, Question, Survey

    survey = Survey.objects.create(plan=plan, slug="bench-import", title_en="Import", title_es="Importación")
    for position, kind in enumerate(KINDS):
        question = Question.objects.create(
            survey=survey, key=f"Q{position + 1}", position=position, kind=kind, text_en=f"Q{position + 1}"
        )
        if kind == "single":
            for index, (code, en, es) in enumerate(OPTIONS):
                Option.objects.create(question=question, code=code, label_en=en, label_es=es, position=index)
    return survey


def write_file(path: Path, responses: int, rng: random.Random) -> None:
    """What LimeSurvey writes: BOM, every field quoted, CRLF; answer codes, ratings and short texts."""
    codes = [code for code, _en, _es in OPTIONS]
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        writer.writerow(
            ["id", "submitdate", "lastpage", "startlanguage", "seed", "startdate", "datestamp"]
            + [f"Q{n + 1}" for n in range(len(KINDS))]
        )
        for n in range(responses):
            stamp = f"2026-03-{1 + n % 28:02d} 10:{n % 60:02d}:00"
            values = [
                rng.choice(codes)
                if kind == "single"
                else str(rng.randint(1, 5))
                if kind == "rating"
                else rng.choice(["Más parques 🌳", "Fix the streets", ""])
                for kind in KINDS
            ]
            writer.writerow([str(n + 1), stamp, "3", rng.choice(["en", "es"]), "1", stamp, stamp, *values])


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    django.setup()
    call_command("migrate", verbosity=0)
    from civicplan.engagement.services import imports
    from generate import SCALES, generate

    generate(SCALES["city"])
    from civicplan.plans.models import Plan

    survey = build_survey(Plan.objects.first())
    path = args.out.with_suffix(".csv")
    write_file(path, args.responses, random.Random(11))
    data = path.read_bytes()
    before = rss_mb()
    started = time.perf_counter()
    _batch, preview = imports.import_survey_file(survey=survey, user=None, filename=path.name, data=data)
    imported = time.perf_counter() - started
    after = rss_mb()
    started = time.perf_counter()
    _batch, again = imports.import_survey_file(survey=survey, user=None, filename=path.name, data=data)
    again_seconds = time.perf_counter() - started
    import polars as pl

    times = []
    for _run in range(3):
        started = time.perf_counter()
        frame = pl.read_csv(io.BytesIO(data), infer_schema_length=0)
        times.append(time.perf_counter() - started)
    assert frame.height == args.responses
    path.unlink()
    result = {
        "responses": args.responses,
        "file_mb": len(data) / 1e6,
        "import_seconds": imported,
        "imported": preview.new,
        "again_seconds": again_seconds,
        "again_new": again.new,
        "rss_before_mb": before,
        "rss_peak_mb": after,
        "polars_seconds": statistics.median(times),
    }
    args.out.write_text(json.dumps(result), encoding="utf-8")


if __name__ == "__main__":
    main()
