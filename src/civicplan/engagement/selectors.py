"""Reads for engagement pages. Every public page starts from `public_surveys()`: drafts never reach the public."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from civicplan.engagement.answers import Choice, QuestionKind, QuestionShape
from civicplan.engagement.models import (
    Activity,
    Audience,
    InputItem,
    Question,
    Response,
    Survey,
    SurveyState,
)
from civicplan.plans.models import Plan

PUBLIC_STATES = (SurveyState.OPEN, SurveyState.CLOSED, SurveyState.PUBLISHED)


def public_surveys() -> QuerySet[Survey]:
    """Surveys a resident may see: public audience, not draft, not archived."""
    return Survey.objects.filter(audience=Audience.PUBLIC, state__in=PUBLIC_STATES, archived_at__isnull=True)


def published_results_surveys() -> QuerySet[Survey]:
    """Surveys whose results staff chose to publish (employee results never: their rules are staff-only)."""
    return public_surveys().filter(state=SurveyState.PUBLISHED)


def staff_surveys(plan: Plan) -> QuerySet[Survey]:
    return (
        Survey.objects.filter(plan=plan)
        .annotate(
            response_count=Count("responses", filter=Q(responses__flagged=False, responses__partial=False)),
            flagged_count=Count("responses", filter=Q(responses__flagged=True)),
        )
        .order_by("archived_at", "-created_at")
    )


def questions_of(survey: Survey) -> list[Question]:
    return list(survey.questions.prefetch_related("options").order_by("page", "position", "pk"))


@dataclass(frozen=True)
class AskedQuestion:
    """A question as the form shows it: the row, its shape in the reader's language and its labels."""

    question: Question
    shape: QuestionShape
    text: str
    help: str
    low_label: str
    high_label: str

    @property
    def key(self) -> str:
        return self.shape.key

    @property
    def points(self) -> list[int]:
        return list(range(self.shape.scale_min, self.shape.scale_max + 1))


def shape_of(question: Question, language: str) -> QuestionShape:
    options = [o for o in question.options.all() if not o.is_row]
    rows = [o for o in question.options.all() if o.is_row]
    return QuestionShape(
        key=question.key,
        kind=QuestionKind(question.kind),
        text=question.localized("text", language),
        options=tuple(Choice(o.code, o.localized("label", language)) for o in options),
        rows=tuple(Choice(o.code, o.localized("label", language)) for o in rows),
        scale_min=question.scale_min,
        scale_max=question.scale_max,
        max_choices=question.max_choices,
        allows_other=question.allows_other,
        total_points=question.total_points,
        required=question.required,
    )


def asked_questions(survey: Survey, language: str) -> list[AskedQuestion]:
    return [
        AskedQuestion(
            question=q,
            shape=shape_of(q, language),
            text=q.localized("text", language),
            help=q.localized("help", language),
            low_label=q.localized("low_label", language),
            high_label=q.localized("high_label", language),
        )
        for q in questions_of(survey)
    ]


def is_shown(question: Question, answers: dict[str, Any], keys_by_id: dict[int, str]) -> bool:
    """Simple skip logic: a question with a condition shows when the earlier answer matches one of its values."""
    if not question.show_if_question_id:
        return True
    earlier = answers.get(keys_by_id.get(question.show_if_question_id, ""))
    values = set(question.show_if_values or [])
    if isinstance(earlier, list):
        return bool(values & set(earlier))
    return earlier is not None and str(earlier) in values


def pages_of(asked: list[AskedQuestion]) -> list[int]:
    return sorted({a.question.page for a in asked})


def counted_responses(
    survey: Survey, *, include_flagged: bool = False, include_partial: bool = False
) -> QuerySet:
    """Published counts leave out flagged (suspicious) and partial responses unless asked."""
    responses = Response.objects.filter(survey=survey)
    if not include_flagged:
        responses = responses.filter(flagged=False)
    if not include_partial:
        responses = responses.filter(partial=False)
    return responses


def response_counts(survey: Survey) -> dict[str, int]:
    counts = Response.objects.filter(survey=survey).aggregate(
        total=Count("pk"),
        counted=Count("pk", filter=Q(flagged=False, partial=False)),
        flagged=Count("pk", filter=Q(flagged=True)),
        partial=Count("pk", filter=Q(partial=True)),
        paper=Count("pk", filter=Q(channel="paper")),
        kiosk=Count("pk", filter=Q(channel="kiosk")),
        imported=Count("pk", filter=Q(channel="import")),
    )
    return {name: int(value or 0) for name, value in counts.items()}


def activities_of(plan: Plan) -> QuerySet[Activity]:
    return (
        Activity.objects.filter(plan=plan)
        .annotate(input_count=Count("input_items", filter=Q(input_items__archived_at__isnull=True)))
        .select_related("survey")
        .order_by("archived_at", "date", "pk")
    )


def input_items_of(activity: Activity) -> QuerySet[InputItem]:
    return activity.input_items.filter(archived_at__isnull=True).order_by("-pk")


def input_counts(plan: Plan) -> dict[str, int]:
    rows = (
        InputItem.objects.filter(plan=plan, archived_at__isnull=True)
        .values("channel")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["channel"]: row["n"] for row in rows}


def survey_by_slug(slug: str) -> Survey | None:
    return Survey.objects.filter(slug=slug).select_related("plan").first()
