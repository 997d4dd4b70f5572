"""Importing surveys run in other tools: a held upload, its preview (detected format, questions, the proposed
mapping to the survey's questions, counts and every problem by row), then one import, all or nothing.

Importing the same file twice adds nothing: responses with the tool's id are matched on it, the others on the
fingerprint of their answers and their day. Previews (test responses) are left out; partial responses are kept and
marked partial; duplicates inside the file are kept and flagged, so nothing is silently dropped."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicplan.core.history import record_change
from civicplan.engagement.answers import QuestionKind, QuestionShape
from civicplan.engagement.importers.survey_files import (
    ParsedSurveyFile,
    RowProblem,
    SurveyFileError,
    normalise_label,
    parse_survey_file,
    parse_xlsform,
    remap_answers,
)
from civicplan.engagement.models import Channel, ImportBatch, Option, Question, Response, Survey
from civicplan.engagement.services.surveys import unique_slug
from civicplan.plans.models import PendingImport, Plan

PURPOSE = "survey"
SKIP = ""  # a file question mapped to nothing


def _require(user: Any, obj: Any) -> None:
    if user is not None and not user.has_perm("engagement.manage_engagement", obj):
        raise PermissionDenied(_("You do not have permission to do this."))


@dataclass
class MappingRow:
    file_key: str
    text: str
    kind: str
    options: list[str]
    target: str  # survey question key, or SKIP


@dataclass
class SurveyImportPreview:
    filename: str
    format: str
    title: str
    mapping: list[MappingRow]
    new: int = 0
    already: int = 0
    partial: int = 0
    duplicates: int = 0
    previews_skipped: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    rows: list[tuple[int, dict[str, Any], Any]] = field(
        default_factory=list
    )  # (row, answers, parsed response)
    duplicate_rows: set[int] = field(default_factory=set)  # rows that repeat an earlier row of the file

    @property
    def ok(self) -> bool:
        return not self.problems


def hold_survey_file(
    *, user: Any, survey: Survey | None, plan: Plan, filename: str, data: bytes
) -> PendingImport:
    """Keep an upload for its preview; a file that cannot be read at all is refused here (SurveyFileError)."""
    from civicplan.plans.services import hold_import

    _require(user, survey or plan)
    if survey is None:
        read_definition(data, filename)  # a new survey may come from an XLSForm as well as from responses
    else:
        parse_survey_file(data, filename)  # refuse unreadable files before holding them
    return hold_import(user=user, filename=filename, data=data, purpose=PURPOSE)


def read_definition(
    data: bytes, filename: str, fmt: str = "auto"
) -> tuple[str, list[Any], ParsedSurveyFile | None]:
    """The title and questions a new survey is built from: a KoboToolbox XLSForm (bilingual), or the questions
    detected in exported responses (then also returned, to import them next)."""
    if filename.lower().endswith(".xlsx") and fmt in ("auto", "kobo-xlsx"):
        try:
            title, questions = parse_xlsform(data)
        except SurveyFileError:
            pass  # not a form: exported responses, read below
        else:
            return title, questions, None
    parsed = parse_survey_file(data, filename, fmt)
    return parsed.title, parsed.questions, parsed


def _targets(survey: Survey) -> tuple[dict[str, QuestionShape], dict[str, dict[str, str]], list[Question]]:
    from civicplan.engagement.selectors import shape_of

    questions = list(survey.questions.prefetch_related("options"))
    targets = {q.key: shape_of(q, "en") for q in questions}
    labels: dict[str, dict[str, str]] = {}
    for question in questions:
        index: dict[str, str] = {}
        for option in question.options.all():
            if option.is_row != (question.kind == QuestionKind.MATRIX):
                continue
            for text in (option.label_en, option.label_es, option.code):
                if text:
                    index.setdefault(normalise_label(text), option.code)
        labels[question.key] = index
    return targets, labels, questions


def proposed_mapping(parsed: ParsedSurveyFile, questions: list[Question]) -> dict[str, str]:
    """File question -> survey question: the same key, else the same text in either language."""
    by_key = {q.key.lower(): q.key for q in questions}
    by_text: dict[str, str] = {}
    for q in questions:
        for text in (q.text_en, q.text_es):
            if text:
                by_text.setdefault(normalise_label(text), q.key)
    mapping = {}
    for detected in parsed.questions:
        mapping[detected.key] = by_key.get(detected.key.lower()) or by_text.get(
            normalise_label(detected.text), SKIP
        )
    return mapping


def _fingerprint(answers: dict[str, Any], day: Any) -> str:
    import json

    text = json.dumps([answers, str(day or "")], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def preview_survey_file(
    *, survey: Survey, filename: str, data: bytes, mapping: dict[str, str] | None = None, fmt: str = "auto"
) -> SurveyImportPreview:
    """Everything the import would do, nothing written."""
    parsed = parse_survey_file(data, filename, fmt)
    targets, labels, questions = _targets(survey)
    mapping = mapping if mapping is not None else proposed_mapping(parsed, questions)
    mapping = {key: target for key, target in mapping.items() if target in targets or target == SKIP}
    preview = SurveyImportPreview(
        filename=filename,
        format=parsed.format,
        title=parsed.title,
        mapping=[
            MappingRow(
                d.key, d.text, str(d.kind), [c.label for c in d.options][:12], mapping.get(d.key, SKIP)
            )
            for d in parsed.questions
        ],
        previews_skipped=len(parsed.previews_skipped),
        problems=list(parsed.problems),
    )
    chosen = {key: target for key, target in mapping.items() if target}
    targets_used = list(chosen.values())
    for target in {t for t in targets_used if targets_used.count(t) > 1}:
        preview.problems.append(
            RowProblem(
                0, target, _("Two columns of the file are mapped to question %(key)s.") % {"key": target}
            )
        )
    if not chosen:
        preview.problems.append(
            RowProblem(0, "", _("No question of the file is mapped to a question of the survey."))
        )
    remapped, problems = remap_answers(parsed, targets, chosen, labels)
    preview.problems.extend(problems)
    known_ids = set(survey.responses.exclude(external_id="").values_list("external_id", flat=True))
    known_prints = set(survey.responses.exclude(fingerprint="").values_list("fingerprint", flat=True))
    preview.duplicate_rows = {row for row, _first in parsed.duplicates}
    by_row = {response.row: response for response in parsed.responses}
    for row, answers in remapped:
        response = by_row[row]
        day = response.submitted_at.date() if response.submitted_at else None
        if (response.external_id and response.external_id in known_ids) or (
            not response.external_id and _fingerprint(answers, day) in known_prints
        ):
            preview.already += 1
            continue
        preview.new += 1
        preview.partial += int(response.partial)
        preview.duplicates += int(row in preview.duplicate_rows)
        preview.rows.append((row, answers, response))
    return preview


@transaction.atomic
def import_survey_file(
    *,
    survey: Survey,
    user: Any,
    filename: str,
    data: bytes,
    mapping: dict[str, str] | None = None,
    fmt: str = "auto",
) -> tuple[ImportBatch | None, SurveyImportPreview]:
    """Import once, all or nothing. Refuses (ValidationError, nothing written) when the preview has problems.
    Returns (None, preview) when every response was already there."""
    _require(user, survey)
    preview = preview_survey_file(survey=survey, filename=filename, data=data, mapping=mapping, fmt=fmt)
    if not preview.ok:
        raise ValidationError(_("The file has problems; nothing was imported."))
    if not preview.rows:
        return None, preview
    duplicate_rows = preview.duplicate_rows
    batch = ImportBatch.objects.create(
        survey=survey,
        file_name=filename[:255],
        file_format=preview.format,
        digest=hashlib.sha256(data).hexdigest(),
        imported_at=timezone.now(),
        imported_by=user,
        counts={"new": preview.new, "already": preview.already, "partial": preview.partial},
    )
    today = timezone.localdate()
    Response.objects.bulk_create(
        [
            Response(
                survey=survey,
                answers=answers,
                language=parsed.language or "en",
                channel=Channel.IMPORT,
                submitted_on=parsed.submitted_at.date() if parsed.submitted_at else today,
                partial=parsed.partial,
                flagged=row in duplicate_rows,
                flag_reasons="duplicate" if row in duplicate_rows else "",
                external_id=parsed.external_id[:120],
                fingerprint=""
                if parsed.external_id
                else _fingerprint(answers, parsed.submitted_at.date() if parsed.submitted_at else None),
                import_batch=batch,
            )
            for row, answers, parsed in preview.rows
        ],
        batch_size=2000,
    )
    return batch, preview


@transaction.atomic
def create_survey_from_file(
    *, plan: Plan, user: Any, filename: str, data: bytes, title: str = "", fmt: str = "auto"
) -> Survey:
    """A draft survey whose questions are the file's, with the same keys, so the file then maps one to one.
    A KoboToolbox XLSForm builds a bilingual survey (its `label::Español` columns)."""
    _require(user, plan)
    found_title, found, _parsed = read_definition(data, filename, fmt)
    if not found:
        raise ValidationError(_("The file has no questions to build a survey from."))
    name = title or found_title or filename.rsplit(".", 1)[0]
    survey = Survey(plan=plan, slug=unique_slug(name), title_en=name[:200], min_seconds=0)
    record_change(survey, user, _("Created from %(file)s") % {"file": filename})
    survey.save()
    for position, detected in enumerate(found):
        question = Question.objects.create(
            survey=survey,
            key=detected.key[:40],
            position=position,
            kind=str(detected.kind),
            text_en=detected.text[:5000] or detected.key,
            text_es=detected.text_es,
            required=detected.required,
            allows_other=detected.allows_other,
            scale_min=detected.scale_min if detected.scale_min is not None else 1,
            scale_max=detected.scale_max if detected.scale_max is not None else 5,
        )
        for index, choice in enumerate(detected.options):
            Option.objects.create(
                question=question,
                code=choice.code[:40],
                label_en=choice.label[:300],
                label_es=detected.options_es.get(choice.code, "")[:300],
                position=index,
            )
        for index, choice in enumerate(detected.rows):
            Option.objects.create(
                question=question,
                code=choice.code[:40],
                label_en=choice.label[:300],
                label_es=detected.rows_es.get(choice.code, "")[:300],
                position=index,
                is_row=True,
            )
    return survey


__all__ = [
    "PURPOSE",
    "SurveyFileError",
    "SurveyImportPreview",
    "create_survey_from_file",
    "hold_survey_file",
    "import_survey_file",
    "preview_survey_file",
]
