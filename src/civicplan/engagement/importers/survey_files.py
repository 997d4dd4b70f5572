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
`responses` (their rows are in `previews_skipped`); partial responses and duplicates stay in, flagged. Row
numbers are the spreadsheet's: header rows count, a quoted multi-line cell is one row.

Two languages: a question's `text` and its options' and rows' labels are the file's (English from an XLSForm
that has it); Spanish is beside them, keyed by the same codes (`text_es`, `options_es`, `rows_es`), and
`DetectedQuestion.shape("es")` / `label_index()` give what the runner and `remap_answers` take. Exports
carry one language, so only `parse_xlsform` fills the Spanish fields.

Limits: MAX_ROWS responses and MAX_COLUMNS columns (SurveyFileError past them); XLSX files are opened by
`lib.spreadsheets.open_workbook` (size and zip-bomb checks). The size of an upload is the caller's to limit
(settings.IMPORT_MAX_BYTES): a 100,000-response LimeSurvey CSV of 25 questions is about 37 MB.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
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
    without_cyclic_gc,
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
    with without_cyclic_gc():
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
    target option's label becomes that option (Google Forms writes the text where the option would be), and
    a text joining several labels with commas (`Parks, Housing`) becomes those options, the rest "other".
    Each answer is then checked with `answers.check_answer`, `required` included except for partial
    responses. Every response of `parsed.responses` is returned, duplicates included: the caller decides."""
    questions = {question.key: question for question in parsed.questions}
    for source, target in mapping.items():
        if source not in questions or target not in targets:
            raise ValueError(f"Mapping {source!r} -> {target!r} names a question that does not exist.")
    mappers = [
        _Mapper(questions[source], targets[target], _normalised_index(labels.get(target, {})))
        for source, target in mapping.items()
    ]
    # Only the mapped questions are checked: a question the file does not have is not required of it.
    checks = [_Check(targets[key], mappers) for key in dict.fromkeys(mapping.values())]
    results: list[tuple[int, dict[str, Any]]] = []
    problems: list[RowProblem] = []
    with without_cyclic_gc():
        for response in parsed.responses:
            results.append((response.row, _remap_one(response, mappers, checks, problems)))
    return results, problems


def _normalised_index(index: dict[str, str]) -> dict[str, str]:
    return {normalise_label(label): code for label, code in index.items()}


@dataclass(frozen=True)
class _Shape(QuestionShape):
    """A QuestionShape whose option codes are worked out once, not again for each of 100,000 answers."""

    @functools.cached_property
    def option_codes(self) -> frozenset[str]:
        return super().option_codes


class _Check:
    """One target question's check, with and without `required` (for partial responses). The verdict on a
    choice or rating answer depends only on the answer and on whether an "other" text is there, so it is
    remembered for each such answer: 100,000 responses name the same few options (free text, numbers and
    matrices are checked every time)."""

    REMEMBERED = frozenset({K.SINGLE, K.MULTIPLE, K.RANKING, K.RATING})

    def __init__(self, shape: QuestionShape, mappers: list[_Mapper]) -> None:
        values = {item.name: getattr(shape, item.name) for item in dataclasses.fields(shape)}
        self.key, self.other = shape.key, other_key(shape.key)
        self.shapes = (_Shape(**values), _Shape(**{**values, "required": False}))
        self.mapper = next(mapper for mapper in mappers if mapper.target.key == shape.key)
        self.remembered = shape.kind in self.REMEMBERED
        self.verdicts: dict[tuple[Any, bool, bool], AnswerProblem | None] = {}

    def __call__(self, answers: dict[str, Any], partial: bool) -> tuple[QuestionShape, AnswerProblem | None]:
        shape = self.shapes[partial]
        if not self.remembered:
            return shape, check_answer(shape, answers)
        value = answers.get(self.key)
        seen = (tuple(value) if isinstance(value, list) else value, bool(answers.get(self.other)), partial)
        if seen not in self.verdicts:
            self.verdicts[seen] = check_answer(shape, answers)
        return shape, self.verdicts[seen]


def _remap_one(
    response: ImportedResponse, mappers: list[_Mapper], checks: list[_Check], problems: list[RowProblem]
) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    failed: set[str] = set()
    filled: set[str] = set()
    given, row = response.answers, response.row
    for mapper in mappers:
        if mapper.source_key not in given:
            continue
        target = mapper.target_key
        if target in filled:  # a bilingual form asking the same question twice, answered twice
            problems.append(mapper.problem(row, _("it was answered twice in this response")))
            failed.add(target)
        else:
            filled.add(target)
            if not mapper.convert(response, answers, problems):
                failed.add(target)  # reported once, as the value that did not map
    for check in checks:
        if check.key not in failed:
            shape, found = check(answers, response.partial)
            if found is not None:
                problems.append(_answer_problem(row, shape, found, check.mapper))
    return answers


class _Mapper:
    """One file question into one target question. `convert` dispatches once, at creation, on the target's
    kind; every lookup of a value is remembered."""

    def __init__(self, source: DetectedQuestion, target: QuestionShape, labels: dict[str, str]) -> None:
        self.source, self.target, self.labels = source, target, labels
        self.file_labels: dict[str, str] = {
            choice.code: choice.label for choice in [*source.options, *source.rows]
        }
        self.codes = {choice.code for choice in target.options}
        self.codes_folded = {code.casefold(): code for code in self.codes}
        self.rows = {choice.code for choice in target.rows}
        self.row_labels = {normalise_label(choice.label): choice.code for choice in target.rows}
        self.option_labels = {normalise_label(choice.label): choice.code for choice in target.options}
        self.order = {choice.code: n for n, choice in enumerate(target.options)}
        self.column = source.columns[0] if source.columns else source.key
        self.memo: dict[str, str | None] = {}
        self.row_memo: dict[str, str | None] = {}
        self.source_key, self.target_key = source.key, target.key
        self.source_other, self.target_other = other_key(source.key), other_key(target.key)
        convert = {
            K.SINGLE: self._single,
            K.MULTIPLE: self._many,
            K.RANKING: self._many,
            K.RATING: self._rating,
            K.MATRIX: self._matrix,
            K.ALLOCATION: self._allocation,
            K.NUMBER: self._number,
        }
        self._to_target = convert.get(target.kind, self._text)

    def problem(self, row: int, what: str, column: str = "") -> RowProblem:
        column = column or self.column
        return RowProblem(
            row,
            column,
            _("Row %(row)s, column “%(column)s”: %(what)s.") % {"row": row, "column": column, "what": what},
        )

    def convert(
        self, response: ImportedResponse, answers: dict[str, Any], problems: list[RowProblem]
    ) -> bool:
        """Put the answer in `answers`; False when a value did not map (reported in `problems`)."""
        before = len(problems)
        value = response.answers[self.source_key]
        other_text = response.answers.get(self.source_other, "")
        result, other_text = self._to_target(value, other_text, response.row, problems)
        if result is not None and result not in ([], {}):
            answers[self.target_key] = result
            if other_text and (result == OTHER or (isinstance(result, list) and OTHER in result)):
                answers[self.target_other] = other_text
        return len(problems) == before

    # Choices ----------------------------------------------------------------------------------------------

    def _code(self, value: Any) -> str | None:
        """A target option code for one file value: by code, then by its file label, then by its own text."""
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

    def _single(self, value: Any, other_text: str, row: int, problems: list[RowProblem]) -> tuple[Any, str]:
        if value == OTHER:
            return self._other(other_text, row, problems), other_text
        code = self._code(value)
        if code is None:
            problems.append(self.problem(row, self._not_matched(value)))
        return code, other_text

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

    def _many(self, value: Any, other_text: str, row: int, problems: list[RowProblem]) -> tuple[Any, str]:
        """The target codes of a multiple choice or ranking, and the "other" text left to keep."""
        items = value if isinstance(value, list) else [value]
        codes: list[str] = []
        rest = ""
        for item in items:
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
                    column = self.source.value_columns.get(item, "")
                    problems.append(self.problem(row, self._not_matched(left), column))
            codes += [code for code in found if code not in codes]
        if self.target.kind == K.MULTIPLE:
            codes.sort(key=lambda code: self.order.get(code, len(self.order)))
        return codes, rest if OTHER in codes else ""

    def _pieces(self, text: str) -> tuple[list[str], str]:
        """Codes named in a text that joins labels with commas or semicolons (`Parks, Housing`: a checkbox answer
        read as one "other" text), target labels matched first, longest first; and the text left over."""
        whole = self._code(text)
        if whole is not None:
            return [whole], ""
        tokens = [token.strip() for token in _JOINERS.split(text) if token.strip()]
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

    # Numbers and text -------------------------------------------------------------------------------------

    def _rating(self, value: Any, other_text: str, row: int, problems: list[RowProblem]) -> tuple[Any, str]:
        rating = self._whole(value)
        if rating is None:
            problems.append(self.problem(row, self._not_matched(value)))
        return rating, ""

    def _whole(self, value: Any) -> int | None:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        text = str(value).strip()
        if text.isascii() and text.isdigit():
            return int(text)
        code = self._code(text)  # a label such as "Muy satisfecho" whose code is "5"
        return int(code) if code and code.isdigit() else None

    def _matrix(self, value: Any, other_text: str, row: int, problems: list[RowProblem]) -> tuple[Any, str]:
        rated: dict[str, int] = {}
        for file_row, rating in value.items() if isinstance(value, dict) else []:
            if file_row not in self.row_memo:
                self.row_memo[file_row] = self._row(file_row)
            target_row = self.row_memo[file_row]
            if target_row is not None:
                rated[target_row] = rating
                continue
            what = _("the row “%(value)s” matches no row of “%(question)s”") % {
                "value": clip(self.file_labels.get(str(file_row), str(file_row))),
                "question": clip(self.target.text or self.target.key),
            }
            problems.append(self.problem(row, what, self.source.value_columns.get(file_row, "")))
        return rated, ""

    def _row(self, file_row: str) -> str | None:
        if file_row in self.rows:
            return file_row
        for candidate in (self.file_labels.get(file_row, ""), file_row):
            word = normalise_label(candidate)
            found = self.labels.get(word) or self.row_labels.get(word)
            if word and found in self.rows:
                return found
        return None

    def _allocation(
        self, value: Any, other_text: str, row: int, problems: list[RowProblem]
    ) -> tuple[Any, str]:
        points: dict[str, int] = {}
        for item, amount in value.items() if isinstance(value, dict) else []:
            code = self._code(item)
            if code is None:
                column = self.source.value_columns.get(item, "")
                problems.append(self.problem(row, self._not_matched(item), column))
            else:
                points[code] = amount
        return points, ""

    def _number(self, value: Any, other_text: str, row: int, problems: list[RowProblem]) -> tuple[Any, str]:
        return (value if isinstance(value, list | dict) else str(value)), ""  # check_answer reports a list

    def _text(self, value: Any, other_text: str, row: int, problems: list[RowProblem]) -> tuple[Any, str]:
        if isinstance(value, list):
            return ", ".join(self.file_labels.get(str(code), str(code)) for code in value), ""
        if isinstance(value, dict):
            return "; ".join(f"{self.file_labels.get(k, k)}: {v}" for k, v in value.items()), ""
        return str(value), ""


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
