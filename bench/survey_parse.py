"""The survey-file parser alone: a LimeSurvey CSV of 100,000 responses x 25 questions (the size the whole import
must take in <= 30 s, the database writes included), parsed three times; prints the median time (wall clock
and CPU: on a busy 2-core machine the first stretches, the second much less), the time of the next step
(`remap_answers` into a survey made from the file), the process's peak RSS over the parses, and the peak of
Python allocations (tracemalloc, one more parse). Not part of the test suite.

    .venv/bin/python bench/survey_parse.py [--rows 100000] [--keep]

The file is what LimeSurvey writes: BOM, `;`, every field quoted, CRLF; 7 response columns, then 8 single
choices (one with "Other"), 4 split multiple choices (5 options, one with "Other"), 3 matrices of 5 rows, 4
ratings, 2 numbers, 2 short texts and 2 long texts (Spanish, emoji, line breaks, `'=SUM(A1)`); about 5 % of
the responses incomplete and answers left empty here and there.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
COMMENTS = (
    "Más parques y sombra en el centro, por favor 🌳",
    "Need safer crossings near the school.\nAlso more buses on weekends.",
    "'=SUM(A1)",
    "La biblioteca abre muy tarde; ¿podrían ampliar el horario?",
    "Great work on the new bike lanes 🚲",
    "",
)


def header() -> list[str]:
    columns = ["id", "submitdate", "lastpage", "startlanguage", "seed", "startdate", "datestamp"]
    columns += [f"Q{n}" for n in range(1, 9)] + ["Q1[other]"]
    for question in range(9, 13):
        columns += [f"Q{question}[SQ00{option}]" for option in range(1, 6)]
    columns.append("Q9[other]")
    for question in range(13, 16):
        columns += [f"Q{question}[SQ00{row}]" for row in range(1, 6)]
    columns += [f"Q{n}" for n in range(16, 26)]
    return columns


def row(number: int, rng: random.Random) -> list[str]:
    complete = rng.random() > 0.05
    stamp = f"2026-03-{1 + number % 28:02d} {number % 24:02d}:{number % 60:02d}:{(number * 7) % 60:02d}"
    cells = [str(number), stamp if complete else "", "4", rng.choice(("en", "es")), str(rng.randrange(10**9))]
    cells += [stamp, stamp]
    singles = [rng.choice(("A1", "A2", "A3", "A4", "A5", "")) for _ in range(8)]
    other = ""
    if rng.random() < 0.05:
        singles[0], other = "-oth-", rng.choice(("Barrio Santa Fé", "Las Palmas 🌴", "Old Town"))
    cells += [*singles, other]
    for _question in range(4):
        cells += ["Y" if rng.random() < 0.4 else "" for _ in range(5)]
    cells.append("Huertos comunitarios" if rng.random() < 0.03 else "")
    for _question in range(3):
        cells += [str(rng.randint(1, 5)) if rng.random() < 0.9 else "" for _ in range(5)]
    cells += [str(rng.randint(1, 5)) for _ in range(3)] + [str(rng.randint(0, 10))]
    cells += [f"{rng.uniform(0, 500):.2f}", str(rng.randint(0, 40))]
    cells += [
        rng.choice(("95123", "95124", "95125", "")),
        rng.choice(("Centro", "Norte", "Sur", "Este", "Oeste")),
    ]
    cells += [rng.choice(COMMENTS), rng.choice(COMMENTS)]
    return cells


def build(path: Path, rows: int) -> None:
    """Written straight to the file: the generator's own strings should not count in the figures."""
    rng = random.Random(f"survey-parse-{rows}")
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        writer.writerow(header())
        for number in range(1, rows + 1):
            writer.writerow(row(number, rng))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the generated file and print its path")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicplan.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-used-anywhere-else-0123456789")
    sys.path.insert(0, str(PROJECT_DIR / "src"))
    import django

    django.setup()
    from civicplan.engagement.importers.survey_files import parse_survey_file, remap_answers

    with tempfile.TemporaryDirectory(prefix="survey-parse-") as folder:
        path = Path(folder) / "limesurvey.csv"
        build(path, args.rows)
        data = path.read_bytes()
        times, cpu = [], []
        for _run in range(3):
            parsed = None  # the previous result goes before the next parse, as in an import
            started, started_cpu = time.perf_counter(), time.process_time()
            parsed = parse_survey_file(data, path.name)
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        assert parsed is not None and len(parsed.responses) == args.rows and not parsed.problems
        summary = {str(q.kind) for q in parsed.questions}
        # Before remap_answers and tracemalloc add theirs:
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        # The next step of an import: the answers into a survey made from the file (every question mapped).
        targets = {q.key: q.shape() for q in parsed.questions}
        labels = {q.key: q.label_index() for q in parsed.questions}
        started, started_cpu = time.perf_counter(), time.process_time()
        _remapped, remap_problems = remap_answers(parsed, targets, {key: key for key in targets}, labels)
        remap_s, remap_cpu = time.perf_counter() - started, time.process_time() - started_cpu
        assert not remap_problems, remap_problems[:3]
        parsed = _remapped = None
        tracemalloc.start()
        parse_survey_file(data, path.name)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        if args.keep:
            kept = PROJECT_DIR / "var" / "bench" / "survey_parse.csv"
            kept.parent.mkdir(parents=True, exist_ok=True)
            kept.write_bytes(data)
            print(f"file kept: {kept}")
    print(f"rows: {args.rows:,}   file: {len(data) / 1048576:.1f} MB   kinds: {', '.join(sorted(summary))}")
    print(
        f"parse: median {statistics.median(times):.2f} s of {', '.join(f'{t:.2f}' for t in times)}"
        f" (CPU {statistics.median(cpu):.2f} s: a busy machine stretches the first figure, less the second)"
    )
    print(f"remap_answers into a survey made from the file: {remap_s:.2f} s (CPU {remap_cpu:.2f} s)")
    print(f"load average: {', '.join(f'{load:.2f}' for load in os.getloadavg())} on {os.cpu_count()} cores")
    print(f"peak Python allocations (tracemalloc): {peak / 1048576:.0f} MB")
    print(f"peak RSS of the timed parses (file bytes and the interpreter included): {rss:.0f} MB")


if __name__ == "__main__":
    main()
