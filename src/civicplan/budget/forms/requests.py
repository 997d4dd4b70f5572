"""Forms of the budget request pages: writing a request, scoring it, deciding it."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicplan.accounts.models import Department, Organization
from civicplan.budget.forms.imports import fund_label
from civicplan.budget.models import BudgetCycle, BudgetRequest, Fund
from civicplan.budget.selectors.common import fy_label
from civicplan.core.forms import UswdsFormMixin
from civicplan.lib.money import parse_amount
from civicplan.plans.models import PlanItem

_CODE_SPLIT = re.compile(r"[\s,;]+")


class MoneyField(forms.CharField):
    """An amount as people type it (`250000`, `$250,000.00`), read with `lib.money.parse_amount`; more than zero.
    The field keeps the typed text when it is wrong, so nothing has to be typed again."""

    MAX_CHARS = 40

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)  # no max_length: CharField's length validator would run on the Decimal
        self.widget.attrs.update({"maxlength": str(self.MAX_CHARS), "inputmode": "decimal"})

    def to_python(self, value: Any) -> Decimal | None:
        text = super().to_python(value)
        if not text:
            return None
        if len(text) > self.MAX_CHARS:
            raise forms.ValidationError(
                _("Write the amount in at most %(count)s characters.") % {"count": self.MAX_CHARS}
            )
        try:
            amount = parse_amount(text)
        except ValueError as error:
            raise forms.ValidationError(
                _("Write an amount like 250000 or $250,000.00 (%(problem)s).") % {"problem": error}
            ) from error
        if amount <= 0:
            raise forms.ValidationError(_("The amount must be more than zero."))
        return amount


def _money_text(value: Decimal | None) -> str:
    return "" if value is None else f"{value:,.2f}"


class BudgetRequestForm(UswdsFormMixin, forms.Form):
    """A request: what, why (both languages), how much, from which fund, for which fiscal year, and the plan
    elements it advances (ticked in the list or typed as codes). Editors write for their own department; the
    coordinator chooses it."""

    department = forms.ModelChoiceField(label=gettext_lazy("Department"), queryset=Department.objects.none())
    fiscal_year = forms.TypedChoiceField(label=gettext_lazy("Fiscal year"), coerce=int)
    title_en = forms.CharField(label=gettext_lazy("Title (English)"), max_length=300)
    title_es = forms.CharField(
        label=gettext_lazy("Title (Spanish)"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("Needed to submit: the public reads requests in both languages."),
    )
    justification_en = forms.CharField(
        label=gettext_lazy("Justification (English)"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("What the money buys and what changes for residents."),
    )
    justification_es = forms.CharField(
        label=gettext_lazy("Justification (Spanish)"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text=gettext_lazy("Needed to submit."),
    )
    amount = MoneyField(
        label=gettext_lazy("Amount requested"),
        help_text=gettext_lazy("In dollars, e.g. 250000 or $250,000.00."),
    )
    fund = forms.ModelChoiceField(label=gettext_lazy("Fund"), queryset=Fund.objects.none())
    items = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Plan elements this request advances"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    codes = forms.CharField(
        label=gettext_lazy("Or type their codes"),
        required=False,
        max_length=500,
        help_text=gettext_lazy("Separated by commas, e.g. 1.2, 3.1.4."),
    )
    lock_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        cycle: BudgetCycle,
        organization: Organization,
        choose_department: bool,
        item_groups: list[tuple[str, list[tuple[int, str]]]],
        citable: list[PlanItem],
        instance: BudgetRequest | None = None,
        **kwargs: Any,
    ) -> None:
        if instance is not None:
            kwargs.setdefault("initial", self.initial_from(instance))
        super().__init__(*args, **kwargs)
        self.citable = {item.pk: item for item in citable}
        self.by_code = {item.code: item for item in citable}
        self.fields["fiscal_year"].choices = [
            (year, fy_label(year, organization)) for year in cycle.fiscal_years
        ]
        funds = Fund.objects.filter(organization=organization).order_by("code", "name_en")
        self.fields["fund"].queryset = funds
        self.fields["fund"].label_from_instance = fund_label
        self.fields["fund"].empty_label = _("Choose a fund")
        if not funds.exists():
            self.fields["fund"].help_text = _(
                "The city has no funds yet: finance staff add them on the Funds page."
            )
        self.fields["items"].choices = item_groups
        self.item_groups = item_groups
        if choose_department:
            self.fields["department"].queryset = Department.objects.filter(organization=organization)
            self.fields["department"].label_from_instance = lambda department: department.localized("name")
            self.fields["department"].empty_label = _("Choose a department")
        else:
            del self.fields["department"]

    @staticmethod
    def initial_from(instance: BudgetRequest) -> dict[str, Any]:
        return {
            "department": instance.department_id,
            "fiscal_year": instance.fiscal_year,
            "title_en": instance.title_en,
            "title_es": instance.title_es,
            "justification_en": instance.justification_en,
            "justification_es": instance.justification_es,
            "amount": _money_text(instance.amount),
            "fund": instance.fund_id,
            "items": [item.pk for item in instance.items.all()],
            "lock_version": instance.lock_version,
        }

    def clean_codes(self) -> list[PlanItem]:
        """Typed codes ("1.2, 3.1.4") as plan elements; unknown codes are named in the error."""
        text = self.cleaned_data.get("codes") or ""
        codes = [code.strip().rstrip(".") for code in _CODE_SPLIT.split(text) if code.strip()]
        unknown = [code for code in codes if code not in self.by_code]
        if unknown:
            raise forms.ValidationError(
                _("The plan has no goal, strategy or action with the code %(codes)s.")
                % {"codes": ", ".join(unknown)}
            )
        return [self.by_code[code] for code in codes]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        chosen = [self.citable[pk] for pk in data.get("items") or [] if pk in self.citable]
        for item in data.get("codes") or []:
            if item not in chosen:
                chosen.append(item)
        data["items"] = sorted(chosen, key=lambda item: item.code)
        return data

    def grouped_items(self) -> list[tuple[str, list[Any], bool]]:
        """The checkboxes of `items` per priority, for the template: (priority, checkboxes, any ticked)."""
        boxes = list(self["items"])
        groups, start = [], 0
        for label, choices in self.item_groups:
            chunk = boxes[start : start + len(choices)]
            start += len(choices)
            groups.append((label, chunk, any(box.data["selected"] for box in chunk)))
        return groups

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("codes", None)
        data.pop("lock_version", None)
        return data


SCORE_CHOICES = [
    (0, gettext_lazy("0 — not at all")),
    (1, gettext_lazy("1 — a little")),
    (2, gettext_lazy("2 — clearly")),
    (3, gettext_lazy("3 — strongly")),
]


class ScoreForm(UswdsFormMixin, forms.Form):
    """Three scores of 0 to 3; the total (0-9) ranks the request."""

    score_alignment = forms.TypedChoiceField(
        label=gettext_lazy("Advances council priorities"),
        help_text=gettext_lazy("How directly it moves the goals and priorities council adopted."),
        choices=SCORE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    score_need = forms.TypedChoiceField(
        label=gettext_lazy("Need or mandate"),
        help_text=gettext_lazy(
            "A legal mandate, a safety risk, or a service residents already lack scores high."
        ),
        choices=SCORE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    score_readiness = forms.TypedChoiceField(
        label=gettext_lazy("Ready to start"),
        help_text=gettext_lazy(
            "Staff, design and partners in place, so the money can be spent in the fiscal year."
        ),
        choices=SCORE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
    )


class DecideForm(UswdsFormMixin, forms.Form):
    """The council's decision: adopt (at the requested amount unless another is given) or not funded (with a
    reason the department reads)."""

    action = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[("adopt", gettext_lazy("Adopt")), ("not_funded", gettext_lazy("Not funded"))],
        widget=forms.RadioSelect,
    )
    adopted_amount = MoneyField(
        label=gettext_lazy("Amount adopted"),
        required=False,
        help_text=gettext_lazy("Leave as it is to adopt the amount requested."),
    )
    decision_note = forms.CharField(
        label=gettext_lazy("Decision note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("For example the council meeting and resolution. Required when not funded."),
    )

    def __init__(self, *args: Any, budget_request: BudgetRequest, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"adopted_amount": _money_text(budget_request.amount)})
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("action") == "not_funded" and not (data.get("decision_note") or "").strip():
            self.add_error("decision_note", _("Say why, in a sentence: the department reads this note."))
        return data
