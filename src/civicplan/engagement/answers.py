"""What a survey question is and how its answers are stored: one contract for the survey runner, paper entry, the
file importers and the results. Pure: no database, no HTTP.

A response keeps its answers as one JSON object keyed by question key (`"q3"`). The value's shape depends on the
question's kind:

| kind         | answer value                                              | example                          |
|--------------|-----------------------------------------------------------|----------------------------------|
| single       | an option code                                            | `"parks"`                        |
| multiple     | a list of option codes, in the options' order             | `["parks", "roads"]`             |
| rating       | an int on the question's scale                            | `4`                              |
| matrix       | {row code: int on the scale}                              | `{"safety": 5, "roads": 2}`      |
| ranking      | a list of option codes, rank 1 first (may be partial)     | `["housing", "roads", "parks"]`  |
| allocation   | {option code: int points}, adding up to the total         | `{"parks": 60, "roads": 40}`     |
| number       | a decimal number written as text (exact, locale-free)     | `"12.5"`                         |
| short_text, long_text, district | text                                   | `"95123"`                        |

The text of an "other" choice is stored under `"<key>:other"` (`"q3:other": "A dog park"`), beside the code
`OTHER` in the question's own answer. A question left unanswered has no key at all (never null).
Demographic questions (age band, years in the city, relationship to the city, language at home) are single
choice questions whose `segment` names the segment they feed, so results can be filtered by them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

OTHER = "other"


class QuestionKind(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    RATING = "rating"
    MATRIX = "matrix"
    RANKING = "ranking"
    ALLOCATION = "allocation"
    NUMBER = "number"
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    DISTRICT = "district"


CHOICE_KINDS = frozenset(
    {QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.RANKING, QuestionKind.ALLOCATION}
)
TEXT_KINDS = frozenset({QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT, QuestionKind.DISTRICT})
SCALE_KINDS = frozenset({QuestionKind.RATING, QuestionKind.MATRIX})


class Segment(StrEnum):
    """The respondent facts results can be filtered by. A question's `segment` says which one it feeds."""

    DISTRICT = "district"
    AGE_BAND = "age_band"
    YEARS_IN_CITY = "years_in_city"
    RELATIONSHIP = "relationship"
    HOME_LANGUAGE = "home_language"


def other_key(key: str) -> str:
    return f"{key}:{OTHER}"


@dataclass(frozen=True)
class Choice:
    code: str
    label: str


@dataclass(frozen=True)
class QuestionShape:
    """What the checks and the results need to know of a question, in one language."""

    key: str
    kind: QuestionKind
    text: str = ""
    options: tuple[Choice, ...] = ()
    rows: tuple[Choice, ...] = ()  # matrix rows
    scale_min: int = 1
    scale_max: int = 5
    max_choices: int | None = None  # multiple choice; ranking: how many to rank
    allows_other: bool = False
    total_points: int = 100  # allocation
    required: bool = False

    @property
    def option_codes(self) -> frozenset[str]:
        codes = {choice.code for choice in self.options}
        if self.allows_other:
            codes.add(OTHER)
        return frozenset(codes)


@dataclass
class AnswerProblem:
    key: str
    message_id: str  # one of PROBLEMS below; callers translate and interpolate
    params: dict[str, Any] = field(default_factory=dict)


# The problems an answer can have, as message ids callers translate ("required" etc.).
PROBLEMS = (
    "required",
    "unknown_option",
    "too_many",
    "out_of_scale",
    "not_a_number",
    "points_total",
    "other_text_missing",
    "duplicate_rank",
)


def parse_decimal(text: str) -> Decimal | None:
    """A number as written `12`, `-3.5` or `1,234.5`; None for anything else (`12,5` included: ambiguous)."""
    raw = text.strip().replace(" ", "")
    if not raw:
        return None
    if "," in raw:
        whole = raw.split(".")[0].lstrip("-+")
        groups = whole.split(",")
        if len(groups[0]) > 3 or not groups[0] or any(len(g) != 3 for g in groups[1:]):
            return None
        raw = raw.replace(",", "")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def check_answer(question: QuestionShape, answers: dict[str, Any]) -> AnswerProblem | None:
    """The first problem with this question's answer in `answers`, or None. Used by the runner, paper entry and
    imports alike, so a response is valid whichever way it arrived."""
    key = question.key
    value = answers.get(key)
    if value in (None, "", [], {}):
        return AnswerProblem(key, "required") if question.required else None
    kind = question.kind
    if kind == QuestionKind.SINGLE:
        if value not in question.option_codes:
            return AnswerProblem(key, "unknown_option", {"value": value})
        if value == OTHER and not str(answers.get(other_key(key), "")).strip():
            return AnswerProblem(key, "other_text_missing")
    elif kind in (QuestionKind.MULTIPLE, QuestionKind.RANKING):
        if not isinstance(value, list) or any(code not in question.option_codes for code in value):
            return AnswerProblem(key, "unknown_option", {"value": value})
        if len(set(value)) != len(value):
            return AnswerProblem(key, "duplicate_rank")
        if question.max_choices and len(value) > question.max_choices:
            return AnswerProblem(key, "too_many", {"max": question.max_choices})
        if OTHER in value and not str(answers.get(other_key(key), "")).strip():
            return AnswerProblem(key, "other_text_missing")
    elif kind == QuestionKind.RATING:
        if not isinstance(value, int) or not question.scale_min <= value <= question.scale_max:
            return AnswerProblem(key, "out_of_scale", {"min": question.scale_min, "max": question.scale_max})
    elif kind == QuestionKind.MATRIX:
        rows = {row.code for row in question.rows}
        if not isinstance(value, dict) or any(row not in rows for row in value):
            return AnswerProblem(key, "unknown_option", {"value": value})
        if any(
            not isinstance(v, int) or not question.scale_min <= v <= question.scale_max
            for v in value.values()
        ):
            return AnswerProblem(key, "out_of_scale", {"min": question.scale_min, "max": question.scale_max})
        if question.required and len(value) < len(rows):
            return AnswerProblem(key, "required")
    elif kind == QuestionKind.ALLOCATION:
        if not isinstance(value, dict) or any(code not in question.option_codes for code in value):
            return AnswerProblem(key, "unknown_option", {"value": value})
        if any(not isinstance(v, int) or v < 0 for v in value.values()):
            return AnswerProblem(key, "not_a_number")
        if sum(value.values()) != question.total_points:
            return AnswerProblem(
                key, "points_total", {"total": question.total_points, "sum": sum(value.values())}
            )
    elif kind == QuestionKind.NUMBER:
        if not isinstance(value, str) or parse_decimal(value) is None:
            return AnswerProblem(key, "not_a_number", {"value": value})
    elif not isinstance(value, str):
        return AnswerProblem(key, "not_a_number", {"value": value})
    return None
