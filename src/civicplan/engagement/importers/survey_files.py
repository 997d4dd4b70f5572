"""Survey files exported by other survey tools -> questions and responses in the shapes of `engagement.answers`.
Pure: bytes in, dataclasses out; no database, no HTTP. Which survey the responses go to, and writing them all or
nothing, is the service's business.

    detect_format(data, filename)              which of FORMATS the file is
    parse_survey_file(data, filename)          questions (kinds guessed), responses, previews, duplicates, problems
    parse_xlsform(data)                        a KoboToolbox form's title and bilingual questions
    remap_answers(parsed, targets, mapping, labels)   responses in a target survey's keys and option codes

Formats, as the tools write them (docs in each module): LimeSurvey CSV and VV (`limesurvey`), KoboToolbox CSV,
XLSX and XLSForm (`kobo`), Qualtrics CSV (`qualtrics`), SurveyMonkey, Google Forms and Microsoft Forms
(`web_forms`). The shared machinery: `survey_tables` (reading, limits), `survey_engine` (the two passes and the
kind guesses, each rule commented there), `survey_model` (the dataclasses).

A parsed file's `problems` are values that cannot be read as their question's kind (a rating of "abc", a date
that does not parse); a non-empty list means the caller refuses the whole import. Previews are left out of
`responses` (their rows are in `previews_skipped`); partial responses and duplicates stay in, flagged.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from civicplan.engagement.answers import (
    OTHER,
    AnswerProblem,
    QuestionKind,
    QuestionShape,
    check_answer,
    other_key,
)
from civicplan.engagement.importers import kobo, limesurvey, qualtrics, web_forms
from civicplan.engagement.importers.kobo import parse_xlsform
from civicplan.engagement.importers.survey_engine import Layout, run
from civicplan.engagement.importers.survey_model import (
    FORMATS,
    DetectedQuestion,
    ImportedResponse,
    ParsedSurveyFile,
    RowProblem,
    SurveyFileError,
    answers_fingerprint,
    clip,
    normalise_label,
)
from civicplan.engagement.importers.survey_tables import (
    MAX_COLUMNS,
    MAX_ROWS,
    Table,
    read_table,
    reread_unquoted,
)

__all__ = [
    "FORMATS",
    "MAX_COLUMNS",
    "MAX_ROWS",
    "DetectedQuestion",
    "ImportedResponse",
    "ParsedSurveyFile",
    "RowProblem",
    "SurveyFileError",
    "answers_fingerprint",
    "detect_format",
    "normalise_label",
    "parse_survey_file",
    "parse_xlsform",
    "remap_answers",
]

K = QuestionKind
_JOINERS = re.compile(r"[;,]")


# --- Which tool wrote the file --------------------------------------------------------------------------------


def detect_format(data: bytes, filename: str) -> str:
    """One of FORMATS, told by the headings (never by the file name alone). Raises SurveyFileError naming the
    exports it can read when the file is none of them."""
    return _detect(read_table(data, filename))


def _detect(table: Table) -> str:
    headings = table.headers[0]
    if limesurvey.looks_like_vv(table):
        return "limesurvey-vv"
    if limesurvey.looks_like_csv(headings) and table.kind == "csv":
        return "limesurvey-csv"
    if kobo.looks_like_export(headings):
        return "kobo-xlsx" if table.kind == "xlsx" else "kobo-csv"
    if qualtrics.looks_like_export(table):
        return "qualtrics"
    if web_forms.looks_like_surveymonkey(table):
        return "surveymonkey"
    if web_forms.looks_like_google(table):
        return "google-forms"
    if web_forms.looks_like_ms_forms(table):
        return "ms-forms"
    raise SurveyFileError(
        _(
            "The file was not recognised as a survey export. CivicPlan reads the responses exported from "
            "LimeSurvey (CSV or VV file), KoboToolbox (CSV or XLSX), Qualtrics (CSV), SurveyMonkey (CSV or "
            "XLSX), Google Forms (CSV) and Microsoft Forms (XLSX), with their heading rows as the tool wrote them."
        )
    )


# --- Reading it -----------------------------------------------------------------------------------------------

_LAYOUTS: dict[str, Callable[[Table], Layout]] = {
    "limesurvey-csv": limesurvey.csv_layout,
    "limesurvey-vv": limesurvey.vv_layout,
    "kobo-csv": kobo.export_layout,
    "kobo-xlsx": kobo.export_layout,
    "qualtrics": qualtrics.layout,
    "surveymonkey": web_forms.surveymonkey_layout,
    "google-forms": web_forms.google_layout,
    "ms-forms": web_forms.ms_forms_layout,
}


def parse_survey_file(data: bytes, filename: str, format: str = "auto") -> ParsedSurveyFile:
    """The file's questions and responses. `format` is one of FORMATS, or "auto" to detect it. Raises
    SurveyFileError when the file as a whole cannot be read; problems with single values are in `problems`."""
    if format != "auto" and format not in FORMATS:
        raise ValueError(f"Unknown survey file format {format!r}; expected one of {', '.join(FORMATS)}.")
    table = read_table(data, filename)
    detected = _detect(table)
    chosen = detected if format == "auto" else format
    if chosen != detected and _family(chosen) != _family(detected):
        raise SurveyFileError(
            _("The file does not look like a %(expected)s export; it looks like %(found)s.")
            % {"expected": chosen, "found": detected}
        )
    if chosen == "limesurvey-vv":
        table = reread_unquoted(table, data)  # VV files escape their quotes: a quote is just a character
    layout = _LAYOUTS[chosen](table)
    layout.format = chosen
    return run(layout, table)


def _family(format: str) -> str:
    return format.split("-")[0]


# --- Answers into a target survey -----------------------------------------------------------------------------


def remap_answers(
    parsed: ParsedSurveyFile,
    targets: dict[str, QuestionShape],
    mapping: dict[str, str],
    labels: dict[str, dict[str, str]],
) -> tuple[list[tuple[int, dict[str, Any]]], list[RowProblem]]:
    """Each response's answers in the target survey's keys and option codes, with the problems of every row.

    `mapping` is file question key -> target question key (file questions left out are not imported);
    `labels` is target question key -> {label, in English or Spanish: option code} (a matrix: its rows'
    labels -> row codes), compared after `normalise_label` (so case, accents and spaces do not matter). A value
    is matched by code first, then by its label in the file, then by its own text; an "other" text that is a
    target option's label becomes that option (Google Forms writes the text where the option would be). Each
    answer is then checked with `answers.check_answer`; `required` is not enforced for partial responses.
    Every response of `parsed.responses` is returned, duplicates included: the caller decides about them."""
    questions = {question.key: question for question in parsed.questions}
    for source, target in mapping.items():
        if source not in questions or target not in targets:
            raise ValueError(f"Mapping {source!r} -> {target!r} names a question that does not exist.")
    converters = [
        _Mapper(questions[source], targets[target], _normalised_index(labels.get(target, {})))
        for source, target in mapping.items()
    ]
    results: list[tuple[int, dict[str, Any]]] = []
    problems: list[RowProblem] = []
    mapped = {key: targets[key] for key in dict.fromkeys(mapping.values())}
    for response in parsed.responses:
        results.append((response.row, _remap_one(response, converters, mapped, problems)))
    return results, problems


def _normalised_index(index: dict[str, str]) -> dict[str, str]:
    return {normalise_label(label): code for label, code in index.items()}


def _remap_one(
    response: ImportedResponse,
    converters: list[_Mapper],
    targets: dict[str, QuestionShape],
    problems: list[RowProblem],
) -> dict[str, Any]:
    """One response's answers in the target's keys; `targets` are the mapped target questions only (a
    question the file does not have is not required of its responses)."""
    answers: dict[str, Any] = {}
    failed: set[str] = set()
    filled_by: dict[str, str] = {}
    for mapper in converters:
        source, target = mapper.source.key, mapper.target.key
        if source not in response.answers:
            continue
        if target in filled_by:  # a bilingual form asking the same question twice, answered twice
            problems.append(mapper.problem(response.row, _("it was answered twice in this response")))
            failed.add(target)
            continue
        filled_by[target] = source
        before = len(problems)
        mapper.convert(response, answers, problems)
        if len(problems) > before:
            failed.add(target)
    for key, shape in targets.items():
        if key in failed:
            continue
        if response.partial and shape.required:
            shape = dataclasses.replace(shape, required=False)
        found = check_answer(shape, answers)
        if found is not None:
            mapper = next((m for m in converters if m.target.key == key), None)
            problems.append(_answer_problem(response.row, shape, found, mapper))
    return answers


class _Mapper:
    """One file question into one target question."""

    def __init__(self, source: DetectedQuestion, target: QuestionShape, labels: dict[str, str]) -> None:
        self.source, self.target, self.labels = source, target, labels
        self.file_labels = {choice.code: choice.label for choice in [*source.options, *source.rows]}
        self.codes = {choice.code for choice in target.options}
        self.codes_folded = {code.casefold(): code for code in self.codes}
        self.rows = {choice.code for choice in target.rows}
        self.row_labels = {normalise_label(choice.label): choice.code for choice in target.rows}
        self.option_labels = {normalise_label(choice.label): choice.code for choice in target.options}
        self.column = source.columns[0] if source.columns else source.key
        self.memo: dict[str, str | None] = {}

    def problem(self, row: int, what: str, column: str = "") -> RowProblem:
        column = column or self.column
        return RowProblem(
            row,
            column,
            _("Row %(row)s, column “%(column)s”: %(what)s.") % {"row": row, "column": column, "what": what},
        )

    def convert(
        self, response: ImportedResponse, answers: dict[str, Any], problems: list[RowProblem]
    ) -> None:
        value = response.answers[self.source.key]
        other_text = response.answers.get(other_key(self.source.key), "")
        kind, key = self.target.kind, self.target.key
        if kind == K.SINGLE:
            code = self._single(value, other_text, response.row, problems)
            if code is not None:
                answers[key] = code
        elif kind in (K.MULTIPLE, K.RANKING):
            codes, other_text = self._many(value, other_text, response.row, problems)
            if codes:
                answers[key] = codes
        elif kind == K.RATING:
            rating = self._whole(value)
            if rating is None:
                problems.append(self.problem(response.row, self._not_matched(value)))
            else:
                answers[key] = rating
        elif kind == K.MATRIX:
            answers_matrix = self._matrix(value, response.row, problems)
            if answers_matrix:
                answers[key] = answers_matrix
        elif kind == K.ALLOCATION:
            answers[key] = self._allocation(value, response.row, problems)
        elif kind == K.NUMBER:
            answers[key] = str(value) if not isinstance(value, list | dict) else ""
        else:
            answers[key] = self._as_text(value)
        if OTHER in _as_list(answers.get(key)) and other_text:
            answers[other_key(key)] = other_text

    # Choices ----------------------------------------------------------------------------------------------

    def _code(self, value: Any) -> str | None:
        """A target option code for one file value: by code, then by its file label, then by its own text.
        Remembered per value: a file of 100,000 responses names the same few options again and again."""
        text = str(value)
        if text in self.codes:
            return text
        if text not in self.memo:
            self.memo[text] = self._find(text)
        return self.memo[text]

    def _find(self, text: str) -> str | None:
        for candidate in (self.file_labels.get(text, ""), text):
            word = normalise_label(candidate)
            if not word:
                continue
            found = (
                self.labels.get(word)
                or self.option_labels.get(word)
                or self.codes_folded.get(candidate.casefold())
            )
            if found:
                return found
        return None

    def _single(self, value: Any, other_text: str, row: int, problems: list[RowProblem]) -> str | None:
        if value == OTHER:
            return self._other(other_text, row, problems)
        code = self._code(value)
        if code is None:
            problems.append(self.problem(row, self._not_matched(value)))
        return code

    def _other(self, other_text: str, row: int, problems: list[RowProblem]) -> str | None:
        matched = self._code(other_text) if other_text else None
        if matched is not None:
            return matched
        if self.target.allows_other:
            return OTHER
        problems.append(
            self.problem(
                row,
                _("“%(value)s” is an “Other” answer, and the question has no “Other” option")
                % {"value": clip(other_text)},
            )
        )
        return None

    def _many(
        self, value: Any, other_text: str, row: int, problems: list[RowProblem]
    ) -> tuple[list[str], str]:
        """The target codes of a multiple choice or ranking, and the "other" text left to keep."""
        codes: list[str] = []
        rest = ""
        for item in _as_list(value):
            if item == OTHER:
                found, rest = self._pieces(other_text) if other_text else ([], "")
                if rest or not found:
                    code = self._other(rest, row, problems)
                    found += [code] if code else []
            else:
                code = self._code(item)
                # A label the file took for one may be several of the target's (`Parks, Roads`).
                found, left = ([code], "") if code else self._pieces(self.file_labels.get(item, str(item)))
                if left:
                    problems.append(
                        self.problem(row, self._not_matched(left), self.source.value_columns.get(item, ""))
                    )
            codes += [code for code in found if code not in codes]
        if self.target.kind == K.MULTIPLE:
            order = {choice.code: n for n, choice in enumerate(self.target.options)}
            codes.sort(key=lambda code: order.get(code, len(order)))
        return codes, rest if OTHER in codes else ""

    def _pieces(self, text: str) -> tuple[list[str], str]:
        """Codes named in a text that joins labels with commas or semicolons (`Parks, Housing`: a checkbox answer
        read as one "other" text), target labels matched first, longest first; and the text left over."""
        tokens = [token.strip() for token in _JOINERS.split(text) if token.strip()]
        whole = self._code(text)
        if whole is not None:
            return [whole], ""
        codes: list[str] = []
        rest: list[str] = []
        position = 0
        while position < len(tokens):
            for size in range(len(tokens) - position, 0, -1):
                code = self._code(", ".join(tokens[position : position + size]))
                if code is not None:
                    codes.append(code)
                    position += size
                    break
            else:
                rest.append(tokens[position])
                position += 1
        return codes, ", ".join(rest)

    def _not_matched(self, value: Any) -> str:
        label = self.file_labels.get(str(value), str(value))
        return _("“%(value)s” matches no option of “%(question)s”") % {
            "value": clip(label),
            "question": clip(self.target.text or self.target.key),
        }

    # Numbers ----------------------------------------------------------------------------------------------

    def _whole(self, value: Any) -> int | None:
        if isinstance(value, bool):
            return None
        if isinstance(value, int):
            return value
        text = str(value).strip()
        if text.isascii() and text.isdigit():
            return int(text)
        code = self._code(text)  # a label such as "Muy satisfecho" whose code is "5"
        return int(code) if code and code.isdigit() else None

    def _matrix(self, value: Any, row: int, problems: list[RowProblem]) -> dict[str, int]:
        rated: dict[str, int] = {}
        items = value.items() if isinstance(value, dict) else []
        for file_row, rating in items:
            target_row = self._row(file_row)
            column = self.source.value_columns.get(file_row, "")
            if target_row is None:
                label = self.file_labels.get(file_row, file_row)
                what = _("the row “%(value)s” matches no row of “%(question)s”") % {
                    "value": clip(label),
                    "question": clip(self.target.text or self.target.key),
                }
                problems.append(self.problem(row, what, column))
            else:
                rated[target_row] = rating
        return rated

    def _row(self, file_row: str) -> str | None:
        if file_row in self.rows:
            return file_row
        for candidate in (self.file_labels.get(file_row, ""), file_row):
            word = normalise_label(candidate)
            found = self.labels.get(word) or self.row_labels.get(word)
            if word and found in self.rows:
                return found
        return None

    def _allocation(self, value: Any, row: int, problems: list[RowProblem]) -> dict[str, int]:
        points: dict[str, int] = {}
        for item, amount in value.items() if isinstance(value, dict) else []:
            code = self._code(item)
            if code is None:
                problems.append(
                    self.problem(row, self._not_matched(item), self.source.value_columns.get(item, ""))
                )
            else:
                points[code] = amount
        return points

    def _as_text(self, value: Any) -> str:
        if isinstance(value, list):
            return ", ".join(self.file_labels.get(code, code) for code in value)
        if isinstance(value, dict):
            return "; ".join(f"{self.file_labels.get(k, k)}: {v}" for k, v in value.items())
        return str(value)


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    return [] if value is None else [value]


_PROBLEM_TEXT = {
    "required": lambda: _("“%(question)s” is required and has no answer"),
    "unknown_option": lambda: _("“%(value)s” is not an option of “%(question)s”"),
    "too_many": lambda: _("“%(question)s” allows at most %(max)s choices"),
    "out_of_scale": lambda: _("“%(question)s” takes a whole number from %(min)s to %(max)s"),
    "not_a_number": lambda: _("“%(question)s” takes a number; “%(value)s” is not one"),
    "points_total": lambda: _("the points of “%(question)s” must add up to %(total)s, not %(sum)s"),
    "other_text_missing": lambda: _("“%(question)s” has “Other” chosen but no text for it"),
    "duplicate_rank": lambda: _("“%(question)s” has the same choice twice"),
}


def _answer_problem(
    row: int, shape: QuestionShape, found: AnswerProblem, mapper: _Mapper | None
) -> RowProblem:
    params = {"question": clip(shape.text or shape.key), "value": "", **found.params}
    params["value"] = clip(str(params["value"]))
    what = _PROBLEM_TEXT[found.message_id]() % params
    if mapper is not None:
        return mapper.problem(row, what)
    return RowProblem(row, "", _("Row %(row)s: %(what)s.") % {"row": row, "what": what})
