"""Writing surveys: definitions, questions and their options, the lifecycle (draft -> open -> closed -> results
published) and new versions. Every function checks the permission, runs in one transaction and records history."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from civicplan.core.history import apply_and_save, record_change
from civicplan.core.models import ContentGeneration
from civicplan.engagement.answers import CHOICE_KINDS, QuestionKind
from civicplan.engagement.models import Option, Question, Survey, SurveyState
from civicplan.plans.models import Plan
from civicplan.plans.services import EditConflict  # one conflict for every edit page

SURVEY_FIELDS = ("title_en", "title_es", "intro_en", "intro_es", "audience", "min_seconds")
QUESTION_FIELDS = (
    "kind",
    "text_en",
    "text_es",
    "help_en",
    "help_es",
    "required",
    "page",
    "segment",
    "scale_min",
    "scale_max",
    "low_label_en",
    "low_label_es",
    "high_label_en",
    "high_label_es",
    "max_choices",
    "allows_other",
    "total_points",
    "results_public",
)
# What may follow what. Re-opening a closed survey is allowed (a deadline extended); published results stay.
TRANSITIONS: dict[str, set[str]] = {
    "draft": {"open"},
    "open": {"closed"},
    "closed": {"open", "published"},
    "published": {"closed"},
}


def _require(user: Any, perm: str, obj: Any = None) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied(_("You do not have permission to do this."))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "survey"


def unique_slug(text: str) -> str:
    base = _slug(text)
    slug, number = base, 1
    while Survey.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


def has_responses(survey: Survey) -> bool:
    return survey.responses.exists()


def _check_editable(survey: Survey) -> None:
    """Questions cannot change once anyone has answered: the answers would no longer mean what they meant."""
    if has_responses(survey):
        raise ValidationError(
            _(
                "This survey already has responses, so its questions cannot change. Make a new version instead."
            )
        )


@transaction.atomic
def create_survey(*, plan: Plan, user: Any, data: dict[str, Any]) -> Survey:
    _require(user, "engagement.manage_engagement", plan)
    survey = Survey(plan=plan, slug=unique_slug(data.get("slug") or data["title_en"]))
    return apply_and_save(survey, user=user, data=data, reason=_("Created"))


@transaction.atomic
def update_survey(*, survey: Survey, user: Any, data: dict[str, Any], lock_version: int) -> Survey:
    _require(user, "engagement.manage_engagement", survey)
    current = Survey.objects.select_for_update().get(pk=survey.pk)
    if current.lock_version != lock_version:
        raise EditConflict(current)
    if "audience" in data and data["audience"] != current.audience and has_responses(current):
        raise ValidationError(_("The audience cannot change once the survey has responses."))
    data = {**data, "lock_version": current.lock_version + 1}
    return apply_and_save(current, user=user, data=data, reason=_("Edited"))


def _next_key(survey: Survey) -> str:
    numbers = [
        int(key[1:]) for key in survey.questions.values_list("key", flat=True) if re.fullmatch(r"q\d+", key)
    ]
    return f"q{max(numbers, default=0) + 1}"


def _check_question(question: Question) -> None:
    if (
        question.kind in (QuestionKind.RATING, QuestionKind.MATRIX)
        and question.scale_min >= question.scale_max
    ):
        raise ValidationError({"scale_max": _("The highest point must be above the lowest.")})
    if question.kind == QuestionKind.MATRIX and question.scale_max - question.scale_min > 10:
        raise ValidationError({"scale_max": _("A scale has at most 11 points.")})
    if question.show_if_question_id and question.show_if_question_id == question.pk:
        raise ValidationError(_("A question cannot depend on itself."))


def parse_option_lines(text: str) -> list[tuple[str, str, str]]:
    """Options typed one per line as `English | Spanish` or `code | English | Spanish`. Codes default to a slug of
    the English label, so the person never has to invent them."""
    options: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        parts = [part.strip() for part in raw.split("|")]
        if len(parts) == 3:
            code, english, spanish = parts
        elif len(parts) == 2:
            english, spanish = parts
            code = _slug(english).replace("-", "_")[:40]
        elif len(parts) == 1:
            english, spanish, code = parts[0], "", _slug(parts[0]).replace("-", "_")[:40]
        else:
            raise ValidationError(
                _("Line %(line)s: write “English | Spanish” or “code | English | Spanish”.")
                % {"line": number}
            )
        if not english or not re.fullmatch(r"[A-Za-z0-9_\-]{1,40}", code):
            raise ValidationError(_("Line %(line)s: the option needs an English label.") % {"line": number})
        if code in seen or code == "other":
            raise ValidationError(
                _("Line %(line)s: the code “%(code)s” is used twice (or is reserved).")
                % {"line": number, "code": code}
            )
        seen.add(code)
        options.append((code, english, spanish))
    return options


def _save_options(question: Question, lines: list[tuple[str, str, str]], *, is_row: bool, user: Any) -> None:
    question.options.filter(is_row=is_row).exclude(code__in=[code for code, _en, _es in lines]).delete()
    existing = {option.code: option for option in question.options.filter(is_row=is_row)}
    for position, (code, english, spanish) in enumerate(lines):
        option = existing.get(code) or Option(question=question, code=code, is_row=is_row)
        option.label_en, option.label_es, option.position = english, spanish, position
        record_change(option, user)
        option.save()


@transaction.atomic
def save_question(
    *,
    survey: Survey,
    user: Any,
    data: dict[str, Any],
    options: list[tuple[str, str, str]] | None = None,
    rows: list[tuple[str, str, str]] | None = None,
    question: Question | None = None,
    show_if: tuple[Question | None, list[str]] = (None, []),
) -> Question:
    """Add a question (at the end) or change one, with its options (and matrix rows)."""
    _require(user, "engagement.manage_engagement", survey)
    _check_editable(survey)
    if question is None:
        position = survey.questions.count()
        question = Question(survey=survey, key=_next_key(survey), position=position)
    for name, value in data.items():
        setattr(question, name, value)
    question.show_if_question, question.show_if_values = show_if[0], list(show_if[1])
    _check_question(question)
    if (
        question.kind in CHOICE_KINDS
        and not options
        and not (question.kind == QuestionKind.SINGLE and question.segment)
    ):
        raise ValidationError({"options": _("Give at least one option.")})
    if question.kind == QuestionKind.MATRIX and not rows:
        raise ValidationError({"rows": _("Give at least one row.")})
    question.full_clean()
    record_change(question, user, _("Edited"))
    question.save()
    _save_options(question, options or [], is_row=False, user=user)
    _save_options(question, rows or [], is_row=True, user=user)
    return question


@transaction.atomic
def remove_question(*, question: Question, user: Any) -> None:
    _require(user, "engagement.manage_engagement", question.survey)
    _check_editable(question.survey)
    record_change(question, user, _("Removed"))
    question.delete()


@transaction.atomic
def move_question(*, question: Question, user: Any, up: bool) -> None:
    _require(user, "engagement.manage_engagement", question.survey)
    siblings = list(question.survey.questions.order_by("page", "position", "pk"))
    index = siblings.index(question)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings):
        if sibling.position != position:
            sibling.position = position
            record_change(sibling, user, _("Reordered"))
            sibling.save(update_fields=["position"])


@transaction.atomic
def set_results_public(*, question: Question, user: Any, public: bool) -> Question:
    """Which questions' results residents see is staff's choice at any time, responses or not: it changes no
    answer's meaning. The survey's lock version moves so cached results are rebuilt."""
    _require(user, "engagement.manage_engagement", question.survey)
    question.results_public = public
    record_change(
        question, user, _("Shown on the public site") if public else _("Hidden from the public site")
    )
    question.save(update_fields=["results_public"])
    Survey.objects.filter(pk=question.survey_id).update(lock_version=models.F("lock_version") + 1)
    ContentGeneration.bump()
    return question


def missing_spanish(survey: Survey) -> list[str]:
    """What still needs Spanish before the survey can open: residents choose their language."""
    missing = []
    if not survey.title_es:
        missing.append(_("the survey's title"))
    for question in survey.questions.prefetch_related("options"):
        if not question.text_es:
            missing.append(_("question %(key)s") % {"key": question.key})
        if any(not option.label_es for option in question.options.all()):
            missing.append(_("options of question %(key)s") % {"key": question.key})
    return missing


@transaction.atomic
def change_state(*, survey: Survey, user: Any, state: str) -> Survey:
    _require(user, "engagement.manage_engagement", survey)
    current = Survey.objects.select_for_update().get(pk=survey.pk)
    labels = dict(SurveyState.choices)
    if state not in TRANSITIONS.get(current.state, set()):
        raise ValidationError(
            _("A survey that is “%(current)s” cannot become “%(target)s”.")
            % {"current": current.get_state_display(), "target": labels.get(state, state)}
        )
    if state == "open":
        if not current.questions.exists():
            raise ValidationError(_("Add at least one question before opening the survey."))
        missing = missing_spanish(current)
        if missing:
            raise ValidationError(_("Spanish is missing for: %(list)s.") % {"list": ", ".join(missing)})
    current.state = state
    current.lock_version += 1
    record_change(current, user, _("State: %(state)s") % {"state": labels[state]})
    current.save()
    ContentGeneration.bump()  # public survey lists and results change
    return current


@transaction.atomic
def new_version(*, survey: Survey, user: Any) -> Survey:
    """A copy of the survey and its questions as a draft, to change what could not change in place."""
    _require(user, "engagement.manage_engagement", survey)
    if hasattr(survey, "next_version"):
        raise ValidationError(_("This survey already has a newer version."))
    copy = Survey(
        plan=survey.plan,
        slug=unique_slug(f"{survey.slug}-v{survey.version + 1}"),
        previous=survey,
        version=survey.version + 1,
        **{name: getattr(survey, name) for name in SURVEY_FIELDS},
    )
    record_change(copy, user, _("New version of %(slug)s") % {"slug": survey.slug})
    copy.save()
    new_ids: dict[int, Question] = {}
    for question in survey.questions.prefetch_related("options"):
        old_id = question.pk
        options = list(question.options.all())
        question.pk, question.survey, question.show_if_question = (
            None,
            copy,
            new_ids.get(question.show_if_question_id),
        )
        question.save()
        new_ids[old_id] = question
        for option in options:
            option.pk, option.question = None, question
            option.save()
    return copy
