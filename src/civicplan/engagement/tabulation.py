"""Survey results: per-question tabulation and a crosstab of two questions, over answers in the stored shapes
(`answers.py`). Pure: the page, the exports and `manage.py survey_results` all read these same figures.

The answers are first laid out as columns (`answer_frame`: one polars frame per survey, a column or a few per
question, built once per change of the responses), and every figure is a vectorised count or sum over it: all
questions of 100,000 responses tabulate in a fraction of a second, where a pass over the answer dicts per question
took seconds.

Percentages are of the question's valid n (people who answered it), rounded half up to one place; means to two.
A multiple-choice question's percentages can add to more than 100 (people pick several). Weights (the Insight
module's raking) sit in the frame's weight column, 1.0 for everyone by default: counts stay raw while percentages
and means use the weights.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import polars as pl

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
    pk: int = 0  # the response's id: weights are joined on it


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


def _mean(total: float | Decimal, weight: float | Decimal) -> Decimal | None:
    if not weight:
        return None
    return (Decimal(total) / Decimal(weight)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def _answered(value: Any) -> bool:
    return value not in (None, "", [], {})


# --- The answer frame --------------------------------------------------------------------------------------------
# Column names join a question key and a part with a unit separator, which no key or code contains.
WEIGHT = "\x1fweight"
RESPONSE = "\x1fresponse"
NUMBER_TYPE = pl.Decimal(38, 9)


def column(key: str, part: str = "") -> str:
    """The frame column of a question (`part` empty: its main column; else `answered`, `other`, `valid`, or a
    matrix row or allocation option code)."""
    return f"{key}\x1f{part}" if part else key


def segment_column(name: str) -> str:
    return f"\x1fsegment\x1f{name}"


CODE_SEPARATOR = "\x1f"


def _joined_codes(value: Any) -> str | None:
    """Codes joined into one string: polars splits a string column into lists far faster than it builds list
    columns from Python lists."""
    if not _answered(value):
        return None
    return CODE_SEPARATOR.join(str(v) for v in value) if isinstance(value, list) else str(value)


def _code_lists(joined: list[str | None]) -> pl.Series:
    return pl.Series(joined, dtype=pl.String).str.split(CODE_SEPARATOR)


def _scale_point(question: QuestionShape, value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value if question.scale_min <= value <= question.scale_max else None
    return None


def _whole_number(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _number(value: Any) -> str | None:
    """A typed number in plain notation, or None. The frame keeps nine places: enough for any typed figure, and
    the sums stay exact (a string column casts to decimals far faster than Decimal objects load)."""
    number = parse_decimal(str(value)) if _answered(value) else None
    if number is None or not number.is_finite() or abs(number) >= Decimal(10) ** 29:
        return None
    return f"{number:f}"


def _question_columns(question: QuestionShape, answers: list[dict[str, Any]]) -> dict[str, pl.Series]:
    key, kind = question.key, question.kind
    values = [a.get(key) for a in answers]
    out = {column(key, "answered"): pl.Series([_answered(v) for v in values], dtype=pl.Boolean)}
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        out[key] = _code_lists([_joined_codes(v) for v in values])
    elif kind == QuestionKind.RATING:
        out[key] = pl.Series([_scale_point(question, v) for v in values], dtype=pl.Int64)
    elif kind in (QuestionKind.MATRIX, QuestionKind.ALLOCATION):
        out[column(key, "valid")] = pl.Series([isinstance(v, dict) for v in values], dtype=pl.Boolean)
        parts = question.rows if kind == QuestionKind.MATRIX else question.options
        read = _scale_point if kind == QuestionKind.MATRIX else (lambda _q, v: _whole_number(v))
        for part in parts:
            out[column(key, part.code)] = pl.Series(
                [read(question, v.get(part.code)) if isinstance(v, dict) else None for v in values],
                dtype=pl.Int64,
            )
    elif kind == QuestionKind.RANKING:
        out[key] = _code_lists([_joined_codes(v) if isinstance(v, list) and v else None for v in values])
    elif kind == QuestionKind.NUMBER:
        out[key] = pl.Series([_number(v) for v in values], dtype=pl.String).cast(NUMBER_TYPE)
    if kind in TEXT_KINDS:
        out[key] = pl.Series([str(v) if _answered(v) else None for v in values], dtype=pl.String)
    if question.allows_other:
        texts = [a.get(other_key(key)) for a in answers]
        out[column(key, OTHER)] = pl.Series([str(t) if t else None for t in texts], dtype=pl.String)
    return out


def answer_frame(questions: Sequence[QuestionShape], respondents: Sequence[Respondent]) -> pl.DataFrame:
    """The respondents' answers as columns: one row per respondent, in order."""
    answers = [p.answers for p in respondents]
    columns: dict[str, pl.Series] = {
        RESPONSE: pl.Series([p.pk for p in respondents], dtype=pl.Int64),
        WEIGHT: pl.Series([p.weight for p in respondents], dtype=pl.Float64),
    }
    for name in sorted({name for p in respondents for name in p.segments}):
        columns[segment_column(name)] = pl.Series(
            [p.segments.get(name) for p in respondents], dtype=pl.String
        )
    for question in questions:
        columns.update(_question_columns(question, answers))
    return pl.DataFrame(columns)


def filter_frame(frame: pl.DataFrame, filters: dict[str, str]) -> pl.DataFrame:
    """Keep respondents whose segments match every filter (empty values are ignored; a segment nobody has
    matches nobody)."""
    for name, value in filters.items():
        if not value:
            continue
        if segment_column(name) not in frame.columns:
            return frame.clear()
        frame = frame.filter(pl.col(segment_column(name)) == value)
    return frame


def with_weights(frame: pl.DataFrame, weights: dict[int, float]) -> pl.DataFrame:
    """The frame with each response's weight (by response id); responses without one keep 1.0."""
    table = pl.DataFrame(
        {RESPONSE: list(weights), "w": list(weights.values())}, schema={RESPONSE: pl.Int64, "w": pl.Float64}
    )
    joined = frame.drop(WEIGHT).join(table, on=RESPONSE, how="left", maintain_order="left")
    return joined.with_columns(pl.col("w").fill_null(1.0).alias(WEIGHT)).drop("w")


# --- Tabulation --------------------------------------------------------------------------------------------------
def _sum(frame: pl.DataFrame, name: str = WEIGHT) -> float:
    return float(frame[name].sum() or 0) if frame.height else 0.0


def _by_code(frame: pl.DataFrame, codes: str) -> dict[str, tuple[int, float]]:
    """Count and weight per code of a list column (a person who picked several counts once for each)."""
    grouped = (
        frame.select(pl.col(codes).alias("code"), pl.col(WEIGHT))
        .explode("code")
        .drop_nulls("code")
        .group_by("code")
        .agg(pl.len().alias("n"), pl.col(WEIGHT).sum().alias("w"))
    )
    return {code: (n, w) for code, n, w in grouped.iter_rows()}


def question_columns(frame: pl.DataFrame, *keys: str) -> pl.DataFrame:
    """Only the questions' own columns and the weight: filtering the whole frame would copy every column."""
    prefixes = tuple(column(key, "") + "\x1f" for key in keys)
    wanted = [name for name in frame.columns if name in keys or name.startswith(prefixes)]
    return frame.select(*wanted, WEIGHT)


def tabulate(question: QuestionShape, frame: pl.DataFrame) -> QuestionResult:
    key = question.key
    answered = question_columns(frame, key).filter(pl.col(column(key, "answered")))
    result = QuestionResult(question, n=answered.height, skipped=frame.height - answered.height, rows=[])
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
        _numbers(result, answered)
    if kind in TEXT_KINDS:
        result.texts = answered[key].to_list()
        if kind == QuestionKind.DISTRICT:
            _values(result, answered)
    if question.allows_other:
        result.other_texts = answered[column(key, OTHER)].drop_nulls().to_list()
    return result


def _option_rows(question: QuestionShape) -> list[Row]:
    rows = [Row(choice.code, choice.label) for choice in question.options]
    if question.allows_other:
        rows.append(Row(OTHER, ""))  # the page labels it "Other" in the reader's language
    return rows


def _choices(result: QuestionResult, answered: pl.DataFrame) -> None:
    total = _sum(answered)
    counted = _by_code(answered, result.question.key)
    result.rows = _option_rows(result.question)
    for row in result.rows:
        row.count, row.weighted = counted.get(row.code, (0, 0.0))
        row.percent = _percent(row.weighted, total)


def _scale_rows(question: QuestionShape) -> dict[int, Row]:
    return {point: Row(str(point), str(point)) for point in range(question.scale_min, question.scale_max + 1)}


def _points(frame: pl.DataFrame, name: str) -> dict[int, tuple[int, float]]:
    grouped = (
        frame.select(pl.col(name).alias("point"), pl.col(WEIGHT))
        .drop_nulls("point")
        .group_by("point")
        .agg(pl.len().alias("n"), pl.col(WEIGHT).sum().alias("w"))
    )
    return {point: (n, w) for point, n, w in grouped.iter_rows()}


def _fill_scale(
    question: QuestionShape, counted: dict[int, tuple[int, float]]
) -> tuple[list[Row], float, float]:
    """The scale's rows with counts and percentages; also the total weight and weighted score."""
    rows = _scale_rows(question)
    total = sum(w for _n, w in counted.values())
    for point, row in rows.items():
        row.count, row.weighted = counted.get(point, (0, 0.0))
        row.percent = _percent(row.weighted, total)
    return list(rows.values()), total, sum(point * w for point, (_n, w) in counted.items())


def _rating(result: QuestionResult, answered: pl.DataFrame) -> None:
    counted = _points(answered, result.question.key)
    result.rows, total, score = _fill_scale(result.question, counted)
    result.invalid = result.n - sum(n for n, _w in counted.values())
    result.mean = _mean(score, total)


def _matrix(result: QuestionResult, answered: pl.DataFrame) -> None:
    """One row per matrix row: how many rated it and its mean (`matrix_points` has the share at each point)."""
    question = result.question
    result.invalid = answered.height - int(answered[column(question.key, "valid")].sum())
    rows = [Row(choice.code, choice.label) for choice in question.rows]
    sums = answered.select(
        *(pl.col(column(question.key, row.code)).count().alias(f"n{i}") for i, row in enumerate(rows)),
        *(
            pl.col(WEIGHT).filter(pl.col(column(question.key, row.code)).is_not_null()).sum().alias(f"w{i}")
            for i, row in enumerate(rows)
        ),
        *(
            (pl.col(column(question.key, row.code)) * pl.col(WEIGHT)).sum().alias(f"s{i}")
            for i, row in enumerate(rows)
        ),
    ).row(0, named=True)
    for i, row in enumerate(rows):
        row.n = row.count = int(sums[f"n{i}"])
        row.mean = _mean(float(sums[f"s{i}"] or 0), float(sums[f"w{i}"] or 0))
    result.rows = rows


def matrix_points(result: QuestionResult, frame: pl.DataFrame) -> dict[str, list[Row]]:
    """For a matrix question, each row's distribution over the scale (the table a page shows under the means)."""
    question = result.question
    return {
        choice.code: _fill_scale(question, _points(frame, column(question.key, choice.code)))[0]
        for choice in question.rows
    }


def _ranking(result: QuestionResult, answered: pl.DataFrame) -> None:
    """Per option: how many ranked it (count), first-place share (extra) and mean rank among those who ranked it.
    Options are listed by how often they came first, then by mean rank."""
    key = result.question.key
    ranked = answered.filter(pl.col(key).is_not_null())
    result.invalid = answered.height - ranked.height
    total = _sum(ranked)
    positions = (
        ranked.select(
            pl.col(key).alias("code"), pl.int_ranges(1, pl.col(key).list.len() + 1).alias("rank"), WEIGHT
        )
        .explode("code", "rank")
        .group_by("code")
        .agg(
            pl.len().alias("n"),
            pl.col(WEIGHT).sum().alias("w"),
            (pl.col(WEIGHT) * pl.col("rank")).sum().alias("ranks"),
            pl.col(WEIGHT).filter(pl.col("rank") == 1).sum().alias("first"),
        )
    )
    figures = {code: (n, w, ranks, first) for code, n, w, ranks, first in positions.iter_rows()}
    rows = [Row(choice.code, choice.label) for choice in result.question.options]
    for row in rows:
        n, weight, ranks, first = figures.get(row.code, (0, 0.0, 0.0, 0.0))
        row.count, row.weighted = n, first
        row.mean = _mean(ranks, weight)
        row.extra = _percent(first, total)
        row.percent = _percent(weight, total)
    result.rows = sorted(rows, key=lambda r: (-(r.extra or 0), r.mean or Decimal(999)))


def _allocation(result: QuestionResult, answered: pl.DataFrame) -> None:
    key = result.question.key
    given = answered.filter(pl.col(column(key, "valid")))
    result.invalid = answered.height - given.height
    weight_total = _sum(given)
    rows = [Row(choice.code, choice.label) for choice in result.question.options]
    sums = (
        given.select(
            *(pl.col(column(key, row.code)).sum().alias(f"c{i}") for i, row in enumerate(rows)),
            *(
                (pl.col(column(key, row.code)) * pl.col(WEIGHT)).sum().alias(f"p{i}")
                for i, row in enumerate(rows)
            ),
        ).row(0, named=True)
        if given.height
        else {}
    )
    points = [float(sums.get(f"p{i}") or 0) for i in range(len(rows))]
    all_points = sum(points)
    for i, row in enumerate(rows):
        row.count = int(sums.get(f"c{i}") or 0)
        row.mean = _mean(points[i], weight_total)
        row.extra = _percent(points[i], all_points)
    result.rows = rows


def _numbers(result: QuestionResult, answered: pl.DataFrame) -> None:
    key = result.question.key
    valid = answered.filter(pl.col(key).is_not_null())
    result.invalid = answered.height - valid.height
    if not valid.height:
        return
    ordered = valid[key].sort()
    middle = valid.height // 2
    median = ordered[middle] if valid.height % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    weights = valid[WEIGHT]
    if weights.min() == weights.max() == 1.0:
        total, weight = valid[key].sum(), Decimal(valid.height)  # exact: typed numbers stay Decimals
    else:
        total, weight = Decimal(float((valid[key].cast(pl.Float64) * weights).sum())), Decimal(weights.sum())
    result.mean = _mean(total, weight)
    result.median = Decimal(median).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
    result.minimum, result.maximum = ordered[0].normalize(), ordered[-1].normalize()


def _district_codes(key: str) -> pl.Expr:
    return pl.col(key).str.strip_chars().str.to_uppercase()


def _values(result: QuestionResult, answered: pl.DataFrame) -> None:
    """Counts per typed value (a ZIP code or district), most frequent first."""
    key = result.question.key
    total = _sum(answered)
    grouped = (
        answered.select(_district_codes(key).alias("value"), WEIGHT)
        .group_by("value")
        .agg(pl.len().alias("n"), pl.col(WEIGHT).sum().alias("w"))
        .sort(["n", "value"], descending=[True, False])
    )
    result.rows = [Row(value, value, n, w, _percent(w, total)) for value, n, w in grouped.iter_rows()]


@dataclass
class Crosstab:
    rows: list[Choice]
    columns: list[Choice]
    counts: dict[tuple[str, str], int]
    column_percents: dict[tuple[str, str], Decimal | None]
    row_totals: dict[str, int]
    column_totals: dict[str, int]
    n: int


def _category_codes(question: QuestionShape) -> pl.Expr:
    """A question's answer as a list of category codes (a multiple choice has several)."""
    if question.kind == QuestionKind.RATING:
        return pl.concat_list(pl.col(question.key).cast(pl.String)).list.drop_nulls()
    if question.kind == QuestionKind.DISTRICT:
        return pl.concat_list(_district_codes(question.key))
    return pl.col(question.key)


def _categories(question: QuestionShape, people: pl.DataFrame, name: str) -> list[Choice]:
    if question.kind == QuestionKind.RATING:
        return [Choice(str(p), str(p)) for p in range(question.scale_min, question.scale_max + 1)]
    if question.kind == QuestionKind.DISTRICT:
        seen = people[name].explode().drop_nulls().unique().sort().to_list()
        return [Choice(value, value) for value in seen if value]
    choices = list(question.options)
    if question.allows_other:
        choices.append(Choice(OTHER, ""))
    return choices


def _count_by(people: pl.DataFrame, *names: str) -> dict[Any, tuple[int, float]]:
    exploded = people
    for name in names:
        exploded = exploded.explode(name)
    grouped = (
        exploded.drop_nulls(list(names))
        .group_by(*names)
        .agg(pl.len().alias("n"), pl.col(WEIGHT).sum().alias("w"))
    )
    if len(names) == 1:
        return {code: (n, w) for code, n, w in grouped.iter_rows()}
    return {(r, c): (n, w) for r, c, n, w in grouped.iter_rows()}


def crosstab(row_question: QuestionShape, column_question: QuestionShape, frame: pl.DataFrame) -> Crosstab:
    """Counts of respondents by the answers to two questions, with column percentages (of everyone in the column
    who answered the row question). Raises ValueError for kinds that have no categories."""
    for question in (row_question, column_question):
        if question.kind not in CROSSTAB_KINDS:
            raise ValueError(question.key)
    people = (
        question_columns(frame, row_question.key, column_question.key).filter(
            pl.col(column(row_question.key, "answered")) & pl.col(column(column_question.key, "answered"))
        )
    ).select(
        _category_codes(row_question).alias("row"), _category_codes(column_question).alias("column"), WEIGHT
    )
    rows, columns = _categories(row_question, people, "row"), _categories(column_question, people, "column")
    cells = _count_by(people, "row", "column")
    column_totals = _count_by(people, "column")
    percents = {
        (r.code, c.code): _percent(
            cells.get((r.code, c.code), (0, 0.0))[1], column_totals.get(c.code, (0, 0.0))[1]
        )
        for r in rows
        for c in columns
    }
    return Crosstab(
        rows,
        columns,
        {cell: n for cell, (n, _w) in cells.items()},
        percents,
        {code: n for code, (n, _w) in _count_by(people, "row").items()},
        {code: n for code, (n, _w) in column_totals.items()},
        people.height,
    )


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
