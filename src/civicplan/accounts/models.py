"""The city, its departments and the people who work on the plan."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from civicplan.core.models import BilingualMixin, TimeStampedModel


class Organization(BilingualMixin, TimeStampedModel):
    """The city. One installation serves one organization; `Organization.current()` finds it."""

    name_en = models.CharField(_("name (English)"), max_length=200)
    name_es = models.CharField(_("name (Spanish)"), max_length=200, blank=True)
    fiscal_year_start_month = models.PositiveSmallIntegerField(
        _("fiscal year starts in month"), default=7, help_text=_("7 = July (July 1 - June 30).")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organization")

    def __str__(self) -> str:
        return self.name_en

    @classmethod
    def current(cls) -> Organization | None:
        return cls.objects.order_by("pk").first()


class Department(BilingualMixin, TimeStampedModel):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="departments")
    code = models.SlugField(_("code"), max_length=20, help_text=_("Short code used in files, e.g. PW."))
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_es = models.CharField(_("name (Spanish)"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name_en"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="unique_department_code")
        ]
        verbose_name = _("department")

    def __str__(self) -> str:
        return self.name_en


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("Plan coordinator")
    EDITOR = "editor", _("Department editor")
    COUNCIL = "council", _("Council member")
    FINANCE = "finance", _("Finance / budget staff")
    VIEWER = "viewer", _("Viewer")


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    language = models.CharField(
        _("language for e-mail"),
        max_length=5,
        choices=[("en", "English"), ("es", "Español")],
        default="en",
    )
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class LoginAttempt(models.Model):
    """Password checks per account name, for throttling (at most N per window)."""

    username = models.CharField(max_length=150, db_index=True)
    attempted_at = models.DateTimeField(db_index=True)
    succeeded = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.username} at {self.attempted_at:%Y-%m-%d %H:%M}"
