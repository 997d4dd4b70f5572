"""The city's budget and its alignment with the plan: funds, budget lines per fiscal year (with their adopted,
revised and actual amounts), the share of each line that serves a plan element, each action's estimated cost and
funding status per year, departments' budget requests, and the budget calendar.

Money is `Decimal` with cents (DecimalField 16,2). Fiscal years are stored as the calendar year they start in
(`lib.fiscal`), as plans store them."""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from civicplan.accounts.models import Department, Organization
from civicplan.core.models import BilingualMixin, TimeStampedModel
from civicplan.plans.models import PlanItem

MONEY = {"max_digits": 16, "decimal_places": 2}
REQUEST_PROGRAM = "Budget requests"  # the program of the budget lines adopted requests become
HUNDRED = Decimal(100)


class Fund(BilingualMixin, TimeStampedModel):
    """A fund of the city's budget: General Fund, Gas Tax, SB 1 RMRA, CDBG, an enterprise fund..."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="funds")
    code = models.CharField(_("code"), max_length=40, help_text=_("As budget files write it, e.g. 100."))
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_es = models.CharField(_("name (Spanish)"), max_length=200, blank=True)
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        ordering = ["code", "name_en"]
        constraints = [models.UniqueConstraint(fields=["organization", "code"], name="unique_fund_code")]
        verbose_name = _("fund")

    def __str__(self) -> str:
        return f"{self.code} {self.name_en}".strip()


class NameMapping(models.Model):
    """A name a budget file uses for a department or a fund, confirmed by a person as meaning one of ours.
    Department names drift between years ("Public Works" / "Public Works Dept." / "PW"); once mapped, the next file
    with the same spelling maps by itself."""

    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("Department")
        FUND = "fund", _("Fund")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    spelling = models.CharField(_("name in the file"), max_length=200)  # stored casefolded, spaces squeezed
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    fund = models.ForeignKey(Fund, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "kind", "spelling"], name="unique_name_mapping")
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.spelling}"


class AmountKind(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ADOPTED = "adopted", _("Adopted")
    REVISED = "revised", _("Revised")
    ACTUAL = "actual", _("Actual")


AMOUNT_FIELDS = {kind: f"{kind}_amount" for kind in AmountKind.values}
_SPACES = re.compile(r"\s+")


def normal_text(text: str) -> str:
    """How names and descriptions are compared: case-folded, spaces squeezed ("Public  Works " = "public works")."""
    return _SPACES.sub(" ", text).strip().casefold()


def line_identity(*, fund_id: int, department_id: int, program: str, account: str, description: str) -> str:
    """What makes a budget line the same line in two files of the same fiscal year."""
    key = "\x1f".join(
        [
            str(fund_id),
            str(department_id),
            normal_text(program),
            normal_text(account),
            normal_text(description),
        ]
    )
    return hashlib.sha256(key.encode()).hexdigest()


class BudgetLine(TimeStampedModel):
    """One line of the budget in one fiscal year, identified by fund, department, program, account and
    description (`identity`). Its amounts of each kind sit side by side: a file of adopted amounts and a later file of
    actuals fill the same line, and importing a file twice finds the lines it made the first time.

    Interfund transfers are lines too (`is_transfer`): totals say whether they are counted or netted out."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="budget_lines")
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="lines")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="budget_lines")
    program = models.CharField(_("division / program"), max_length=200, blank=True)
    account = models.CharField(_("account / object"), max_length=200, blank=True)
    description = models.CharField(_("description"), max_length=500, blank=True)
    identity = models.CharField(max_length=64, editable=False)  # sha256 of the normalised fields above
    proposed_amount = models.DecimalField(_("proposed"), null=True, blank=True, **MONEY)
    adopted_amount = models.DecimalField(_("adopted"), null=True, blank=True, **MONEY)
    revised_amount = models.DecimalField(_("revised"), null=True, blank=True, **MONEY)
    actual_amount = models.DecimalField(_("actual"), null=True, blank=True, **MONEY)
    is_transfer = models.BooleanField(_("interfund transfer"), default=False)
    source = models.CharField(
        _("source"), max_length=255, blank=True, help_text=_("The file or request it came from.")
    )
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        ordering = ["fiscal_year", "department__name_en", "fund__code", "program", "account", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "fiscal_year", "identity"], name="unique_budget_line_identity"
            )
        ]
        indexes = [models.Index(fields=["organization", "fiscal_year", "department"])]
        verbose_name = _("budget line")

    def __str__(self) -> str:
        return f"FY{self.fiscal_year} {self.department_id} {self.account} {self.description}".strip()

    def save(self, *args: object, **kwargs: object) -> None:
        self.identity = line_identity(
            fund_id=self.fund_id,
            department_id=self.department_id,
            program=self.program,
            account=self.account,
            description=self.description,
        )
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def amount(self, kind: str) -> Decimal | None:
        value: Decimal | None = getattr(self, AMOUNT_FIELDS[kind])
        return value

    @property
    def budgeted(self) -> Decimal | None:
        """What the city plans to spend: the revised amount once there is one, else the adopted amount."""
        return self.revised_amount if self.revised_amount is not None else self.adopted_amount


class Allocation(TimeStampedModel):
    """A budget line, whole or in part, serving a plan element (an action, strategy or goal). The part is a share
    in percent or a fixed amount, never both; the shares of one line never add up to more than the line."""

    line = models.ForeignKey(BudgetLine, on_delete=models.CASCADE, related_name="allocations")
    item = models.ForeignKey(PlanItem, on_delete=models.PROTECT, related_name="budget_allocations")
    share_percent = models.DecimalField(
        _("share (%)"),
        max_digits=7,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.0001")), MaxValueValidator(HUNDRED)],
    )
    amount = models.DecimalField(_("amount"), null=True, blank=True, **MONEY)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        ordering = ["line_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["line", "item"], name="unique_allocation_per_item"),
            models.CheckConstraint(
                condition=Q(share_percent__isnull=True, amount__isnull=False)
                | Q(share_percent__isnull=False, amount__isnull=True),
                name="allocation_share_or_amount",
            ),
        ]
        verbose_name = _("allocation")

    def __str__(self) -> str:
        part = f"{self.share_percent}%" if self.share_percent is not None else str(self.amount)
        return f"{part} of line {self.line_id} to item {self.item_id}"


class FundingStatus(models.TextChoices):
    FUNDED = "funded", _("Funded")
    PARTIAL = "partial", _("Partially funded")
    REQUESTED = "requested", _("Requested")
    UNFUNDED = "unfunded", _("Unfunded")
    DEFERRED = "deferred", _("Deferred")


class ActionFunding(TimeStampedModel):
    """An action's estimated cost and funding status in one fiscal year, with the fund that pays for it."""

    action = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="funding")
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    estimated_cost = models.DecimalField(_("estimated cost"), null=True, blank=True, **MONEY)
    status = models.CharField(
        _("funding status"), max_length=20, choices=FundingStatus.choices, default=FundingStatus.UNFUNDED
    )
    fund = models.ForeignKey(
        Fund, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("source fund")
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    lock_version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        ordering = ["fiscal_year", "action_id"]
        constraints = [
            models.UniqueConstraint(fields=["action", "fiscal_year"], name="unique_action_funding_year")
        ]
        verbose_name = _("action funding")

    def __str__(self) -> str:
        return f"{self.action_id} FY{self.fiscal_year}: {self.status}"


class BudgetCycle(BilingualMixin, TimeStampedModel):
    """One turn of the budget process: an annual budget (one fiscal year) or a biennial one (two). Departments submit
    requests between the cycle's kick-off and its 'department requests due' milestone."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="budget_cycles")
    first_fiscal_year = models.PositiveSmallIntegerField(_("first fiscal year"))
    years = models.PositiveSmallIntegerField(
        _("length"), choices=[(1, _("Annual")), (2, _("Biennial"))], default=1
    )
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        ordering = ["-first_fiscal_year"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "first_fiscal_year"], name="unique_budget_cycle")
        ]
        verbose_name = _("budget cycle")

    def __str__(self) -> str:
        return f"FY{self.first_fiscal_year}+{self.years}"

    @property
    def fiscal_years(self) -> list[int]:
        return [self.first_fiscal_year + offset for offset in range(self.years)]


class MilestoneKind(models.TextChoices):
    KICKOFF = "kickoff", _("Budget kick-off")
    REQUESTS_DUE = "requests_due", _("Department requests due")
    STUDY_SESSION = "study_session", _("Council study session")
    PROPOSED = "proposed", _("Proposed budget released")
    ADOPTION = "adoption", _("Budget adoption")
    MID_YEAR = "mid_year", _("Mid-year review")
    OTHER = "other", _("Other")


class CalendarMilestone(BilingualMixin, TimeStampedModel):
    """A dated step of a budget cycle. `title_*` is optional: the kind names it when empty."""

    cycle = models.ForeignKey(BudgetCycle, on_delete=models.CASCADE, related_name="milestones")
    kind = models.CharField(_("kind"), max_length=20, choices=MilestoneKind.choices)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    title_es = models.CharField(_("title (Spanish)"), max_length=200, blank=True)
    date = models.DateField(_("date"))
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("budget milestone")

    def __str__(self) -> str:
        return f"{self.kind} {self.date}"

    def label(self) -> str:
        return self.localized("title") or str(self.get_kind_display())


class BudgetReminderLog(models.Model):
    """What `send_budget_reminders` sent, so a daily run never sends the same reminder twice."""

    milestone = models.ForeignKey(CalendarMilestone, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)  # "before" (a week ahead) or "today"
    sent_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["milestone", "recipient", "kind"], name="unique_budget_reminder")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.milestone_id} to {self.recipient_id}"


class RequestState(models.TextChoices):
    # A context of their own: Spanish agrees them with "solicitud" (feminine), unlike a progress update's states.
    DRAFT = "draft", pgettext_lazy("budget request", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("budget request", "Submitted")
    ADOPTED = "adopted", pgettext_lazy("budget request", "Adopted")
    NOT_FUNDED = "not_funded", pgettext_lazy("budget request", "Not funded")
    WITHDRAWN = "withdrawn", pgettext_lazy("budget request", "Withdrawn")


class BudgetRequest(BilingualMixin, TimeStampedModel):
    """A department's request for money in a budget cycle, citing the plan elements it advances. Coordinator and
    finance score it (0-3 on each criterion); council reads the ranked list; an adopted request becomes a funded
    budget line (`line`) allocated to the elements it cites."""

    cycle = models.ForeignKey(BudgetCycle, on_delete=models.PROTECT, related_name="requests")
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="budget_requests")
    title_en = models.CharField(_("title (English)"), max_length=300)
    title_es = models.CharField(_("title (Spanish)"), max_length=300, blank=True)
    justification_en = models.TextField(_("justification (English)"))
    justification_es = models.TextField(_("justification (Spanish)"), blank=True)
    amount = models.DecimalField(
        _("amount requested"), validators=[MinValueValidator(Decimal("0.01"))], **MONEY
    )
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+", verbose_name=_("fund"))
    items = models.ManyToManyField(PlanItem, related_name="budget_requests", verbose_name=_("plan elements"))
    state = models.CharField(
        _("state"), max_length=20, choices=RequestState.choices, default=RequestState.DRAFT
    )
    # Scores, 0-3 each, given by the coordinator or finance once the request is submitted.
    score_alignment = models.PositiveSmallIntegerField(
        _("advances council priorities"), null=True, blank=True, validators=[MaxValueValidator(3)]
    )
    score_need = models.PositiveSmallIntegerField(
        _("need or mandate"), null=True, blank=True, validators=[MaxValueValidator(3)]
    )
    score_readiness = models.PositiveSmallIntegerField(
        _("ready to start"), null=True, blank=True, validators=[MaxValueValidator(3)]
    )
    adopted_amount = models.DecimalField(_("amount adopted"), null=True, blank=True, **MONEY)
    decision_note = models.TextField(_("decision note"), blank=True)
    line = models.OneToOneField(
        BudgetLine, null=True, blank=True, on_delete=models.SET_NULL, related_name="request"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    lock_version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        ordering = ["cycle_id", "pk"]
        verbose_name = _("budget request")

    def __str__(self) -> str:
        return self.title_en

    @property
    def score(self) -> int | None:
        parts = (self.score_alignment, self.score_need, self.score_readiness)
        if any(part is None for part in parts):
            return None
        return sum(part for part in parts if part is not None)
