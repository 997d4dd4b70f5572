"""Survey results as the staff page, the public page, the exports and `manage.py survey_results` show them: one
reading of the responses, one tabulation (`tabulation.py`), and the confidentiality rules of the Employee
Engagement Survey applied before anything is shown.

Employee survey rules (industry practice, `docs/decisions/0005-engagement.md`): no figure for a group of fewer than
5 responses, no comments for fewer than 10, at most one segment filter at a time and never one that leaves fewer
than 5 inside or outside the filter (a view and the total would otherwise give away the small group by
difference), and no crosstabs."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django.core.cache import cache
from django.db.models import Count, Max
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from civicplan.engagement import selectors
from civicplan.engagement.answers import OTHER, QuestionKind, Segment
from civicplan.engagement.models import Audience, Channel, Response, Survey
from civicplan.engagement.selectors import AskedQuestion
from civicplan.engagement.tabulation import (
    CROSSTAB_KINDS,
    QuestionResult,
    Respondent,
    answer_frame,
    crosstab,
    filter_frame,
    matrix_points,
    tabulate,
)
from civicplan.lib.charts import Bar, bar_chart

MIN_SCORE_GROUP = 5
MIN_COMMENT_GROUP = 10
# Every parameter that can change what is shown: segment filters, channel, language, partial, crosstab.
CACHE_PARAMS = frozenset({*(s.value for s in Segment), "channel", "language", "partial", "row", "column"})
CHARTED = frozenset(
    {
        QuestionKind.SINGLE,
        QuestionKind.MULTIPLE,
        QuestionKind.RATING,
        QuestionKind.RANKING,
        QuestionKind.ALLOCATION,
    }
)


@dataclass
class FilterChoice:
    name: str
    label: str
    options: list[tuple[str, str]]
    value: str = ""


@dataclass
class ShownResult:
    asked: AskedQuestion
    result: QuestionResult
    chart: str = ""
    matrix: dict[str, Any] = field(default_factory=dict)
    comments_hidden: bool = False


@dataclass
class SurveyResults:
    survey: Survey
    n: int
    total_n: int
    shown: list[ShownResult]
    filters: list[FilterChoice]
    suppressed: str = ""  # why nothing (or some things) cannot be shown
    crosstab: Any = None
    crosstab_rows: list[Any] = field(default_factory=list)
    crosstab_choices: list[tuple[str, str]] = field(default_factory=list)
    row_key: str = ""
    column_key: str = ""
    include_partial: bool = False

    @property
    def filtered(self) -> bool:
        return any(choice.value for choice in self.filters) or self.include_partial

    @property
    def confidential(self) -> bool:
        return self.survey.audience == Audience.EMPLOYEE


def respondents_of(
    survey: Survey, asked: list[AskedQuestion], *, include_partial: bool = False, after: int = 0
) -> list[Respondent]:
    """Counted responses (never flagged ones) with their segments: the answers to demographic questions, the
    channel and the language. `after`: only responses with a higher id (the ones a kept frame lacks)."""
    segment_keys = {a.key: a.question.segment for a in asked if a.question.segment}
    responses = selectors.counted_responses(survey, include_partial=include_partial)
    if after:
        responses = responses.filter(pk__gt=after)
    people = []
    for pk, answers, channel, language in responses.values_list("pk", "answers", "channel", "language"):
        segments = {"channel": channel, "language": language}
        for key, segment in segment_keys.items():
            value = answers.get(key)
            if isinstance(value, str):
                segments[segment] = value
        people.append(Respondent(answers=answers, segments=segments, pk=pk))
    return people


@dataclass(frozen=True)
class KeptFrame:
    edits: tuple[int, int]  # the survey's lock and answers versions when it was read
    last: int  # the highest response id read
    frame: pl.DataFrame


# Column frames of the last few surveys asked for, per process: reading 100,000 responses' answers takes seconds,
# tabulating their columns a fraction of one. Responses are only ever added (or, on council surveys, edited, which
# bumps `answers_version`), so a kept frame is brought up to date by reading the responses after its last id.
FRAMES_KEPT = 4
_frames: OrderedDict[tuple[Any, ...], KeptFrame] = OrderedDict()
_frames_lock = threading.Lock()


def forget_frames() -> None:
    """Drop the kept frames (tests: ids are reused after a rollback)."""
    with _frames_lock:
        _frames.clear()


def _answers_key(survey: Survey) -> tuple[Any, ...]:
    """What identifies the state of a survey's responses: its versions, the count and the last id."""
    stats = Response.objects.filter(survey=survey).aggregate(count=Count("pk"), last=Max("pk"))
    return (survey.pk, survey.lock_version, survey.answers_version, stats["count"], stats["last"] or 0)


def answer_frame_of(survey: Survey, *, include_partial: bool = False) -> pl.DataFrame:
    """The counted responses as a column frame (`tabulation.answer_frame`), over every question."""
    asked = selectors.asked_questions(survey, "en")  # the columns do not depend on the language
    key = (survey.pk, tuple(a.shape for a in asked), include_partial)
    _survey, lock, edits, _count, last = _answers_key(survey)
    with _frames_lock:
        kept = _frames.get(key)
        if kept is not None:
            _frames.move_to_end(key)
    if kept is not None and kept.edits == (lock, edits) and kept.last == last:
        return kept.frame
    shapes = [a.shape for a in asked]
    if kept is not None and kept.edits == (lock, edits) and kept.last < last:
        added = answer_frame(
            shapes, respondents_of(survey, asked, include_partial=include_partial, after=kept.last)
        )
        frame = pl.concat([kept.frame, added], how="diagonal_relaxed") if added.height else kept.frame
    else:
        frame = answer_frame(shapes, respondents_of(survey, asked, include_partial=include_partial))
    with _frames_lock:
        _frames[key] = KeptFrame((lock, edits), last, frame)
        _frames.move_to_end(key)
        while len(_frames) > FRAMES_KEPT:
            _frames.popitem(last=False)
    return frame


def _filters(asked: list[AskedQuestion], params: Any, *, confidential: bool) -> list[FilterChoice]:
    choices = [
        FilterChoice(
            a.question.segment,
            a.text,
            [(c.code, c.label) for c in a.shape.options],
        )
        for a in asked
        if a.question.segment and a.shape.options
    ]
    if not confidential:
        choices.append(
            FilterChoice("channel", _("Channel"), [(str(v), str(label)) for v, label in Channel.choices])
        )
        choices.append(FilterChoice("language", _("Language"), [("en", _("English")), ("es", _("Spanish"))]))
    for choice in choices:
        value = params.get(choice.name, "")
        choice.value = value if value in {code for code, _label in choice.options} else ""
    return choices


def _bar_label(result: QuestionResult, row: Any) -> str:
    return row.label or (_("Other") if row.code == OTHER else row.code)


def _chart(asked: AskedQuestion, result: QuestionResult) -> str:
    kind = result.question.kind
    if kind not in CHARTED or not result.n:
        return ""
    if kind == QuestionKind.RANKING:
        bars = [Bar(_bar_label(result, row), float(row.extra or 0)) for row in result.rows]
        what = _("share ranking it first")
    elif kind == QuestionKind.ALLOCATION:
        bars = [Bar(_bar_label(result, row), float(row.extra or 0)) for row in result.rows]
        what = _("share of all points")
    else:
        bars = [Bar(_bar_label(result, row), float(row.percent or 0)) for row in result.rows]
        what = _("percent of respondents")
    description = "; ".join(f"{bar.label}: {bar.value:.1f}%" for bar in bars)
    return mark_safe(  # lib.charts escapes every text it draws
        bar_chart(
            chart_id=f"chart-{asked.key}",
            title=f"{asked.text} ({what})",
            description=description,
            bars=bars,
            value_text=lambda v: f"{v:.1f}%",
            width=420,
            labels_above=True,
        )
    )


CACHE_SECONDS = 600


def survey_results(
    survey: Survey, params: Any, *, public: bool, language: str | None = None
) -> SurveyResults:
    """The results, cached until a response arrives or the survey changes: 100,000 responses take seconds to read
    and tabulate, and the same figures are asked for again and again."""
    language = language or (get_language() or "en")[:2]
    wanted = sorted((k, str(v)) for k, v in params.items() if k in CACHE_PARAMS)
    key = (
        "survey-results:"
        + hashlib.sha256(repr((_answers_key(survey), wanted, public, language)).encode()).hexdigest()
    )
    cached = cache.get(key)
    if cached is None:
        cached = _survey_results(survey, params, public=public, language=language)
        cache.set(key, cached, CACHE_SECONDS)
    return cached


def _survey_results(survey: Survey, params: Any, *, public: bool, language: str) -> SurveyResults:
    confidential = survey.audience == Audience.EMPLOYEE
    include_partial = not public and not confidential and params.get("partial") == "1"
    asked = selectors.asked_questions(survey, language)
    if public:
        asked = [a for a in asked if a.question.results_public]
    everyone = answer_frame_of(survey, include_partial=include_partial)
    filters = _filters(asked, params, confidential=confidential)
    active = {f.name: f.value for f in filters if f.value}
    suppressed = ""
    if confidential and len(active) > 1:
        active = dict([next(iter(active.items()))])
        suppressed = _("Employee results can be filtered by one group at a time.")
        for choice in filters:
            choice.value = active.get(choice.name, "")
    people = filter_frame(everyone, active)
    results = SurveyResults(
        survey, people.height, everyone.height, [], filters, suppressed, include_partial=include_partial
    )
    if confidential:
        if people.height < MIN_SCORE_GROUP or (active and everyone.height - people.height < MIN_SCORE_GROUP):
            results.suppressed = _(
                "Results are not shown for this group: fewer than 5 responses would be in it or outside it, "
                "and employees' answers must not be traceable to anyone."
            )
            return results
    for a in asked:
        result = tabulate(a.shape, people)
        shown = ShownResult(a, result, chart=_chart(a, result))
        if a.shape.kind == QuestionKind.MATRIX:
            shown.matrix = matrix_points(result, people)
        if confidential and people.height < MIN_COMMENT_GROUP and (result.texts or result.other_texts):
            result.texts, result.other_texts, shown.comments_hidden = [], [], True
        results.shown.append(shown)
    if not public and not confidential:
        _add_crosstab(results, asked, people, params)
    return results


def _add_crosstab(
    results: SurveyResults, asked: list[AskedQuestion], people: pl.DataFrame, params: Any
) -> None:
    eligible = {a.key: a for a in asked if a.shape.kind in CROSSTAB_KINDS}
    results.crosstab_choices = [(a.key, f"{a.key}: {a.text[:70]}") for a in eligible.values()]
    row_key, column_key = params.get("row", ""), params.get("column", "")
    if row_key in eligible and column_key in eligible and row_key != column_key:
        results.row_key, results.column_key = row_key, column_key
        table = crosstab(eligible[row_key].shape, eligible[column_key].shape, people)
        results.crosstab = table
        results.crosstab_rows = [
            {
                "label": row.label or _("Other"),
                "cells": [
                    (
                        table.counts.get((row.code, column.code), 0),
                        table.column_percents.get((row.code, column.code)),
                    )
                    for column in table.columns
                ],
                "total": table.row_totals.get(row.code, 0),
            }
            for row in table.rows
        ]
