"""The evidence base and what staff make of it: every piece of text input in one table (copied in from the
engagement records and the open answers of surveys), a bilingual codebook of themes, the coding of input to
themes (by staff, or suggested by the classifier and confirmed), links from themes and input to plan elements,
and survey weights raked to population margins."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from civicplan.core.models import ArchivableModel, BilingualMixin, TimeStampedModel
from civicplan.engagement.models import Activity, InputItem, Response, Survey
from civicplan.plans.models import Plan, PlanItem


class EvidenceChannel(models.TextChoices):
    COMMENT_CARD = "comment_card", _("Comment card")
    KIOSK = "kiosk", _("Kiosk comment")
    SESSION_OUTPUT = "session_output", _("Council session output")
    SURVEY = "survey", _("Resident survey answer")
    COUNCIL_SURVEY = "council_survey", _("Council survey answer")
    EMPLOYEE_SURVEY = "employee_survey", _("Employee survey answer")
    OTHER = "other", _("Other")


class Evidence(TimeStampedModel, ArchivableModel):
    """One piece of text input, from an input item or from one open answer of a survey response. The text and
    segments are copied here so that one query filters and counts all channels alike; the source stays where it
    is and the copy is archived when the source is."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="evidence")
    input_item = models.OneToOneField(
        InputItem, null=True, blank=True, on_delete=models.PROTECT, related_name="evidence"
    )
    response = models.ForeignKey(Response, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    question_key = models.CharField(max_length=80, blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=EvidenceChannel.choices)
    activity = models.ForeignKey(Activity, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    survey = models.ForeignKey(Survey, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("text"))
    language = models.CharField(_("language"), max_length=5, default="en")
    received_on = models.DateField(_("date"))
    district = models.CharField(_("ZIP code or district"), max_length=40, blank=True)
    age_band = models.CharField(_("age band"), max_length=40, blank=True)
    respondent_type = models.CharField(_("respondent type"), max_length=40, blank=True)
    # Employee survey answers: counted only in groups of 10 or more, never quoted, never shown with segments.
    confidential = models.BooleanField(default=False)
    quote_public = models.BooleanField(_("quote on the public site"), default=False)
    # The text lowercased and without accents, so that a search for "arboles" finds "árboles".
    search_text = models.TextField(default="", editable=False)
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at", "search_text"])

    class Meta:
        ordering = ["received_on", "pk"]
        indexes = [models.Index(fields=["plan", "channel"])]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question_key"],
                condition=Q(response__isnull=False),
                name="unique_evidence_answer",
            )
        ]
        verbose_name = _("input")
        verbose_name_plural = _("input")

    def __str__(self) -> str:
        return self.text[:60]


class SurveyCollection(models.Model):
    """How far the evidence base has read a survey's answers: the survey's `answers_version` when its open answers
    were last copied. An edit of stored answers (a council member correcting theirs) bumps the survey's version,
    and the next collection re-reads the copied answers instead of keeping the old text."""

    survey = models.OneToOneField(Survey, on_delete=models.CASCADE, related_name="+")
    answers_version = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.survey_id} @ {self.answers_version}"


class Theme(BilingualMixin, TimeStampedModel, ArchivableModel):
    """A theme of the plan's codebook: one theme for both languages, with keywords in both."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="themes")
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_es = models.CharField(_("name (Spanish)"), max_length=120)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_es = models.TextField(_("description (Spanish)"), blank=True)
    keywords = models.TextField(
        _("keywords"),
        blank=True,
        help_text=_("In both languages, separated by commas: street repair, pothole, bache, calles."),
    )
    lock_version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        ordering = ["name_en", "pk"]
        verbose_name = _("theme")

    def __str__(self) -> str:
        return self.name_en

    @property
    def keyword_list(self) -> list[str]:
        return [word.strip() for word in self.keywords.replace("\n", ",").split(",") if word.strip()]


class CodingState(models.TextChoices):
    SUGGESTED = "suggested", _("Suggested")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")


class Coding(TimeStampedModel):
    """Input coded to a theme. Suggestions come from the classifier with its confidence; staff confirm or reject
    them (a rejection is kept: the classifier learns from it and does not suggest it again)."""

    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="codings")
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="codings")
    state = models.CharField(max_length=10, choices=CodingState.choices)
    confidence = models.FloatField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["evidence", "theme"], name="unique_coding")]

    def __str__(self) -> str:
        return f"{self.evidence_id} -> {self.theme_id} ({self.state})"


class LinkRelation(models.TextChoices):
    ADDRESSED_BY = "addressed_by", _("Addressed by")
    SUPPORTS = "supports", _("Supports")
    OUT_OF_SCOPE = "out_of_scope", _("Out of scope")


class PlanLink(TimeStampedModel, ArchivableModel):
    """The evidence chain: a theme, or one piece of input, linked to a plan element. A theme is *addressed by* an
    element; input *supports* one; either can be marked *out of scope* of an element's area, with a reason."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(PlanItem, on_delete=models.PROTECT, related_name="evidence_links")
    theme = models.ForeignKey(Theme, null=True, blank=True, on_delete=models.PROTECT, related_name="links")
    evidence = models.ForeignKey(
        Evidence, null=True, blank=True, on_delete=models.PROTECT, related_name="links"
    )
    relation = models.CharField(_("relation"), max_length=20, choices=LinkRelation.choices)
    reason = models.TextField(_("reason"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(theme__isnull=False, evidence__isnull=True)
                | Q(theme__isnull=True, evidence__isnull=False),
                name="plan_link_theme_or_evidence",
            )
        ]

    def __str__(self) -> str:
        return f"{self.relation} {self.item_id}"


class PopulationMargin(TimeStampedModel):
    """A population share the survey weights are raked to, such as the census share of one age band."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="population_margins")
    variable = models.CharField(_("variable"), max_length=40)  # a segment: district, age_band, ...
    category = models.CharField(_("category"), max_length=80)  # the answer code of that segment question
    share = models.DecimalField(_("share (%)"), max_digits=6, decimal_places=3)
    source = models.CharField(_("source"), max_length=200, blank=True)
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        ordering = ["variable", "category"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "variable", "category"], name="unique_population_margin")
        ]

    def __str__(self) -> str:
        return f"{self.variable}={self.category}: {self.share}%"


class SurveyWeighting(TimeStampedModel):
    """One raking of a survey's counted responses to the plan's margins; the latest is the one shown. Responses
    that arrive later count with weight 1 until the survey is weighted again (the page says how many)."""

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="+")
    weights = models.JSONField(default=dict)  # {response id: weight}
    margins = models.JSONField(default=dict)  # {variable: {category: share}} as used
    converged = models.BooleanField(default=False)
    iterations = models.PositiveIntegerField(default=0)
    max_margin_error = models.FloatField(default=0)
    design_effect = models.FloatField(default=1)
    effective_n = models.FloatField(default=0)
    trimmed = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict)  # missing values and empty categories per variable
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        get_latest_by = "created_at"

    def __str__(self) -> str:
        return f"weights of {self.survey_id}"
