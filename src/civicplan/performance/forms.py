"""Forms of the indicator pages: validation of what was typed only (the services apply the rules)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from civicplan.accounts.models import Department, User
from civicplan.core.forms import DateInput, UswdsFormMixin
from civicplan.lib.fiscal import fiscal_year_label
from civicplan.lib.periods import period_start
from civicplan.performance.models import DEFINITION_FIELDS, Indicator
from civicplan.plans.models import Level, Plan, PlanItem

__all__ = ["IndicatorForm", "MeasurementForm", "ReasonForm", "TargetForm"]


class _ItemChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: PlanItem) -> str:
        return f"{obj.code} {obj.localized('title')}"


class IndicatorForm(UswdsFormMixin, forms.ModelForm):
    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    breakdown_text = forms.CharField(
        label=_("Breakdown categories"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line, e.g. District 1. Values can then be entered for each."),
    )
    items = _ItemChoice(
        label=_("Goals and strategies it measures"),
        queryset=PlanItem.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=500,
        help_text=_("Optional; kept in the history."),
    )

    class Meta:
        model = Indicator
        # The categories are edited as lines of text (`breakdown_text` above), not as JSON.
        fields = [name for name in DEFINITION_FIELDS if name != "breakdown_categories"]
        widgets = {"baseline_date": DateInput()}

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["items"].queryset = PlanItem.objects.filter(
            plan=plan, level__in=[Level.GOAL, Level.STRATEGY], archived_at__isnull=True
        ).order_by("code")
        self.fields["owner"].queryset = (
            User.objects.filter(is_active=True)
            .exclude(role="")
            .order_by("last_name", "first_name", "username")
        )
        self.fields["department"].queryset = Department.objects.filter(organization_id=plan.organization_id)
        instance = self.instance
        if instance.pk:
            self.fields["breakdown_text"].initial = "\n".join(instance.breakdown_categories or [])
            self.fields["items"].initial = [item.pk for item in instance.items.all()]
            self.fields["lock_version"].initial = instance.lock_version

    def clean_breakdown_text(self) -> list[str]:
        text = self.cleaned_data.get("breakdown_text") or ""
        return [line.strip() for line in text.replace("\r", "").split("\n") if line.strip()]

    def definition(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["breakdown_categories"] = self.cleaned_data["breakdown_text"]
        return data


class TargetForm(UswdsFormMixin, forms.Form):
    fiscal_year = forms.TypedChoiceField(label=_("Fiscal year"), coerce=int)
    value = forms.DecimalField(label=_("Target"), required=False, max_digits=20, decimal_places=6)
    band_low = forms.DecimalField(
        label=_("Lowest acceptable"), required=False, max_digits=20, decimal_places=6
    )
    band_high = forms.DecimalField(
        label=_("Highest acceptable"), required=False, max_digits=20, decimal_places=6
    )
    reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=500,
        help_text=_("Needed when the year already has a target; kept in the history with the old target."),
    )

    def __init__(self, *args: Any, indicator: Indicator, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        plan = indicator.plan
        month = plan.organization.fiscal_year_start_month
        self.fields["fiscal_year"].choices = [
            (year, fiscal_year_label(year, month, gettext("FY")))
            for year in range(plan.start_fiscal_year, plan.start_fiscal_year + plan.years)
        ]
        if indicator.direction == "band":
            del self.fields["value"]
        else:
            del self.fields["band_low"]
            del self.fields["band_high"]


class MeasurementForm(UswdsFormMixin, forms.Form):
    """The quick entry form: one period's value. The value is typed as text so the service can say plainly
    what is wrong with it."""

    period = forms.ChoiceField(label=_("Period"))
    value = forms.CharField(label=_("Value"), max_length=40)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    replace = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        indicator: Indicator,
        today: dt.date,
        due: dt.date,
        period_name: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        plan = indicator.plan
        month = plan.organization.fiscal_year_start_month
        first, last = plan.bounds
        current = period_start(min(today, last), indicator.frequency, month)
        choices = []
        start = current
        while start >= first and len(choices) < 24:
            choices.append((start.isoformat(), period_name(start)))
            start = period_start(start - dt.timedelta(days=1), indicator.frequency, month)
        if not choices:  # the plan has not started: offer its first period so the form still renders
            choices.append((first.isoformat(), period_name(first)))
        self.fields["period"].choices = choices
        if not self.is_bound:
            self.fields["period"].initial = due.isoformat()
        self.categories = list(indicator.breakdown_categories or [])
        for index, category in enumerate(self.categories):
            self.fields[f"breakdown_{index}"] = forms.CharField(label=category, required=False, max_length=40)

    def breakdown(self) -> dict[str, str]:
        return {
            category: self.cleaned_data.get(f"breakdown_{index}", "")
            for index, category in enumerate(self.categories)
        }

    def breakdown_fields(self) -> list[Any]:
        return [self[f"breakdown_{index}"] for index in range(len(self.categories))]


class ReasonForm(UswdsFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
