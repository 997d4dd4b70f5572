"""Gathering the evidence base: every comment card, kiosk comment and council session output, and every open
answer of a counted survey response, copied into `Evidence` once. Run before the evidence pages are shown; when
nothing is new it costs a few queries."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from civicplan.core.history import record_change
from civicplan.engagement import selectors as engagement_selectors
from civicplan.engagement.answers import QuestionKind, Segment
from civicplan.engagement.models import Audience, InputItem, Survey
from civicplan.insights.models import Evidence, EvidenceChannel, SurveyCollection
from civicplan.insights.services import require
from civicplan.lib.text import normalize
from civicplan.plans.models import Plan

OPEN_KINDS = (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT)
SURVEY_CHANNELS = {
    Audience.PUBLIC: EvidenceChannel.SURVEY,
    Audience.COUNCIL: EvidenceChannel.COUNCIL_SURVEY,
    Audience.EMPLOYEE: EvidenceChannel.EMPLOYEE_SURVEY,
}
SEGMENT_FIELDS = {
    Segment.DISTRICT: "district",
    Segment.AGE_BAND: "age_band",
    Segment.RELATIONSHIP: "respondent_type",
}


@transaction.atomic
def collect_evidence(plan: Plan) -> int:
    """Copy in what is new, and follow archiving of input items both ways. Returns how many were added."""
    added = _collect_items(plan) + sum(_collect_survey(survey) for survey in Survey.objects.filter(plan=plan))
    _follow_archiving(plan)
    return added


def _collect_items(plan: Plan) -> int:
    items = InputItem.objects.filter(
        plan=plan, evidence__isnull=True, archived_at__isnull=True, flagged=False
    ).order_by("pk")
    rows = [
        Evidence(
            plan=plan,
            input_item=item,
            channel=item.channel if item.channel in EvidenceChannel.values else EvidenceChannel.OTHER,
            activity_id=item.activity_id,
            text=item.text,
            search_text=normalize(item.text),
            language=item.language,
            received_on=item.received_on,
            district=item.district,
            age_band=item.age_band,
        )
        for item in items
    ]
    bulk_create_with_history(rows, Evidence, batch_size=1000)
    return len(rows)


def _collect_survey(survey: Survey) -> int:
    """The open answers of responses after the last one collected (responses are only ever added)."""
    asked = engagement_selectors.asked_questions(survey, "en")
    open_keys = [a.key for a in asked if a.shape.kind in OPEN_KINDS]
    if not open_keys:
        return 0
    segment_keys = {
        a.key: SEGMENT_FIELDS[a.question.segment] for a in asked if a.question.segment in SEGMENT_FIELDS
    }
    _follow_edits(survey, open_keys)
    last = Evidence.objects.filter(survey=survey).aggregate(last=Max("response_id"))["last"] or 0
    confidential = survey.audience == Audience.EMPLOYEE
    activity = survey.activities.order_by("pk").first()
    responses = engagement_selectors.counted_responses(survey).filter(pk__gt=last).order_by("pk")
    rows = []
    for response in responses.only("pk", "answers", "language", "submitted_on").iterator(chunk_size=2000):
        # Employee answers keep no segments: with the text, a district and an age band could name someone.
        segments = {} if confidential else _segments(response.answers, segment_keys)
        for key in open_keys:
            text = response.answers.get(key)
            if isinstance(text, str) and text.strip():
                rows.append(
                    Evidence(
                        plan_id=survey.plan_id,
                        response=response,
                        question_key=key,
                        channel=SURVEY_CHANNELS.get(survey.audience, EvidenceChannel.SURVEY),
                        activity=activity,
                        survey=survey,
                        text=text.strip(),
                        search_text=normalize(text),
                        language=response.language[:2],
                        received_on=response.submitted_on,
                        confidential=confidential,
                        **segments,
                    )
                )
    bulk_create_with_history(rows, Evidence, batch_size=2000)
    return len(rows)


def _follow_edits(survey: Survey, open_keys: list[str]) -> None:
    """After stored answers were edited in place (the survey's `answers_version` moved on), bring the copies up
    to date: changed text is re-copied (with history), an answer emptied or gone archives its copy."""
    mark, created = SurveyCollection.objects.get_or_create(
        survey=survey, defaults={"answers_version": survey.answers_version}
    )
    if created or mark.answers_version == survey.answers_version:
        return
    copies = Evidence.objects.filter(survey=survey, archived_at__isnull=True).select_related("response")
    for evidence in copies.iterator(chunk_size=2000):
        answer = evidence.response.answers.get(evidence.question_key) if evidence.response else None
        text = answer.strip() if isinstance(answer, str) else ""
        if not text or evidence.question_key not in open_keys:
            evidence.archived_at, evidence.archive_reason = timezone.now(), "The answer was removed."
            evidence.save(update_fields=["archived_at", "archive_reason"])
        elif text != evidence.text:
            evidence.text, evidence.search_text = text, normalize(text)
            record_change(evidence, None, "The answer was edited at its source.")
            evidence.save(update_fields=["text", "search_text", "updated_at"])
    mark.answers_version = survey.answers_version
    mark.save(update_fields=["answers_version"])


def _segments(answers: dict[str, Any], segment_keys: dict[str, str]) -> dict[str, str]:
    return {
        field: str(answers[key])[:40]
        for key, field in segment_keys.items()
        if isinstance(answers.get(key), str)
    }


def _follow_archiving(plan: Plan) -> None:
    now = timezone.now()
    gone = Evidence.objects.filter(
        plan=plan, archived_at__isnull=True, input_item__isnull=False, input_item__archived_at__isnull=False
    )
    for evidence in gone:
        evidence.archived_at, evidence.archive_reason = now, "The input item was archived."
        evidence.save(update_fields=["archived_at", "archive_reason"])
    back = Evidence.objects.filter(
        plan=plan, archived_at__isnull=False, input_item__isnull=False, input_item__archived_at__isnull=True
    )
    for evidence in back:
        evidence.archived_at, evidence.archive_reason = None, ""
        evidence.save(update_fields=["archived_at", "archive_reason"])


def set_quote_public(*, evidence: Evidence, user: Any, public: bool) -> Evidence:
    """Staff choose the quotes the public site may show; employee answers never."""
    require(user, "insights.manage_insights", evidence.plan)
    if public and evidence.confidential:
        raise ValidationError(_("Employee survey answers are never quoted."))
    evidence.quote_public = public
    record_change(evidence, user, "Quote published" if public else "Quote withdrawn")
    evidence.save(update_fields=["quote_public", "updated_at"])
    return evidence
