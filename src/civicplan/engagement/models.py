"""Stakeholder engagement: the activities a plan was drafted from (council strategy sessions, public feedback
events, surveys), what each one produced (input items: comment cards, kiosk comments, session outputs) and the
surveys themselves (definitions apart from responses).

Confidentiality of the Employee Engagement Survey is in the schema: a response has no column that links it to an
invite, a person or a time finer than the day, and invites record only whether they were used.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from civicplan.core.models import ArchivableModel, BilingualMixin, TimeStampedModel
from civicplan.engagement.answers import QuestionKind, Segment
from civicplan.plans.models import Plan

LANGUAGE_CHOICES = [("en", _("English")), ("es", _("Spanish")), ("other", _("Another language"))]


def token_digest(token: str) -> str:
    """Invite and kiosk secrets are stored only as digests: a copy of the database opens nothing."""
    return hashlib.sha256(token.encode()).hexdigest()


class ActivityKind(models.TextChoices):
    COUNCIL_SESSION = "council_session", _("Council strategy session")
    PUBLIC_EVENT = "public_event", _("Public feedback event")
    SURVEY = "survey", _("Survey")
    OTHER = "other", _("Other")


class Activity(BilingualMixin, TimeStampedModel, ArchivableModel):
    """One entry of a plan's engagement record."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="activities")
    kind = models.CharField(_("kind"), max_length=20, choices=ActivityKind.choices)
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_es = models.CharField(_("title (Spanish)"), max_length=200, blank=True)
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    online = models.BooleanField(_("online"), default=False)
    languages = models.CharField(
        _("languages offered"), max_length=100, blank=True, help_text=_("For example: English, Spanish.")
    )
    audience = models.CharField(_("audience"), max_length=200, blank=True)
    attendance = models.PositiveIntegerField(_("attendance"), null=True, blank=True)
    facilitator = models.CharField(_("facilitator"), max_length=200, blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    summary_es = models.TextField(_("summary (Spanish)"), blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    survey = models.ForeignKey(
        "Survey", null=True, blank=True, on_delete=models.PROTECT, related_name="activities"
    )
    lock_version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("engagement activity")
        verbose_name_plural = _("engagement activities")

    def __str__(self) -> str:
        return self.title_en


class InputChannel(models.TextChoices):
    COMMENT_CARD = "comment_card", _("Comment card")
    KIOSK = "kiosk", _("Kiosk comment")
    SESSION_OUTPUT = "session_output", _("Council session output")
    OTHER = "other", _("Other")


class OutputKind(models.TextChoices):
    DECISION = "decision", _("Decision")
    RANKED_PRIORITY = "ranked_priority", _("Ranked priority")
    DIRECTION = "direction", _("Direction given")


class AgeBand(models.TextChoices):
    UNDER_18 = "under_18", _("Under 18")
    A18_24 = "18_24", _("18 to 24")
    A25_34 = "25_34", _("25 to 34")
    A35_44 = "35_44", _("35 to 44")
    A45_54 = "45_54", _("45 to 54")
    A55_64 = "55_64", _("55 to 64")
    A65_PLUS = "65_plus", _("65 or older")


class InputItem(TimeStampedModel, ArchivableModel):
    """One piece of stakeholder input, whatever the channel, with the segment fields analysis filters by.
    Survey answers stay in their responses; the Insight module reads both."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="input_items")
    activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.PROTECT, related_name="input_items"
    )
    channel = models.CharField(_("channel"), max_length=20, choices=InputChannel.choices)
    output_kind = models.CharField(_("kind of output"), max_length=20, choices=OutputKind.choices, blank=True)
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)
    text = models.TextField(_("text"))
    language = models.CharField(_("language"), max_length=5, choices=LANGUAGE_CHOICES, default="en")
    received_on = models.DateField(_("date"))
    topic = models.CharField(_("topic"), max_length=120, blank=True)
    district = models.CharField(_("ZIP code or district"), max_length=20, blank=True)
    age_band = models.CharField(_("age band"), max_length=10, choices=AgeBand.choices, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    flagged = models.BooleanField(default=False)
    flag_reason = models.CharField(max_length=200, blank=True)
    ip_hash = models.CharField(max_length=64, blank=True)
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at", "ip_hash"])

    class Meta:
        ordering = ["received_on", "pk"]
        indexes = [models.Index(fields=["plan", "channel"])]
        verbose_name = _("input item")

    def __str__(self) -> str:
        return self.text[:60]


class Audience(models.TextChoices):
    PUBLIC = "public", _("Public (open link)")
    COUNCIL = "council", _("City Council (signed in)")
    EMPLOYEE = "employee", _("Employees (one-time invitations)")


class SurveyState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    PUBLISHED = "published", _("Results published")


class Survey(BilingualMixin, TimeStampedModel, ArchivableModel):
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="surveys")
    slug = models.SlugField(_("web address"), max_length=80, unique=True)
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_es = models.CharField(_("title (Spanish)"), max_length=200, blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    intro_es = models.TextField(_("introduction (Spanish)"), blank=True)
    audience = models.CharField(
        _("audience"), max_length=20, choices=Audience.choices, default=Audience.PUBLIC
    )
    state = models.CharField(
        _("state"), max_length=20, choices=SurveyState.choices, default=SurveyState.DRAFT
    )
    min_seconds = models.PositiveSmallIntegerField(
        _("minimum time to fill in (seconds)"),
        default=15,
        validators=[MaxValueValidator(600)],
        help_text=_("Faster submissions are kept but flagged, and left out of published counts."),
    )
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_version"
    )
    version = models.PositiveSmallIntegerField(default=1)
    lock_version = models.PositiveIntegerField(default=1)
    # Bumped when stored answers change in place (a council member's new answers): cached results are rebuilt.
    answers_version = models.PositiveIntegerField(default=0, editable=False)
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at", "answers_version"])

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = _("survey")

    def __str__(self) -> str:
        return self.title_en

    @property
    def is_open(self) -> bool:
        return self.state == SurveyState.OPEN and not self.is_archived


class Question(BilingualMixin, models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    key = models.CharField(max_length=40)
    position = models.PositiveSmallIntegerField(default=0)
    page = models.PositiveSmallIntegerField(_("page"), default=1, validators=[MinValueValidator(1)])
    kind = models.CharField(_("kind"), max_length=20, choices=[(k.value, k.value) for k in QuestionKind])
    text_en = models.TextField(_("question (English)"))
    text_es = models.TextField(_("question (Spanish)"), blank=True)
    help_en = models.CharField(_("hint (English)"), max_length=300, blank=True)
    help_es = models.CharField(_("hint (Spanish)"), max_length=300, blank=True)
    required = models.BooleanField(_("required"), default=False)
    segment = models.CharField(
        _("segment"), max_length=20, blank=True, choices=[(s.value, s.value) for s in Segment]
    )
    scale_min = models.SmallIntegerField(_("lowest point"), default=1)
    scale_max = models.SmallIntegerField(_("highest point"), default=5)
    low_label_en = models.CharField(_("lowest point's label (English)"), max_length=80, blank=True)
    low_label_es = models.CharField(_("lowest point's label (Spanish)"), max_length=80, blank=True)
    high_label_en = models.CharField(_("highest point's label (English)"), max_length=80, blank=True)
    high_label_es = models.CharField(_("highest point's label (Spanish)"), max_length=80, blank=True)
    max_choices = models.PositiveSmallIntegerField(_("most choices allowed"), null=True, blank=True)
    allows_other = models.BooleanField(_("offers “Other” with a text"), default=False)
    total_points = models.PositiveSmallIntegerField(_("points to spread"), default=100)
    show_if_question = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    show_if_values = models.JSONField(default=list, blank=True)  # option codes that show this question
    results_public = models.BooleanField(_("show its results on the public site"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["survey", "page", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["survey", "key"], name="unique_question_key")]
        verbose_name = _("question")

    def __str__(self) -> str:
        return f"{self.key} {self.text_en[:40]}"


class Option(BilingualMixin, models.Model):
    """An answer option, or a row of a matrix question (`is_row`)."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    code = models.CharField(max_length=40)
    label_en = models.CharField(_("label (English)"), max_length=300)
    label_es = models.CharField(_("label (Spanish)"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    is_row = models.BooleanField(default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["question", "is_row", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["question", "is_row", "code"], name="unique_option_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.label_en}"


class Channel(models.TextChoices):
    WEB = "web", _("Online")
    KIOSK = "kiosk", _("Event kiosk")
    PAPER = "paper", _("Paper")
    IMPORT = "import", _("Imported file")


class ImportBatch(models.Model):
    """One imported survey file: what it was and who brought it in."""

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="imports")
    file_name = models.CharField(max_length=255)
    file_format = models.CharField(max_length=30)
    digest = models.CharField(max_length=64)
    imported_at = models.DateTimeField()
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    counts = models.JSONField(default=dict)

    def __str__(self) -> str:
        return self.file_name


class Response(models.Model):
    """One completed (or, from imports, partial) questionnaire. No created_at: the day is all that is kept."""

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses")
    answers = models.JSONField(default=dict)
    language = models.CharField(max_length=5, default="en")
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.WEB)
    submitted_on = models.DateField()
    partial = models.BooleanField(default=False)
    flagged = models.BooleanField(default=False)
    flag_reasons = models.CharField(max_length=200, blank=True)  # honeypot, too_fast, duplicate, ...
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Public surveys: a key from the form so that a double click makes one response; a salted hash of the address.
    idempotency_key = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001 - NULL: not unique
    ip_hash = models.CharField(max_length=64, blank=True)
    # Council surveys only: one response per member, editable until the survey closes.
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    external_id = models.CharField(max_length=120, blank=True)
    # Imported responses without the tool's id: a hash of answers and day, so the same file twice adds nothing.
    fingerprint = models.CharField(max_length=64, blank=True)
    import_batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    entered_by = models.ForeignKey(  # paper entry: the staff member who keyed it in
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="unique_response_idempotency",
            ),
            models.UniqueConstraint(
                fields=["survey", "respondent"],
                condition=Q(respondent__isnull=False),
                name="unique_council_response",
            ),
        ]
        indexes = [models.Index(fields=["survey", "external_id"])]

    def __str__(self) -> str:
        return f"{self.survey_id}/{self.pk}"


class FollowUpContact(models.Model):
    """A respondent who asked to hear back. Kept apart from the answers: nothing links the two."""

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="contacts")
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField()
    language = models.CharField(max_length=5, default="en")
    added_on = models.DateField()

    def __str__(self) -> str:
        return self.email


class Invite(models.Model):
    """A one-time link to the Employee Engagement Survey. Only its digest is stored, and only that it was used."""

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="invites")
    digest = models.CharField(max_length=64, unique=True)
    email = models.EmailField()
    sent_on = models.DateField(null=True, blank=True)
    used = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "email"], name="unique_invite_email")]

    def __str__(self) -> str:
        return self.email


class Kiosk(TimeStampedModel):
    """A tablet registered for an event: its submissions are exempt from the per-address limit."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="kiosks")
    activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.PROTECT, related_name="kiosks"
    )
    name = models.CharField(_("name"), max_length=120)
    digest = models.CharField(max_length=64, unique=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.name


class SubmissionAttempt(models.Model):
    """Recent public submissions per hashed address, for the rate limit (pruned as it goes)."""

    ip_hash = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["ip_hash", "at"])]

    def __str__(self) -> str:
        return f"{self.ip_hash[:8]} {self.at:%H:%M:%S}"
