"""The strategic plan: Plan, its mission/vision/values, the Priority > Goal > Strategy > Action tree, the status
vocabulary and the adopted versions (immutable snapshots)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from civicplan.accounts.models import Department, Organization
from civicplan.core.models import ArchivableModel, BilingualMixin, TimeStampedModel
from civicplan.lib.fiscal import fiscal_year_bounds, fiscal_year_label


class PlanState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ADOPTED = "adopted", _("Adopted")
    AMENDED = "amended", _("Amended")
    ARCHIVED = "archived", _("Archived")


class Plan(BilingualMixin, TimeStampedModel):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="plans")
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_es = models.CharField(_("title (Spanish)"), max_length=200, blank=True)
    start_fiscal_year = models.PositiveSmallIntegerField(
        _("first fiscal year"), help_text=_("The calendar year the first fiscal year starts in, e.g. 2025.")
    )
    years = models.PositiveSmallIntegerField(
        _("length in fiscal years"), default=5, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    state = models.CharField(_("state"), max_length=20, choices=PlanState.choices, default=PlanState.DRAFT)
    mission_en = models.TextField(_("mission (English)"), blank=True)
    mission_es = models.TextField(_("mission (Spanish)"), blank=True)
    vision_en = models.TextField(_("vision (English)"), blank=True)
    vision_es = models.TextField(_("vision (Spanish)"), blank=True)
    updates_need_review = models.BooleanField(
        _("progress updates need approval"),
        default=False,
        help_text=_("When set, the coordinator approves each progress update before it is published."),
    )
    lock_version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-start_fiscal_year", "pk"]
        verbose_name = _("plan")

    def __str__(self) -> str:
        return self.title_en

    @property
    def period_label(self) -> str:
        month = self.organization.fiscal_year_start_month
        # Translators: abbreviation of "fiscal year", as in "FY 2025-26" (Spanish: "AF", año fiscal).
        prefix = gettext("FY")
        first = fiscal_year_label(self.start_fiscal_year, month, prefix)
        last = fiscal_year_label(self.start_fiscal_year + self.years - 1, month, prefix)
        return f"{first} – {last}"

    @property
    def bounds(self) -> tuple[dt.date, dt.date]:
        """First and last day of the plan's period."""
        month = self.organization.fiscal_year_start_month
        first, _last = fiscal_year_bounds(self.start_fiscal_year, month)
        _first, last = fiscal_year_bounds(self.start_fiscal_year + self.years - 1, month)
        return first, last


class Value(BilingualMixin, TimeStampedModel, ArchivableModel):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="values")
    order = models.PositiveIntegerField(default=0)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_es = models.CharField(_("name (Spanish)"), max_length=120, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_es = models.TextField(_("description (Spanish)"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("value")

    def __str__(self) -> str:
        return self.name_en


class Status(BilingualMixin, TimeStampedModel):
    """One entry of a plan's status vocabulary (cities differ: on track / at risk / delayed / ...)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="statuses")
    key = models.SlugField(_("key"), max_length=40, help_text=_("Used in files, e.g. on-track."))
    name_en = models.CharField(_("name (English)"), max_length=80)
    name_es = models.CharField(_("name (Spanish)"), max_length=80)
    color = models.CharField(
        _("colour"),
        max_length=7,
        default="#565c65",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a hex colour such as #00a91c."))],
        help_text=_("A hex colour such as #00a91c; keep it dark enough to read white text on."),
    )
    default_progress = models.PositiveSmallIntegerField(
        _("default % complete"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    counts_as_complete = models.BooleanField(_("counts as complete"), default=False)
    counts_in_rollup = models.BooleanField(
        _("counts in roll-ups"),
        default=True,
        help_text=_("Untick for statuses such as Deferred, whose items are left out of progress roll-ups."),
    )
    order = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]
        constraints = [models.UniqueConstraint(fields=["plan", "key"], name="unique_status_key")]
        verbose_name = _("status")
        verbose_name_plural = _("statuses")

    def __str__(self) -> str:
        return self.name_en


class Level(models.TextChoices):
    PRIORITY = "priority", _("Priority")
    GOAL = "goal", _("Goal")
    STRATEGY = "strategy", _("Strategy")
    ACTION = "action", _("Action")


LEVELS: list[str] = [Level.PRIORITY, Level.GOAL, Level.STRATEGY, Level.ACTION]


def child_level(level: str) -> str | None:
    index = LEVELS.index(level)
    return LEVELS[index + 1] if index + 1 < len(LEVELS) else None


def parent_level(level: str) -> str | None:
    index = LEVELS.index(level)
    return LEVELS[index - 1] if index > 0 else None


# What staff edit on an item (forms and services share this list); the rest is structure or bookkeeping.
ITEM_CONTENT_FIELDS = (
    "title_en",
    "title_es",
    "description_en",
    "description_es",
    "department",
    "lead",
    "start_date",
    "due_date",
    "status",
    "progress",
    "weight",
)


class PlanItem(BilingualMixin, TimeStampedModel, ArchivableModel):
    """One node of the plan tree. The level is fixed by depth: priorities have no parent, goals sit under
    priorities, strategies under goals, actions under strategies. `code` is what residents see (`2.3.1`)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="items")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    code = models.CharField(_("code"), max_length=40, db_index=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    title_en = models.CharField(_("title (English)"), max_length=300)
    title_es = models.CharField(_("title (Spanish)"), max_length=300, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_es = models.TextField(_("description (Spanish)"), blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("owner department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plan_items",
    )
    lead = models.CharField(_("lead"), max_length=200, blank=True, help_text=_("The person accountable."))
    # Who carries the action out (staff only; the public sees `lead` and the department). The owner owes the
    # progress updates; contributors help; an action may wait on other actions.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accountable owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_items",
    )
    contributors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("contributors"), blank=True, related_name="contributed_items"
    )
    depends_on = models.ManyToManyField(
        "self", verbose_name=_("depends on"), symmetrical=False, blank=True, related_name="dependents"
    )
    # When the last progress update was published: "last updated" on every page, without a query per item.
    last_reported_at = models.DateTimeField(_("last progress update"), null=True, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.ForeignKey(
        Status,
        verbose_name=_("status"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="items",
    )
    progress = models.DecimalField(
        _("progress %"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        help_text=_("Set on actions; priorities, goals and strategies roll up from their children."),
    )
    weight = models.DecimalField(
        _("weight"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("Relative weight in the parent's progress. Leave empty for equal weights."),
    )
    # Optimistic locking: a save must name the version it was edited from (see services.update_item).
    lock_version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords(
        excluded_fields=["created_at", "updated_at"], m2m_fields=[contributors, depends_on]
    )

    class Meta:
        ordering = ["order", "pk"]
        indexes = [models.Index(fields=["plan", "level"]), models.Index(fields=["plan", "parent", "order"])]
        verbose_name = _("plan item")

    def __str__(self) -> str:
        return f"{self.code} {self.title_en}"

    @property
    def is_leaf_level(self) -> bool:
        return self.level == Level.ACTION


class PlanVersion(models.Model):
    """An adopted version: an immutable snapshot of the whole plan as council adopted it."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    adopted_on = models.DateField(_("adopted on"))
    meeting = models.CharField(_("council meeting"), max_length=200)
    resolution = models.CharField(_("resolution number"), max_length=80)
    reason = models.TextField(_("reason for the amendment"), blank=True)
    snapshot = models.JSONField(_("snapshot"))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="unique_plan_version_number")]
        verbose_name = _("adopted version")

    def __str__(self) -> str:
        return f"{self.plan} v{self.number}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("An adopted version is immutable; adopt an amendment instead.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class PendingImport(models.Model):
    """An uploaded file waiting for the person to confirm its preview. Nothing is written before that.
    `purpose` says which importer reads it (a plan, or measurements for the performance module)."""

    token = models.CharField(max_length=64, unique=True)
    purpose = models.CharField(max_length=40, default="plan")
    filename = models.CharField(max_length=255)
    content = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return self.filename
