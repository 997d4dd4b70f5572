"""Performance indicators: the definition (what is measured, how, toward which targets) kept apart from its data
points (measurements), as djangoproject.com's dashboard keeps Metric apart from Datum."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from civicplan.accounts.models import Department
from civicplan.core.models import ArchivableModel, BilingualMixin, TimeStampedModel
from civicplan.plans.models import Plan, PlanItem


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")
    BAND = "band", _("Stay within a range")


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    YEARLY = "yearly", _("Yearly")


class Stage(models.TextChoices):
    INPUT = "input", _("Input")
    OUTPUT = "output", _("Output")
    OUTCOME = "outcome", _("Outcome")


VALUE_DIGITS = {"max_digits": 20, "decimal_places": 6}


class Indicator(BilingualMixin, TimeStampedModel, ArchivableModel):
    """What is measured. Drafts stay with staff; a published indicator shows on the public goal pages it
    measures (publishing needs both languages)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="indicators")
    key = models.CharField(
        _("key"),
        max_length=40,
        validators=[RegexValidator(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")],
        help_text=_("A short, stable name used in measurement files, e.g. PS-1 or response-time."),
    )
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_es = models.CharField(_("name (Spanish)"), max_length=200, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_es = models.TextField(_("description (Spanish)"), blank=True)
    unit_en = models.CharField(_("unit (English)"), max_length=40, blank=True, help_text=_("e.g. %, days, $"))
    unit_es = models.CharField(_("unit (Spanish)"), max_length=40, blank=True)
    decimals = models.PositiveSmallIntegerField(
        _("decimal places shown"), default=1, validators=[MaxValueValidator(4)]
    )
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.HIGHER
    )
    frequency = models.CharField(
        _("frequency"), max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    stage = models.CharField(
        _("value-chain stage"), max_length=10, choices=Stage.choices, default=Stage.OUTCOME
    )
    source_en = models.CharField(_("data source (English)"), max_length=300, blank=True)
    source_es = models.CharField(_("data source (Spanish)"), max_length=300, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="indicators",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="indicators",
    )
    baseline_value = models.DecimalField(_("baseline value"), null=True, blank=True, **VALUE_DIGITS)
    baseline_date = models.DateField(_("baseline date"), null=True, blank=True)
    # Values outside this range are refused, in the quick form and in imports (e.g. 0 and 100 for a percentage).
    min_value = models.DecimalField(_("lowest possible value"), null=True, blank=True, **VALUE_DIGITS)
    max_value = models.DecimalField(_("highest possible value"), null=True, blank=True, **VALUE_DIGITS)
    # Status thresholds (see performance.status): within this % of the target is "needs attention".
    attention_margin = models.DecimalField(
        _("needs-attention margin (%)"),
        max_digits=5,
        decimal_places=1,
        default=Decimal(10),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        help_text=_(
            "A value short of the target by no more than this share of it needs attention; more is off track."
        ),
    )
    reporting_lag_days = models.PositiveSmallIntegerField(
        _("days allowed to report"),
        default=45,
        help_text=_("How long after a period ends its value may arrive before the indicator shows no data."),
    )
    breakdown_name_en = models.CharField(_("breakdown (English)"), max_length=80, blank=True)
    breakdown_name_es = models.CharField(_("breakdown (Spanish)"), max_length=80, blank=True)
    breakdown_categories = models.JSONField(
        _("breakdown categories"), default=list, blank=True, help_text=_("e.g. council districts 1-5")
    )
    items = models.ManyToManyField(
        PlanItem, verbose_name=_("goals and strategies measured"), blank=True, related_name="indicators"
    )
    is_published = models.BooleanField(_("published"), default=False)
    lock_version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"], m2m_fields=[items])

    class Meta:
        ordering = ["plan", "key"]
        constraints = [models.UniqueConstraint(fields=["plan", "key"], name="unique_indicator_key")]
        verbose_name = _("indicator")

    def __str__(self) -> str:
        return f"{self.key} {self.name_en}"


class Target(TimeStampedModel):
    """The target for one fiscal year. Changes keep their reason in the history."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    value = models.DecimalField(_("target"), null=True, blank=True, **VALUE_DIGITS)
    band_low = models.DecimalField(_("lowest acceptable"), null=True, blank=True, **VALUE_DIGITS)
    band_high = models.DecimalField(_("highest acceptable"), null=True, blank=True, **VALUE_DIGITS)
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        ordering = ["indicator", "fiscal_year"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "fiscal_year"], name="one_target_per_year")
        ]
        verbose_name = _("target")

    def __str__(self) -> str:
        return f"{self.indicator_id} FY{self.fiscal_year}"


class Measurement(TimeStampedModel):
    """One data point: the value for the period that starts on `period_start` (a month, a quarter or a fiscal
    year, as the indicator's frequency says)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="measurements")
    period_start = models.DateField(_("period"))
    value = models.DecimalField(_("value"), **VALUE_DIGITS)
    breakdown = models.JSONField(_("breakdown values"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified = models.BooleanField(_("verified"), default=False)
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        ordering = ["indicator", "period_start"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "period_start"], name="one_value_per_period")
        ]
        verbose_name = _("measurement")

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.period_start}: {self.value}"


# What defines an indicator (as opposed to its links, its targets and its values): the fields its form edits and
# `services.create_indicator` / `update_indicator` accept.
DEFINITION_FIELDS = (
    "key",
    "name_en",
    "name_es",
    "description_en",
    "description_es",
    "unit_en",
    "unit_es",
    "decimals",
    "direction",
    "frequency",
    "stage",
    "source_en",
    "source_es",
    "owner",
    "department",
    "baseline_value",
    "baseline_date",
    "min_value",
    "max_value",
    "attention_margin",
    "reporting_lag_days",
    "breakdown_name_en",
    "breakdown_name_es",
    "breakdown_categories",
)
