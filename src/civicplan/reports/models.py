"""A report prepared in the background (a PDF of the whole plan takes seconds to lay out): who asked, for what,
how far it got, and the file. The file lives in the default storage under `reports/`, private: it is downloaded
only through the view that checks who may read it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from civicplan.core.models import TimeStampedModel


class BuildState(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Being prepared")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


def build_upload_to(instance: ReportBuild, filename: str) -> str:
    return f"reports/{instance.created_at:%Y/%m}/{instance.pk or 'new'}-{filename}"


class ReportBuild(TimeStampedModel):
    kind = models.CharField(_("report"), max_length=20)
    period = models.CharField(_("period"), max_length=20)
    language = models.CharField(_("language"), max_length=5)
    fmt = models.CharField(_("format"), max_length=5, default="pdf")
    state = models.CharField(_("state"), max_length=10, choices=BuildState.choices, default=BuildState.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    file = models.FileField(_("file"), upload_to=build_upload_to, blank=True)
    filename = models.CharField(_("file name"), max_length=120, blank=True)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    seconds = models.FloatField(_("seconds to build"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="report_builds"
    )
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("report build")

    def __str__(self) -> str:
        return f"{self.kind} {self.period} {self.language}.{self.fmt}"

    @property
    def is_finished(self) -> bool:
        return self.state in (BuildState.DONE, BuildState.FAILED)
