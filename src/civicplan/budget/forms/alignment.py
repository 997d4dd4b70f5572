"""Forms of the alignment pages: linking a budget line to a plan element, and an action's funding for a year."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicplan.budget.forms.imports import fund_label
from civicplan.budget.models import Fund, FundingStatus
from civicplan.budget.services.allocations import ALLOCATABLE_LEVELS
from civicplan.core.forms import UswdsFormMixin
from civicplan.lib.money import parse_amount
from civicplan.plans.models import PlanItem


def _amount(raw: str, *, negative_ok: bool = False) -> Decimal | None:
    """Money as people type it (`1234.50`, `$1,234`); None when left empty. Raises a plain-words error."""
    if not raw.strip():
        return None
    try:
        value = parse_amount(raw)
    except ValueError as error:
        raise forms.ValidationError(
            _("Write an amount like 1234.50 or $1,234 (%(problem)s).") % {"problem": error}
        ) from None
    if value < 0 and not negative_ok:
        raise forms.ValidationError(_("The amount cannot be negative."))
    return value


class AllocationForm(UswdsFormMixin, forms.Form):
    """A plan element (by code, or picked from the list) and the part of the line it gets: a share in percent
    or a fixed amount."""

    code = forms.CharField(
        label=gettext_lazy("Plan element code"),
        required=False,
        max_length=40,
        help_text=gettext_lazy("For example 1.2.1. Or pick it from the list below."),
    )
    item = forms.TypedChoiceField(
        label=gettext_lazy("Plan element"), required=False, coerce=int, empty_value=None
    )
    share_percent = forms.DecimalField(
        label=gettext_lazy("Share (%)"),
        required=False,
        max_digits=7,
        decimal_places=4,
        help_text=gettext_lazy("Part of the line, in percent. Leave empty to give a fixed amount instead."),
    )
    amount = forms.CharField(
        label=gettext_lazy("Or a fixed amount"),
        required=False,
        max_length=40,
        help_text=gettext_lazy("In dollars."),
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=500)

    def __init__(self, *args: Any, items: list[PlanItem], **kwargs: Any) -> None:
        self.items = {item.pk: item for item in items if item.level in ALLOCATABLE_LEVELS}
        self.by_code = {item.code: item for item in self.items.values()}
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [("", _("Choose a goal, strategy or action"))] + [
            (item.pk, f"{item.code} {item.localized('title')}") for item in self.items.values()
        ]

    def clean_amount(self) -> Decimal | None:
        return _amount(self.cleaned_data["amount"])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self.cleaned_data["element"] = self._element(data)
        has_share, has_amount = data.get("share_percent") is not None, data.get("amount") is not None
        if has_share == has_amount and "amount" not in self.errors and "share_percent" not in self.errors:
            self.add_error("share_percent", _("Give either a share in percent or a fixed amount, not both."))
        return data

    def _element(self, data: dict[str, Any]) -> PlanItem | None:
        code, picked = (data.get("code") or "").strip(), data.get("item")
        by_code = self.by_code.get(code) if code else None
        if code and by_code is None:
            self.add_error(
                "code", _("No active goal, strategy or action has the code %(code)s.") % {"code": code}
            )
            return None
        chosen = self.items.get(picked) if picked else None
        if by_code and chosen and by_code.pk != chosen.pk:
            self.add_error("code", _("The code and the element picked in the list differ: give one of them."))
            return None
        element = by_code or chosen
        if element is None and "code" not in self.errors:
            self.add_error(
                "code", _("Give the code of a goal, strategy or action, or pick one from the list.")
            )
        return element

    def part_field(self) -> str:
        """The field a refusal about the size of the part belongs beside."""
        return "amount" if self.cleaned_data.get("amount") is not None else "share_percent"


class FundingForm(UswdsFormMixin, forms.Form):
    """An action's estimated cost, funding status and source fund for one fiscal year."""

    year = forms.IntegerField(widget=forms.HiddenInput)
    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    status = forms.ChoiceField(label=gettext_lazy("Funding status"), choices=FundingStatus.choices)
    estimated_cost = forms.CharField(
        label=gettext_lazy("Estimated cost"),
        required=False,
        max_length=40,
        help_text=gettext_lazy("What the action will cost this year, in dollars. Leave empty if not known."),
    )
    fund = forms.ModelChoiceField(
        label=gettext_lazy("Source fund"), queryset=Fund.objects.none(), required=False, empty_label="–"
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=500, widget=forms.Textarea)

    def __init__(self, *args: Any, funds: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fund"].queryset = funds
        self.fields["fund"].label_from_instance = fund_label

    def clean_estimated_cost(self) -> Decimal | None:
        return _amount(self.cleaned_data["estimated_cost"])
