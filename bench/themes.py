"""Theme discovery and suggestion (`civicplan.insights.themes`) on 10,000 bilingual comments, the size a plan's
consultation must be analysed at in <= 15 s on 2 cores. Pure Python and scikit-learn: no database, no Django.

    .venv/bin/python bench/themes.py [--comments 10000]

The comments are the hand-written fixture's (tests/insights/fixtures/comments.csv) recombined: one or two
sentences of the same language, with words dropped, letters swapped and fillers appended (seeded), so every
comment's themes are known. Timed, median of 3 (time.perf_counter, and CPU time beside it):

- discovery: `discover` on the English and on the Spanish comments (about half each), default theme count;
- training: `ThemeClassifier.train` on 2,000 coded comments, with the fixture's bilingual codebook;
- suggestions: `suggest` for the other 8,000;
- the total of the three, the figure the target is about.

Then the quality staff would be shown: precision and recall per theme on 1,000 of the suggested comments
held back from training. Those 1,000 are built only from fixture sentences the 2,000 never used, so the figure
is not flattered by near-copies; it is still kinder than real comments (the sentences are clean, the variation
light). The honest small-sample figure is the test suite's (`pytest -s tests/insights/test_themes.py`).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR / "src"))

from civicplan.insights.themes import (  # noqa: E402  (the path above comes first)
    Candidate,
    ThemeClassifier,
    ThemeKeywords,
    discover,
    score,
)

FIXTURE = PROJECT_DIR / "tests" / "insights" / "fixtures" / "comments.csv"
TRAINING = 2_000
HELD_BACK = 1_000
# The codebook staff would keep for the fixture's themes (the test suite has the same one).
CODEBOOK = (
    ThemeKeywords("streets", ("pothole", "bache", "street repair", "calles", "sidewalk", "banqueta", "road")),
    ThemeKeywords(
        "transit", ("bus", "autobús", "camión", "route", "ruta", "bus stop", "parada", "transporte")
    ),
    ThemeKeywords("safety", ("police", "policía", "crime", "delincuencia", "alumbrado", "robo", "seguridad")),
    ThemeKeywords(
        "parks", ("park", "parque", "trees", "árboles", "playground", "juegos infantiles", "área verde")
    ),
    ThemeKeywords("housing", ("rent", "renta", "affordable housing", "vivienda", "homeless", "desalojo")),
    ThemeKeywords(
        "business", ("small business", "negocios", "jobs", "empleo", "downtown", "comercio", "trámites")
    ),
    ThemeKeywords("youth", ("library", "biblioteca", "youth", "jóvenes", "after school", "talleres")),
    ThemeKeywords("water", ("water bill", "recibo del agua", "flooding", "inundación", "drenaje", "fuga")),
)
FILLERS = {
    "en": ("thanks", "please!!", "Thank you for asking.", "This has been going on for years.", "🙏", "asap"),
    "es": (
        "gracias",
        "por favor!!",
        "Gracias por preguntar.",
        "Esto lleva años así.",
        "🙏",
        "ojalá lo hagan",
    ),
}


def load() -> list[tuple[str, str, tuple[str, ...]]]:
    with FIXTURE.open(encoding="utf-8", newline="") as handle:
        return [
            (row["language"], row["text"], tuple(row["themes"].split(";"))) for row in csv.DictReader(handle)
        ]


def halves(rows: list[tuple[str, str, tuple[str, ...]]], rng: random.Random) -> tuple[list[int], list[int]]:
    """70 % of each first theme's sentences for training, the rest for the held-back comments."""
    groups: dict[str, list[int]] = defaultdict(list)
    for index, (_language, _text, themes) in enumerate(rows):
        groups[themes[0]].append(index)
    seen, unseen = [], []
    for key in sorted(groups):
        members = groups[key]
        rng.shuffle(members)
        cut = round(0.7 * len(members))
        seen += members[:cut]
        unseen += members[cut:]
    return seen, unseen


def vary(text: str, language: str, rng: random.Random) -> str:
    """Light damage a resident's typing would do: a word dropped, two letters swapped, a filler added."""
    words = []
    for word in text.split():
        roll = rng.random()
        if roll < 0.06:
            continue
        if roll < 0.11 and len(word) > 3:
            at = rng.randrange(len(word) - 1)
            word = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
        words.append(word)
    if rng.random() < 0.3:
        words.append(rng.choice(FILLERS[language]))
    if rng.random() < 0.1:
        return " ".join(words).lower()
    return " ".join(words)


def comment(
    rows: list[tuple[str, str, tuple[str, ...]]],
    pool: list[int],
    by_language: dict[str, list[int]],
    rng: random.Random,
) -> tuple[str, str, frozenset[str]]:
    language, text, themes = rows[rng.choice(pool)]
    labels = set(themes)
    if rng.random() < 0.2:  # a second sentence, same language, same pool
        _other_language, other, other_themes = rows[rng.choice(by_language[language])]
        text, labels = f"{text} {other}", labels | set(other_themes)
    return language, vary(text, language, rng), frozenset(labels)


def build(count: int) -> tuple[list[str], list[str], list[frozenset[str]]]:
    """The first TRAINING comments from the training half, the next HELD_BACK from the other, the rest from both."""
    rng = random.Random(f"themes-{count}")
    rows = load()
    seen, unseen = halves(rows, rng)
    everything = list(range(len(rows)))
    pools: list[list[int]] = (
        [seen] * TRAINING + [unseen] * HELD_BACK + [everything] * (count - TRAINING - HELD_BACK)
    )
    texts, languages, labels = [], [], []
    cache: dict[int, dict[str, list[int]]] = {}
    for pool in pools:
        by_language = cache.get(id(pool))
        if by_language is None:
            by_language = defaultdict(list)
            for index in pool:
                by_language[rows[index][0]].append(index)
            cache[id(pool)] = by_language
        language, text, themes = comment(rows, pool, by_language, rng)
        texts.append(text)
        languages.append(language)
        labels.append(themes)
    return texts, languages, labels


def timed(runs: list[dict[str, tuple[float, float]]], step: str, function, *args, **kwargs):
    started, started_cpu = time.perf_counter(), time.process_time()
    result = function(*args, **kwargs)
    runs[-1][step] = (time.perf_counter() - started, time.process_time() - started_cpu)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--comments", type=int, default=10_000)
    args = parser.parse_args()
    if args.comments < TRAINING + HELD_BACK:
        parser.error(f"--comments must be at least {TRAINING + HELD_BACK}")
    texts, languages, labels = build(args.comments)
    by_language = {
        code: [text for text, lang in zip(texts, languages, strict=True) if lang == code]
        for code in ("en", "es")
    }
    train, rest = slice(0, TRAINING), slice(TRAINING, None)
    runs: list[dict[str, tuple[float, float]]] = []
    candidates: dict[str, list[Candidate]] = {}
    for _run in range(3):
        runs.append({})
        for code, group in by_language.items():
            candidates[code] = timed(runs, f"discovery {code}", discover, group, code)
        classifier = timed(
            runs,
            "training",
            ThemeClassifier.train,
            texts[train],
            labels[train],
            languages=languages[train],
            keywords=CODEBOOK,
        )
        suggested = timed(runs, "suggestions", classifier.suggest, texts[rest], languages=languages[rest])
        wall = sum(value[0] for value in runs[-1].values())
        cpu = sum(value[1] for value in runs[-1].values())
        runs[-1]["total"] = (wall, cpu)
    held = score(
        suggested[:HELD_BACK],
        labels[TRAINING : TRAINING + HELD_BACK],
        codes=classifier.codes,
        n_train=TRAINING,
    )

    print(f"comments: {len(texts):,} ({len(by_language['en']):,} en, {len(by_language['es']):,} es)")
    print(f"load average: {', '.join(f'{load:.2f}' for load in os.getloadavg())} on {os.cpu_count()} cores")
    print(f"{'step':<16} {'median s':>9} {'CPU s':>7}   runs")
    for step in runs[0]:
        walls = [run[step][0] for run in runs]
        cpus = [run[step][1] for run in runs]
        flag = "  (target <= 15 s)" if step == "total" else ""
        print(
            f"{step:<16} {statistics.median(walls):>9.2f} {statistics.median(cpus):>7.2f}   "
            f"{', '.join(f'{wall:.2f}' for wall in walls)}{flag}"
        )
    for code, found in candidates.items():
        print(f"\ndiscovered ({code}): {len(found)} candidates")
        for candidate in found:
            print(f"  {candidate.size:>5}  {', '.join(candidate.words)}")
    print(
        f"\nquality on {held.n_test:,} held-back comments (trained on {held.n_train:,}): "
        f"micro precision {held.micro_precision:.3f}, recall {held.micro_recall:.3f}"
    )
    print(f"  {'theme':<10} {'precision':>9} {'recall':>7} {'support':>8}")
    for theme in held.per_theme:
        print(f"  {theme.code:<10} {theme.precision:>9.3f} {theme.recall:>7.3f} {theme.support:>8}")


if __name__ == "__main__":
    main()
