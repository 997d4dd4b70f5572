"""Survey results: per-question tabulation and a crosstab of two questions, over answers in the stored shapes
(`answers.py`). Pure: the page, the exports and `manage.py survey_results` all read these same figures.

Percentages are of the question's valid n (people who answered it), rounded half up to one place; means to two.
A multiple-choice question's percentages can add to more than 100 (people pick several). Every respondent counts
once (weight 1) until the Insight module's weights arrive: `Respondent.weight` is the place for them, and counts stay
raw while percentages and means use the weights.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from civicplan.engagement.answers import (
    OTHER,
    TEXT_KINDS,
    Choice,
    QuestionKind,
    QuestionShape,
    other_key,
    parse_decimal,
)

ONE_PLACE = Decimal("0.1")
TWO_PLACES = Decimal("0.01")
CROSSTAB_KINDS = frozenset(
    {QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.RATING, QuestionKind.DISTRICT}
)


@dataclass(frozen=True)
class Respondent:
    answers: dict[str, Any]
    weight: float = 1.0  # sums run in floats (100,000 respondents); reported figures are Decimals, rounded
    segments: dict[str, str] = field(default_factory=dict)


@dataclass
class Row:
    """One line of a question's table: an option, a scale point, a matrix row or a ranked item."""

    code: str
    label: str
    count: int = 0
    weighted: float = 0.0
    percent: Decimal | None = None
    mean: Decimal | None = None  # matrix rows: mean score; ranking: mean rank; allocation: mean points
    extra: Decimal | None = None  # ranking: first-place share; allocation: share of all points
    n: int = 0  # matrix rows: people who rated this row


@dataclass
class QuestionResult:
    question: QuestionShape
    n: int  # valid n: respondents who answered
    skipped: int
    rows: list[Row]
    mean: Decimal | None = None
    median: Decimal | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    texts: list[str] = field(default_factory=list)  # open-text answers, in response order
    other_texts: list[str] = field(default_factory=list)
    invalid: int = 0  # number answers that do not read as numbers

    @property
    def kind(self) -> str:
        return str(self.question.kind)

    @property
    def adds_to_more(self) -> bool:
        return self.question.kind == QuestionKind.MULTIPLE


def _percent(part: float, whole: float) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * Decimal(part) / Decimal(whole)).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def _mean(total: float, weight: float) -> Decimal | None:
    if not weight:
        return None
    return (Decimal(total) / Decimal(weight)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def _answered(value: Any) -> bool:
    return value not in (None, "", [], {})


def tabulate(question: QuestionShape, respondents: Iterable[Respondent]) -> QuestionResult:
    people = list(respondents)
    key = question.key
    answered = [p for p in people if _answered(p.answers.get(key))]
    result = QuestionResult(question, n=len(answered), skipped=len(people) - len(answered), rows=[])
    kind = question.kind
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        _choices(result, answered)
    elif kind == QuestionKind.RATING:
        _rating(result, answered)
    elif kind == QuestionKind.MATRIX:
        _matrix(result, answered)
    elif kind == QuestionKind.RANKING:
        _ranking(result, answered)
    elif kind == QuestionKind.ALLOCATION:
        _allocation(result, answered)
    elif kind == QuestionKind.NUMBER:
        _number(result, answered)
    if kind in TEXT_KINDS:
        result.texts = [str(p.answers[key]) for p in answered]
        if kind == QuestionKind.DISTRICT:
            _values(result, answered)
    if question.allows_other:
        result.other_texts = [
            str(p.answers[other_key(key)]) for p in answered if p.answers.get(other_key(key))
        ]
    return result


def _option_rows(question: QuestionShape) -> list[Row]:
    rows = [Row(choice.code, choice.label) for choice in question.options]
    if question.allows_other:
        rows.append(Row(OTHER, ""))  # the page labels it "Other" in the reader's language
    return rows


def _choices(result: QuestionResult, answered: list[Respondent]) -> None:
    rows = {row.code: row for row in _option_rows(result.question)}
    total = 0.0
    for person in answered:
        value = person.answers[result.question.key]
        total += person.weight
        for code in value if isinstance(value, list) else [value]:
            row = rows.get(str(code))
            if row is not None:
                row.count += 1
                row.weighted += person.weight
    for row in rows.values():
        row.percent = _percent(row.weighted, total)
    result.rows = list(rows.values())


def _scale_rows(question: QuestionShape) -> dict[int, Row]:
    return {point: Row(str(point), str(point)) for point in range(question.scale_min, question.scale_max + 1)}


def _rating(result: QuestionResult, answered: list[Respondent]) -> None:
    rows = _scale_rows(result.question)
    total = score = 0.0
    for person in answered:
        value = person.answers[result.question.key]
        row = rows.get(value) if isinstance(value, int) else None
        if row is None:
            result.invalid += 1
            continue
        row.count += 1
        row.weighted += person.weight
        total += person.weight
        score += person.weight * value
    for row in rows.values():
        row.percent = _percent(row.weighted, total)
    result.rows = list(rows.values())
    result.mean = _mean(score, total)


def _matrix(result: QuestionResult, answered: list[Respondent]) -> None:
    """One row per matrix row: how many rated it, its mean, and the share at each point in `points_by_row`."""
    question = result.question
    rows = [Row(choice.code, choice.label) for choice in question.rows]
    totals: dict[str, float] = defaultdict(float)
    scores: dict[str, float] = defaultdict(float)
    for person in answered:
        value = person.answers[question.key]
        if not isinstance(value, dict):
            result.invalid += 1
            continue
        for row in rows:
            point = value.get(row.code)
            if isinstance(point, int) and question.scale_min <= point <= question.scale_max:
                row.n += 1
                totals[row.code] += person.weight
                scores[row.code] += person.weight * point
    for row in rows:
        row.count = row.n
        row.mean = _mean(scores[row.code], totals[row.code])
    result.rows = rows


def matrix_points(result: QuestionResult, respondents: Iterable[Respondent]) -> dict[str, list[Row]]:
    """For a matrix question, each row's distribution over the scale (the table a page shows under the means)."""
    question = result.question
    out: dict[str, list[Row]] = {}
    people = [p for p in respondents if isinstance(p.answers.get(question.key), dict)]
    for choice in question.rows:
        points = _scale_rows(question)
        total = 0.0
        for person in people:
            point = person.answers[question.key].get(choice.code)
            if isinstance(point, int) and point in points:
                points[point].count += 1
                points[point].weighted += person.weight
                total += person.weight
        for row in points.values():
            row.percent = _percent(row.weighted, total)
        out[choice.code] = list(points.values())
    return out


def _ranking(result: QuestionResult, answered: list[Respondent]) -> None:
    """Per option: how many ranked it (count), first-place share (extra) and mean rank among those who ranked it.
    Options are listed by how often they came first, then by mean rank."""
    rows = {choice.code: Row(choice.code, choice.label) for choice in result.question.options}
    rank_sums: dict[str, float] = defaultdict(float)
    weights: dict[str, float] = defaultdict(float)
    firsts: Counter[str] = Counter()
    total = 0.0
    for person in answered:
        value = person.answers[result.question.key]
        if not isinstance(value, list):
            result.invalid += 1
            continue
        total += person.weight
        for rank, code in enumerate(value, start=1):
            if code in rows:
                rows[code].count += 1
                rank_sums[code] += person.weight * rank
                weights[code] += person.weight
                if rank == 1:
                    firsts[code] += 1
                    rows[code].weighted += person.weight
    for code, row in rows.items():
        row.mean = _mean(rank_sums[code], weights[code])
        row.extra = _percent(row.weighted, total)
        row.percent = _percent(weights[code], total)
    result.rows = sorted(rows.values(), key=lambda r: (-(r.extra or 0), r.mean or Decimal(999)))


def _allocation(result: QuestionResult, answered: list[Respondent]) -> None:
    rows = {choice.code: Row(choice.code, choice.label) for choice in result.question.options}
    weight_total = 0.0
    points: dict[str, float] = defaultdict(float)
    for person in answered:
        value = person.answers[result.question.key]
        if not isinstance(value, dict):
            result.invalid += 1
            continue
        weight_total += person.weight
        for code, given in value.items():
            if code in rows and isinstance(given, int):
                rows[code].count += given
                points[code] += person.weight * given
    all_points = sum(points.values())
    for code, row in rows.items():
        row.mean = _mean(points[code], weight_total)
        row.extra = _percent(points[code], all_points)
    result.rows = list(rows.values())


def _number(result: QuestionResult, answered: list[Respondent]) -> None:
    values: list[tuple[Decimal, float]] = []
    for person in answered:
        number = parse_decimal(str(person.answers[result.question.key]))
        if number is None:
            result.invalid += 1
        else:
            values.append((number, person.weight))
    if not values:
        return
    ordered = sorted(v for v, _w in values)
    middle = len(ordered) // 2
    median = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    weight = sum(w for _v, w in values)
    total = sum((v * Decimal(w) for v, w in values), Decimal(0))  # exact: typed numbers stay Decimals
    result.mean = (total / Decimal(weight)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
    result.median = median.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
    result.minimum, result.maximum = ordered[0], ordered[-1]


def _values(result: QuestionResult, answered: list[Respondent]) -> None:
    """Counts per typed value (a ZIP code or district), most frequent first."""
    counts: Counter[str] = Counter()
    weights: dict[str, float] = defaultdict(float)
    total = 0.0
    for person in answered:
        value = str(person.answers[result.question.key]).strip().upper()
        counts[value] += 1
        weights[value] += person.weight
        total += person.weight
    result.rows = [
        Row(value, value, count, weights[value], _percent(weights[value], total))
        for value, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]


def filter_respondents(respondents: Iterable[Respondent], filters: dict[str, str]) -> list[Respondent]:
    """Keep respondents whose segments match every filter (empty values are ignored)."""
    wanted = {name: value for name, value in filters.items() if value}
    return [p for p in respondents if all(p.segments.get(name) == value for name, value in wanted.items())]


@dataclass
class Crosstab:
    rows: list[Choice]
    columns: list[Choice]
    counts: dict[tuple[str, str], int]
    column_percents: dict[tuple[str, str], Decimal | None]
    row_totals: dict[str, int]
    column_totals: dict[str, int]
    n: int


def _categories(question: QuestionShape, people: Sequence[Respondent]) -> list[Choice]:
    if question.kind == QuestionKind.RATING:
        return [Choice(str(p), str(p)) for p in range(question.scale_min, question.scale_max + 1)]
    if question.kind == QuestionKind.DISTRICT:
        seen = sorted(
            {str(p.answers[question.key]).strip().upper() for p in people if p.answers.get(question.key)}
        )
        return [Choice(value, value) for value in seen]
    choices = list(question.options)
    if question.allows_other:
        choices.append(Choice(OTHER, ""))
    return choices


def _codes(question: QuestionShape, value: Any) -> list[str]:
    if value in (None, "", []):
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    text = str(value)
    return [text.strip().upper() if question.kind == QuestionKind.DISTRICT else text]


def crosstab(
    row_question: QuestionShape, column_question: QuestionShape, respondents: Iterable[Respondent]
) -> Crosstab:
    """Counts of respondents by the answers to two questions, with column percentages (of everyone in the column
    who answered the row question). Raises ValueError for kinds that have no categories."""
    for question in (row_question, column_question):
        if question.kind not in CROSSTAB_KINDS:
            raise ValueError(question.key)
    people = [
        p
        for p in respondents
        if _answered(p.answers.get(row_question.key)) and _answered(p.answers.get(column_question.key))
    ]
    rows, columns = _categories(row_question, people), _categories(column_question, people)
    counts: Counter[tuple[str, str]] = Counter()
    weights: dict[tuple[str, str], float] = defaultdict(float)
    column_weights: dict[str, float] = defaultdict(float)
    column_totals: Counter[str] = Counter()
    row_totals: Counter[str] = Counter()
    for person in people:
        row_codes = _codes(row_question, person.answers[row_question.key])
        for column in _codes(column_question, person.answers[column_question.key]):
            column_totals[column] += 1
            column_weights[column] += person.weight
            for row in row_codes:
                counts[(row, column)] += 1
                weights[(row, column)] += person.weight
        for row in row_codes:
            row_totals[row] += 1
    percents = {
        (r.code, c.code): _percent(weights[(r.code, c.code)], column_weights[c.code])
        for r in rows
        for c in columns
    }
    return Crosstab(rows, columns, dict(counts), percents, dict(row_totals), dict(column_totals), len(people))


def _text(value: Decimal | None) -> str:
    return "" if value is None else str(value)


def results_document(results: list[QuestionResult]) -> dict[str, Any]:
    """Every question's tabulation as JSON-ready data (numbers as strings: exact, no float rounding)."""
    return {
        "questions": [
            {
                "key": r.question.key,
                "text": r.question.text,
                "kind": r.kind,
                "n": r.n,
                "skipped": r.skipped,
                "mean": _text(r.mean),
                "median": _text(r.median),
                "rows": [
                    {
                        "code": row.code,
                        "label": row.label,
                        "count": row.count,
                        "percent": _text(row.percent),
                        "mean": _text(row.mean),
                        "share": _text(row.extra),
                    }
                    for row in r.rows
                ],
                "texts": r.texts,
                "other_texts": r.other_texts,
            }
            for r in results
        ]
    }


CSV_HEADER = ["question", "text", "kind", "item", "label", "count", "percent", "mean", "share", "n"]


def results_csv_rows(results: list[QuestionResult]) -> list[list[str]]:
    """The same figures as `results_document`, one row per question item (texts are left to the JSON)."""
    rows = [CSV_HEADER]
    for r in results:
        if not r.rows:
            rows.append(
                [r.question.key, r.question.text, r.kind, "", "", "", "", _text(r.mean), "", str(r.n)]
            )
        for row in r.rows:
            rows.append(
                [
                    r.question.key,
                    r.question.text,
                    r.kind,
                    row.code,
                    row.label,
                    str(row.count),
                    _text(row.percent),
                    _text(row.mean),
                    _text(row.extra),
                    str(r.n),
                ]
            )
    return rows
