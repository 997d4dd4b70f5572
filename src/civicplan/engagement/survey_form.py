"""The questionnaire as a form: what a browser posts -> answers in the stored shapes (`answers.py`), and each
problem as a sentence next to its question. Shared by the public runner, the council and employee surveys and
paper entry, so a response is checked the same way whichever door it came through.

Field names: `<key>` for one value, `<key>` repeated for multiple choice, `<key>:other` for the other text,
`<key>:<row>` for a matrix row, `<key>:<option>` for a ranking's rank or an allocation's points."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _

from civicplan.engagement.answers import OTHER, AnswerProblem, QuestionKind, check_answer, other_key
from civicplan.engagement.selectors import AskedQuestion, is_shown


def _int(text: str) -> int | None:
    text = text.strip()
    if text.lstrip("-").isdigit() and len(text) < 7:
        return int(text)
    return None


def read_question(asked: AskedQuestion, data: QueryDict) -> tuple[dict[str, Any], str | None]:
    """This question's answer (and other text) from posted data, or a problem with what was typed."""
    shape, key = asked.shape, asked.key
    kind = shape.kind
    out: dict[str, Any] = {}
    if kind == QuestionKind.MULTIPLE:
        chosen = [code for code in data.getlist(key) if code]
        order = [c.code for c in shape.options] + [OTHER]
        if chosen:
            out[key] = sorted(
                dict.fromkeys(chosen), key=lambda c: order.index(c) if c in order else len(order)
            )
    elif kind == QuestionKind.RATING:
        raw = data.get(key, "").strip()
        if raw:
            value = _int(raw)
            if value is None:
                return {key: raw}, _("Choose one of the points.")
            out[key] = value
    elif kind == QuestionKind.MATRIX:
        rows = {}
        for row in shape.rows:
            raw = data.get(f"{key}:{row.code}", "").strip()
            if raw:
                value = _int(raw)
                if value is None:
                    return {}, _("Choose one of the points.")
                rows[row.code] = value
        if rows:
            out[key] = rows
    elif kind == QuestionKind.RANKING:
        ranks: dict[int, str] = {}
        for option in shape.options:
            raw = data.get(f"{key}:{option.code}", "").strip()
            if not raw:
                continue
            rank = _int(raw)
            if rank is None or not 1 <= rank <= len(shape.options):
                return {}, _("Ranks go from 1 to %(count)s.") % {"count": len(shape.options)}
            if rank in ranks:
                return {}, _("Give each rank to one item only (rank %(rank)s is used twice).") % {
                    "rank": rank
                }
            ranks[rank] = option.code
        if ranks:
            if sorted(ranks) != list(range(1, len(ranks) + 1)):
                return {}, _("Use the ranks in order, starting at 1, with no gaps.")
            out[key] = [ranks[rank] for rank in sorted(ranks)]
    elif kind == QuestionKind.ALLOCATION:
        points = {}
        for option in shape.options:
            raw = data.get(f"{key}:{option.code}", "").strip()
            if raw:
                value = _int(raw)
                if value is None or value < 0:
                    return {}, _("Points are whole numbers, 0 or more.")
                if value:
                    points[option.code] = value
        if points:
            out[key] = points
    else:  # single choice, number, texts
        raw = data.get(key, "")
        value = raw.strip() if kind != QuestionKind.LONG_TEXT else raw.strip().replace("\r\n", "\n")
        if value:
            out[key] = value[:5000]
    other = data.get(other_key(key), "").strip()
    if shape.allows_other and other:
        out[other_key(key)] = other[:500]
    return out, None


def problem_text(asked: AskedQuestion, problem: AnswerProblem) -> str:
    shape = asked.shape
    messages = {
        "required": _("Answer this question."),
        "unknown_option": _("Choose one of the options."),
        "too_many": _("Choose at most %(max)s.") % {"max": shape.max_choices},
        "out_of_scale": _("Choose one of the points."),
        "not_a_number": _("Write a number, like 12 or 12.5."),
        "points_total": _("The points must add up to %(total)s (they add up to %(sum)s).")
        % {"total": shape.total_points, "sum": problem.params.get("sum", 0)},
        "other_text_missing": _("Say what “Other” is."),
        "duplicate_rank": _("Choose each option only once."),
    }
    if shape.kind == QuestionKind.MATRIX and problem.message_id == "required":
        return _("Answer every row.")
    return messages.get(problem.message_id, _("Check this answer."))


def read_page(
    page_questions: list[AskedQuestion],
    data: QueryDict,
    earlier: dict[str, Any],
    all_questions: list[AskedQuestion],
) -> tuple[dict[str, Any], dict[str, str]]:
    """The answers to this page's questions (replacing what `earlier` held for them) and the problems by key.
    Questions hidden by skip logic lose their answers: what the person can't see can't be kept."""
    answers = dict(earlier)
    errors: dict[str, str] = {}
    keys_by_id = {a.question.pk: a.key for a in all_questions}
    for asked in page_questions:
        answers.pop(asked.key, None)
        answers.pop(other_key(asked.key), None)
        part, error = read_question(asked, data)
        answers.update(part)
        if error:
            errors[asked.key] = error
    for asked in page_questions:
        if asked.key in errors:
            continue
        if not is_shown(asked.question, answers, keys_by_id):
            answers.pop(asked.key, None)
            answers.pop(other_key(asked.key), None)
            continue
        problem = check_answer(asked.shape, answers)
        if problem:
            errors[asked.key] = problem_text(asked, problem)
    return answers, errors


def check_all(questions: list[AskedQuestion], answers: dict[str, Any]) -> dict[str, str]:
    """Every shown question's problem (the last page's submit checks the whole questionnaire again)."""
    keys_by_id = {a.question.pk: a.key for a in questions}
    errors = {}
    for asked in questions:
        if not is_shown(asked.question, answers, keys_by_id):
            continue
        problem = check_answer(asked.shape, answers)
        if problem:
            errors[asked.key] = problem_text(asked, problem)
    return errors


def visible_answers(questions: list[AskedQuestion], answers: dict[str, Any]) -> dict[str, Any]:
    """Answers to questions that skip logic hides are dropped before storing."""
    keys_by_id = {a.question.pk: a.key for a in questions}
    hidden = {a.key for a in questions if not is_shown(a.question, answers, keys_by_id)}
    return {k: v for k, v in answers.items() if k.split(":")[0] not in hidden}


@dataclass(frozen=True)
class BoundOption:
    code: str
    label: str
    checked: bool = False
    value: str = ""  # a ranking's rank or an allocation's points, as typed


@dataclass(frozen=True)
class BoundRow:
    code: str
    label: str
    value: int | None


@dataclass(frozen=True)
class BoundQuestion:
    """A question with what the person answered so far, ready for the template (which cannot index dicts)."""

    asked: AskedQuestion
    kind: str
    value: str
    options: list[BoundOption]
    rows: list[BoundRow]
    points: list[int]
    other: str
    other_checked: bool
    error: str
    number: int
    condition: str = ""  # "Answer this if …" for a question whose condition is on the same page

    @property
    def key(self) -> str:
        return self.asked.key

    @property
    def field_id(self) -> str:
        return f"field-{self.asked.key}"


def bind(
    asked: AskedQuestion, answers: dict[str, Any], error: str = "", number: int = 0, condition: str = ""
) -> BoundQuestion:
    shape, key = asked.shape, asked.key
    value = answers.get(key)
    chosen: set[str] = set()
    typed: dict[str, str] = {}
    if isinstance(value, list):
        chosen = set(value)
        if shape.kind == QuestionKind.RANKING:
            typed = {code: str(rank) for rank, code in enumerate(value, start=1)}
    elif isinstance(value, dict):
        typed = {str(code): str(v) for code, v in value.items()}
    elif value is not None:
        chosen = {str(value)}
    options = [BoundOption(c.code, c.label, c.code in chosen, typed.get(c.code, "")) for c in shape.options]
    rows = [
        BoundRow(r.code, r.label, value.get(r.code) if isinstance(value, dict) else None) for r in shape.rows
    ]
    return BoundQuestion(
        asked=asked,
        kind=str(shape.kind),
        value="" if value is None or isinstance(value, list | dict) else str(value),
        options=options,
        rows=rows,
        points=asked.points,
        other=str(answers.get(other_key(key), "")),
        other_checked=OTHER in chosen,
        error=error,
        number=number,
        condition=condition,
    )


def condition_text(asked: AskedQuestion, same_page: dict[int, AskedQuestion], numbers: dict[int, int]) -> str:
    """Without JavaScript a question that depends on an answer on the same page is always shown: say when to answer
    it."""
    source = same_page.get(asked.question.show_if_question_id or 0)
    if source is None:
        return ""
    labels = {c.code: c.label for c in source.shape.options}
    values = [labels.get(str(v), str(v)) for v in asked.question.show_if_values or []]
    return _("Answer this only if you chose %(answers)s in question %(number)s.") % {
        "answers": " / ".join(f"“{v}”" for v in values),
        "number": numbers[source.question.pk],
    }
