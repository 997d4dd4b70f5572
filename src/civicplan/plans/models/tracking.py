"""Carrying the plan out: each action's detailed plan (milestones, evidence), the reporting periods the
coordinator sets, and the progress updates owners submit for each period."""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from civicplan.core.models import ArchivableModel, BilingualMixin, TimeStampedModel

from .structure import Plan, PlanItem, Status


class Milestone(BilingualMixin, TimeStampedModel, ArchivableModel):
    """A dated step of an action. Overdue when the due date has passed and it is not done."""

    action = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="milestones")
    title_en = models.CharField(_("title (English)"), max_length=300)
    title_es = models.CharField(_("title (Spanish)"), max_length=300, blank=True)
    due_on = models.DateField(_("due date"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    order = models.PositiveIntegerField(default=0)
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        ordering = ["due_on", "order", "pk"]
        verbose_name = _("milestone")

    def __str__(self) -> str:
        return self.title_en


class ReportingPeriod(BilingualMixin, TimeStampedModel):
    """A stretch of the plan (by default a fiscal quarter) that every open action reports on. Owners may submit
    from `opens_on`; the update is late after `due_on`."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="periods")
    name_en = models.CharField(_("name (English)"), max_length=80)
    name_es = models.CharField(_("name (Spanish)"), max_length=80)
    starts_on = models.DateField(_("period starts"))
    ends_on = models.DateField(_("period ends"))
    opens_on = models.DateField(_("updates open"))
    due_on = models.DateField(_("updates due"))
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        ordering = ["plan", "starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "starts_on"], name="unique_period_start"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="period_order"
            ),
            models.CheckConstraint(
                condition=models.Q(due_on__gte=models.F("opens_on")), name="period_due_order"
            ),
        ]
        verbose_name = _("reporting period")

    def __str__(self) -> str:
        return self.name_en


class UpdateState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Sent back")
    PUBLISHED = "published", _("Published")


class ProgressUpdate(TimeStampedModel):
    """One action's report for one period. Saved as a draft while the owner types; submitted; approved when
    the plan needs review; published (applied to the action, shown to the public) once both languages are in."""

    action = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="updates")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="updates")
    state = models.CharField(
        _("state"), max_length=20, choices=UpdateState.choices, default=UpdateState.DRAFT
    )
    status = models.ForeignKey(
        Status, verbose_name=_("status"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    progress = models.DecimalField(
        _("% complete"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    narrative_en = models.TextField(_("what happened (English)"), blank=True)
    narrative_es = models.TextField(_("what happened (Spanish)"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_comment = models.TextField(_("reviewer's comment"), blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    lock_version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        ordering = ["period__starts_on", "action__order", "pk"]
        constraints = [models.UniqueConstraint(fields=["action", "period"], name="one_update_per_period")]
        indexes = [models.Index(fields=["period", "state"])]
        verbose_name = _("progress update")

    def __str__(self) -> str:
        return f"{self.action.code} · {self.period.name_en}"

    def localized_narrative(self, language: str | None = None) -> str:
        from django.utils.translation import get_language

        language = (language or get_language() or "en")[:2]
        return (self.narrative_es if language == "es" else "") or self.narrative_en


def evidence_upload_to(instance: EvidenceLink, filename: str) -> str:
    """A dated folder and a random name (the original name is kept in `file_name`, never used on disk)."""
    extension = PurePath(filename).suffix.lower()[:10]
    return f"evidence/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{extension}"


class EvidenceLink(TimeStampedModel, ArchivableModel):
    """Evidence that shows the work: a link (a staff report, a council item, a photo album) or an attached file
    (kept privately under MEDIA_ROOT and only downloaded by signed-in staff). Exactly one of the two. Belongs to
    an action and, when it was given with an update, to that update."""

    action = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="evidence")
    update = models.ForeignKey(
        ProgressUpdate, null=True, blank=True, on_delete=models.SET_NULL, related_name="evidence"
    )
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("address (URL)"), max_length=500, blank=True)
    file = models.FileField(_("file"), upload_to=evidence_upload_to, max_length=255, blank=True)
    file_name = models.CharField(_("original file name"), max_length=255, blank=True)
    file_size = models.PositiveBigIntegerField(_("file size in bytes"), default=0)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = _("evidence link")
        constraints = [
            models.CheckConstraint(
                condition=(Q(url="") & ~Q(file="")) | (~Q(url="") & Q(file="")),
                name="evidence_link_or_file",
                violation_error_message=_(
                    "Evidence is either a web address or a file, not both and not neither."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_file(self) -> bool:
        return bool(self.file)

    def clean(self) -> None:
        super().clean()
        if bool(self.url) == bool(self.file):
            raise ValidationError(_("Evidence is either a web address or a file, not both and not neither."))


class ReminderKind(models.TextChoices):
    BEFORE_DUE = "before", _("Before the due date")
    OVERDUE = "overdue", _("After the due date")
    DIGEST = "digest", _("Coordinator digest")


class ReminderLog(models.Model):
    """What `send_update_reminders` sent, so a daily run never sends the same reminder twice."""

    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=ReminderKind.choices)
    sent_on = models.DateField()
    items = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["period", "recipient", "kind"])]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient_id} on {self.sent_on}"
