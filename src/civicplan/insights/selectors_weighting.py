"""Reads for survey weighting: the plan's population margins, a survey's segment questions with their sample
shares, the weighting in force, and the weighted results with their margins of error.

One reading of the responses (`engagement.results_view.answer_frame_of`), the weights of the latest weighting
joined on it (`tabulation.with_weights`; responses that arrived later weigh 1), and every figure from the
estimators of `insights.weighting`, so the page, and any export built on these reads, say the same thing."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from civicplan.engagement import selectors as engagement_selectors
from civicplan.engagement.answers import OTHER, QuestionKind, Segment
from civicplan.engagement.models import Audience, Survey
from civicplan.engagement.results_view import answer_frame_of
from civicplan.engagement.selectors import AskedQuestion
from civicplan.engagement.tabulation import (
    RESPONSE,
    WEIGHT,
    column,
    filter_frame,
    segment_column,
    with_weights,
)
from civicplan.insights.models import PopulationMargin, SurveyWeighting
from civicplan.insights.weighting import Estimate, mean, proportion, ranking_estimates, shares
from civicplan.plans.models import Plan

WEIGHTED_KINDS = frozenset(
    {
        QuestionKind.SINGLE,
        QuestionKind.MULTIPLE,
        QuestionKind.RATING,
        QuestionKind.RANKING,
        QuestionKind.ALLOCATION,
    }
)
SEGMENTS = frozenset(s.value for s in Segment)
ONE_PLACE = Decimal("0.1")


# --- Margins and the weighting in force ---------------------------------------------------------------------------


def latest_weighting(survey: Survey) -> SurveyWeighting | None:
    """The weighting in force: the latest one of the survey."""
    return SurveyWeighting.objects.filter(survey=survey).order_by("-created_at", "-pk").first()


def margins_of(plan: Plan) -> dict[str, dict[str, PopulationMargin]]:
    """The plan's population shares: {variable: {category: margin}}."""
    found: dict[str, dict[str, PopulationMargin]] = {}
    for margin in PopulationMargin.objects.filter(plan=plan).order_by("variable", "category"):
        found.setdefault(margin.variable, {})[margin.category] = margin
    return found


def segment_questions(survey: Survey, language: str) -> list[AskedQuestion]:
    """The survey's segment questions that have answer options, one per segment (the first asked). A typed
    answer (a ZIP code) has no fixed categories to give population shares to, so it cannot be raked."""
    seen: dict[str, AskedQuestion] = {}
    for asked in engagement_selectors.asked_questions(survey, language):
        segment = asked.question.segment
        if segment in SEGMENTS and asked.shape.options and segment not in seen:
            seen[segment] = asked
    return list(seen.values())


def weights_of(weighting: SurveyWeighting | None) -> dict[int, float]:
    if weighting is None:
        return {}
    return {int(pk): float(weight) for pk, weight in weighting.weights.items()}


def weighted_frame(survey: Survey, weighting: SurveyWeighting | None) -> pl.DataFrame:
    """The counted responses with the weights in force (1.0 for responses that arrived after the weighting)."""
    frame = answer_frame_of(survey)
    return with_weights(frame, weights_of(weighting)) if weighting is not None else frame


def arrived_after(frame: pl.DataFrame, weighting: SurveyWeighting) -> int:
    """Counted responses the weighting does not know: they weigh 1 until the survey is weighted again."""
    known = set(weights_of(weighting))
    return sum(1 for pk in frame[RESPONSE].to_list() if pk not in known)


def _rounded(value: float, places: int, *, grouping: bool = False) -> str:
    """Rounded half up, then formatted for the reader's language (Django's number_format truncates floats)."""
    number = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return number_format(number, places, use_l10n=True, force_grouping=grouping)


def _percent(part: float, whole: float) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * Decimal(part) / Decimal(whole)).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


# --- The weighting page ------------------------------------------------------------------------------------------


@dataclass
class CategoryLine:
    code: str
    label: str
    count: int  # counted responses with this answer
    sample: Decimal | None  # percent of the responses with a category
    weighted: Decimal | None  # the same, with the weights in force
    population: Decimal | None  # the stored population share (percent)


@dataclass
class VariableOverview:
    name: str  # the segment: age_band, district, ...
    label: str  # the segment question, in the reader's language
    key: str
    lines: list[CategoryLine]
    missing: int  # counted responses without one of the categories
    source: str
    others: list[PopulationMargin]  # stored shares of categories this survey does not offer
    used: bool  # the weighting in force raked to it
    changed: bool  # its stored shares differ from the ones the weighting in force used

    @property
    def has_margins(self) -> bool:
        return any(line.population is not None for line in self.lines) or bool(self.others)


@dataclass
class WeightingStatus:
    weighting: SurveyWeighting
    responses: int  # responses it weighted
    arrived_after: int  # counted responses it does not know (weight 1)
    max_error_points: float  # largest |weighted share - population share|, in percentage points
    design_effect: str
    effective_n: str
    responses_text: str
    missing: list[tuple[str, int]]  # (segment label, responses without a category)
    empty: list[tuple[str, list[str]]]  # (segment label, category labels nobody answered)
    trim: tuple[float, float] | None
    who: str  # who weighted it


@dataclass
class WeightingOverview:
    survey: Survey
    n: int  # counted responses
    variables: list[VariableOverview]
    status: WeightingStatus | None
    confidential: bool

    @property
    def any_margins(self) -> bool:
        return any(v.has_margins for v in self.variables)

    @property
    def stale(self) -> bool:
        return self.status is not None and any(v.changed for v in self.variables)


def _shares_in(frame: pl.DataFrame, name: str, codes: list[str]) -> tuple[dict[str, tuple[int, float]], int]:
    """Count and weight per category of a segment, and how many responses have none of the categories."""
    if segment_column(name) not in frame.columns:
        return {}, frame.height
    values = frame[segment_column(name)].to_list()
    weights = frame[WEIGHT].to_list()
    listed = set(codes)
    found: dict[str, tuple[int, float]] = {}
    missing = 0
    for value, weight in zip(values, weights, strict=True):
        if value not in listed:
            missing += 1
            continue
        count, total = found.get(value, (0, 0.0))
        found[value] = (count + 1, total + float(weight))
    return found, missing


def _same_shares(used: dict[str, Any] | None, stored: dict[str, PopulationMargin]) -> bool:
    if used is None:
        return not stored
    return set(used) == set(stored) and all(
        abs(float(used[code]) - float(margin.share)) < 1e-9 for code, margin in stored.items()
    )


def weighting_overview(survey: Survey, language: str) -> WeightingOverview:
    confidential = survey.audience == Audience.EMPLOYEE
    if (
        confidential
    ):  # never read: employee answers are not weighted, not even their counts by segment shown here
        return WeightingOverview(survey, 0, [], None, True)
    weighting = latest_weighting(survey)
    frame = weighted_frame(survey, weighting)
    stored = margins_of(survey.plan)
    used_margins: dict[str, Any] = weighting.margins if weighting is not None else {}
    variables = []
    labels: dict[str, str] = {}
    category_labels: dict[str, dict[str, str]] = {}
    for asked in segment_questions(survey, language):
        name = asked.question.segment
        codes = [choice.code for choice in asked.shape.options]
        labels[name] = asked.text
        category_labels[name] = {choice.code: choice.label for choice in asked.shape.options}
        counted, missing = _shares_in(frame, name, codes)
        answered = sum(count for count, _weight in counted.values())
        weight = sum(total for _count, total in counted.values())
        margins = stored.get(name, {})
        lines = [
            CategoryLine(
                code=choice.code,
                label=choice.label,
                count=counted.get(choice.code, (0, 0.0))[0],
                sample=_percent(counted.get(choice.code, (0, 0.0))[0], answered),
                weighted=(
                    _percent(counted.get(choice.code, (0, 0.0))[1], weight) if weighting is not None else None
                ),
                population=margins[choice.code].share if choice.code in margins else None,
            )
            for choice in asked.shape.options
        ]
        sources = [m.source for m in margins.values() if m.source]
        variables.append(
            VariableOverview(
                name=name,
                label=asked.text,
                key=asked.key,
                lines=lines,
                missing=missing,
                source=sources[0] if sources else "",
                others=[m for code, m in margins.items() if code not in set(codes)],
                used=name in used_margins,
                changed=weighting is not None and not _same_shares(used_margins.get(name), margins),
            )
        )
    status = None
    if weighting is not None:
        status = _status(weighting, frame, labels, category_labels)
    return WeightingOverview(survey, frame.height, variables, status, False)


def _status(
    weighting: SurveyWeighting,
    frame: pl.DataFrame,
    labels: dict[str, str],
    category_labels: dict[str, dict[str, str]],
) -> WeightingStatus:
    report = weighting.report or {}
    missing = [
        (labels.get(name, name), int(count)) for name, count in (report.get("missing") or {}).items() if count
    ]
    empty = [
        (labels.get(name, name), [category_labels.get(name, {}).get(code, code) for code in codes])
        for name, codes in (report.get("empty_categories") or {}).items()
        if codes
    ]
    trim = report.get("trim")
    responses = len(weighting.weights)
    return WeightingStatus(
        weighting=weighting,
        responses=responses,
        arrived_after=arrived_after(frame, weighting),
        max_error_points=100 * weighting.max_margin_error,
        design_effect=_rounded(weighting.design_effect, 2),
        effective_n=_rounded(weighting.effective_n, 0, grouping=True),
        responses_text=_rounded(responses, 0, grouping=True),
        missing=missing,
        empty=empty,
        trim=(float(trim[0]), float(trim[1])) if trim else None,
        who=_who(weighting.created_by),
    )


def _who(user: Any) -> str:
    if user is None:
        return "—"
    return str(user.get_full_name() or user.get_username())


# --- Weighted results --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """An estimate as a page prints it: the figure, its 95 % margin of error, and whether its base is small."""

    value: str
    moe: str
    small: bool
    known: bool

    @classmethod
    def of(cls, estimate: Estimate, *, percent: bool) -> Figure:
        if not math.isfinite(estimate.value):
            return cls("—", "", False, False)
        scale, places = (100, 1) if percent else (1, 2)
        value = _rounded(estimate.value * scale, places)
        moe = estimate.margin_of_error
        moe_text = f"±{_rounded(moe * scale, places)}" if math.isfinite(moe) else ""
        return cls(f"{value}%" if percent else value, moe_text, estimate.small, True)


@dataclass
class OptionLine:
    code: str
    label: str
    count: int  # respondents who chose (ranked, gave points to) it, unweighted
    unweighted: Figure
    weighted: Figure
    mean_rank: Figure | None = None  # ranking: weighted mean position among those who ranked it


@dataclass
class WeightedQuestion:
    asked: AskedQuestion
    kind: str
    n: int  # respondents who answered
    lines: list[OptionLine] = field(default_factory=list)
    unweighted_mean: Figure | None = None  # rating
    weighted_mean: Figure | None = None
    sentence: str = ""
    raked: bool = False  # a segment question the weighting used: its weighted shares are the population's

    @property
    def any_small(self) -> bool:
        figures = [f for line in self.lines for f in (line.unweighted, line.weighted, line.mean_rank) if f]
        figures += [f for f in (self.unweighted_mean, self.weighted_mean) if f]
        return any(f.small for f in figures)


@dataclass
class GroupChoice:
    name: str
    label: str
    options: list[tuple[str, str]]  # (value "segment:code", label)


@dataclass
class WeightedResults:
    survey: Survey
    weighting: SurveyWeighting | None
    n: int
    total_n: int
    questions: list[WeightedQuestion]
    groups: list[GroupChoice]
    group: str = ""  # "segment:code" or ""
    group_label: str = ""
    arrived_after: int = 0
    confidential: bool = False
    left_out: int = 0  # questions of kinds not estimated here (open text, matrix, number)


def _label(asked: AskedQuestion, code: str) -> str:
    for choice in asked.shape.options:
        if choice.code == code:
            return choice.label
    return _("Other") if code == OTHER else code


def _codes(asked: AskedQuestion) -> list[str]:
    codes = [choice.code for choice in asked.shape.options]
    if asked.shape.allows_other and asked.shape.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        codes.append(OTHER)
    return codes


def _groups(asked: list[AskedQuestion]) -> list[GroupChoice]:
    found: dict[str, GroupChoice] = {}
    for a in asked:
        segment = a.question.segment
        if segment and a.shape.options and segment not in found:
            found[segment] = GroupChoice(
                segment, a.text, [(f"{segment}:{c.code}", c.label) for c in a.shape.options]
            )
    return list(found.values())


def _sentence(survey: Survey, group_label: str, option: str, figure: Figure) -> str:
    """The top option in words. Whole percent and points: a sentence reads "41% (±4%)", not "41.2% (±4.3)"."""
    if group_label:
        text = (
            _("Among council members in the group “%(group)s”, %(percent)s (±%(moe)s) chose “%(option)s”.")
            if survey.audience == Audience.COUNCIL
            else _("Among residents in the group “%(group)s”, %(percent)s (±%(moe)s) chose “%(option)s”.")
        )
    else:
        text = (
            _("Among council members, %(percent)s (±%(moe)s) chose “%(option)s”.")
            if survey.audience == Audience.COUNCIL
            else _("Among residents, %(percent)s (±%(moe)s) chose “%(option)s”.")
        )
    return text % {"group": group_label, "percent": figure.value, "moe": figure.moe, "option": option}


def _whole(estimate: Estimate) -> Figure:
    moe = estimate.margin_of_error
    return Figure(
        f"{_rounded(estimate.value * 100, 0)}%",
        f"{_rounded(moe * 100, 0)}%" if math.isfinite(moe) else "?",
        estimate.small,
        True,
    )


def _choice_question(
    survey: Survey, asked: AskedQuestion, frame: pl.DataFrame, weights: npt.NDArray[np.float64], group: str
) -> WeightedQuestion:
    key, codes = asked.key, _codes(asked)
    answered = frame[column(key, "answered")].to_numpy()
    result = WeightedQuestion(asked, str(asked.shape.kind), int(answered.sum()))
    picked = frame[key]
    counts: Counter[str] = Counter(code for chosen in picked.to_list() if chosen for code in chosen)
    if asked.shape.kind == QuestionKind.SINGLE:
        first = picked.list.first().to_list()
        plain, weighted = shares(first, None, codes), shares(first, weights, codes)
    else:
        plain, weighted = {}, {}
        for code in codes:
            chose = picked.list.contains(code).fill_null(False).to_numpy()
            plain[code] = proportion(chose, None, answered)
            weighted[code] = proportion(chose, weights, answered)
    result.lines = [
        OptionLine(
            code,
            _label(asked, code),
            counts.get(code, 0),
            Figure.of(plain[code], percent=True),
            Figure.of(weighted[code], percent=True),
        )
        for code in codes
    ]
    known = [code for code in codes if math.isfinite(weighted[code].value)]
    if known and result.n:
        top = max(known, key=lambda code: weighted[code].value)
        result.sentence = _sentence(survey, group, _label(asked, top), _whole(weighted[top]))
    return result


def _rating_question(
    asked: AskedQuestion, frame: pl.DataFrame, weights: npt.NDArray[np.float64]
) -> WeightedQuestion:
    key = asked.key
    values = frame[key].cast(pl.Float64).fill_null(math.nan).to_numpy()
    result = WeightedQuestion(asked, str(asked.shape.kind), int(np.count_nonzero(~np.isnan(values))))
    result.unweighted_mean = Figure.of(mean(values, None), percent=False)
    result.weighted_mean = Figure.of(mean(values, weights), percent=False)
    return result


def _ranking_question(
    asked: AskedQuestion, frame: pl.DataFrame, weights: npt.NDArray[np.float64]
) -> WeightedQuestion:
    key, codes = asked.key, _codes(asked)
    rankings = frame[key].to_list()
    result = WeightedQuestion(asked, str(asked.shape.kind), sum(1 for r in rankings if r))
    plain = ranking_estimates(rankings, codes, None)
    weighted = ranking_estimates(rankings, codes, weights)
    result.lines = [
        OptionLine(
            code,
            _label(asked, code),
            weighted[code].ranked,
            Figure.of(plain[code].first, percent=True),
            Figure.of(weighted[code].first, percent=True),
            mean_rank=Figure.of(weighted[code].mean_rank, percent=False),
        )
        for code in codes
    ]
    result.lines.sort(key=lambda line: -_value(weighted[line.code].first))
    return result


def _value(estimate: Estimate) -> float:
    return estimate.value if math.isfinite(estimate.value) else -1.0


def _allocation_question(
    asked: AskedQuestion, frame: pl.DataFrame, weights: npt.NDArray[np.float64]
) -> WeightedQuestion:
    """Mean points per option over respondents who answered (an option left out of an answer got 0), as
    `weighting.allocation_estimates` defines it, read straight from the frame's point columns."""
    key, codes = asked.key, _codes(asked)
    valid = frame[column(key, "valid")].to_numpy()
    result = WeightedQuestion(asked, str(asked.shape.kind), int(valid.sum()))
    for code in codes:
        points = frame[column(key, code)].cast(pl.Float64).fill_null(0.0).to_numpy()
        points = np.where(valid, points, math.nan)
        result.lines.append(
            OptionLine(
                code,
                _label(asked, code),
                int(np.count_nonzero(valid & (points > 0))),
                Figure.of(mean(points, None), percent=False),
                Figure.of(mean(points, weights), percent=False),
            )
        )
    return result


def weighted_results(survey: Survey, params: Any, language: str) -> WeightedResults:
    """Every choice, rating, ranking and allocation question, unweighted beside weighted, each figure with its
    95 % margin of error; optionally for one group (one segment answer) at a time."""
    if survey.audience == Audience.EMPLOYEE:
        return WeightedResults(survey, None, 0, 0, [], [], confidential=True)
    weighting = latest_weighting(survey)
    asked = engagement_selectors.asked_questions(survey, language)
    groups = _groups(asked)
    results = WeightedResults(survey, weighting, 0, 0, [], groups)
    if weighting is None:
        return results
    everyone = weighted_frame(survey, weighting)
    results.total_n = everyone.height
    results.arrived_after = arrived_after(everyone, weighting)
    wanted = str(params.get("group", ""))
    labels = {value: (g.label, label) for g in groups for value, label in g.options}
    people = everyone
    if wanted in labels:
        name, code = wanted.split(":", 1)
        results.group = wanted
        results.group_label = f"{labels[wanted][0]}: {labels[wanted][1]}"
        people = filter_frame(everyone, {name: code})
    results.n = people.height
    weights = people[WEIGHT].to_numpy()
    group_words = labels[results.group][1] if results.group else ""
    for a in asked:
        kind = a.shape.kind
        if kind not in WEIGHTED_KINDS:
            results.left_out += 1
        elif kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            question = _choice_question(survey, a, people, weights, group_words)
            if a.question.segment and a.question.segment in weighting.margins:
                question.raked, question.sentence = True, ""
            results.questions.append(question)
        elif kind == QuestionKind.RATING:
            results.questions.append(_rating_question(a, people, weights))
        elif kind == QuestionKind.RANKING:
            results.questions.append(_ranking_question(a, people, weights))
        else:
            results.questions.append(_allocation_question(a, people, weights))
    return results
