"""Forms of the budget calendar: a cycle (first fiscal year, annual or biennial) and a milestone."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from civicplan.accounts.models import Organization
from civicplan.budget.models import BudgetCycle, CalendarMilestone, MilestoneKind
from civicplan.budget.selectors.common import fy_label
from civicplan.core.forms import DateInput, UswdsFormMixin


class CycleForm(UswdsFormMixin, forms.Form):
    first_fiscal_year = forms.TypedChoiceField(label=gettext_lazy("First fiscal year"), coerce=int)
    years = forms.TypedChoiceField(
        label=gettext_lazy("Budget length"),
        choices=[
            (1, gettext_lazy("Annual (one fiscal year)")),
            (2, gettext_lazy("Biennial (two fiscal years)")),
        ],
        coerce=int,
        widget=forms.RadioSelect,
        initial=1,
    )
    add_usual_milestones = forms.BooleanField(
        label=gettext_lazy("Add the usual milestones with suggested dates"),
        required=False,
        initial=True,
        help_text=gettext_lazy(
            "Kick-off, department requests due, council study session, proposed budget, adoption and mid-year "
            "review. You can change or remove each one afterwards."
        ),
    )

    def __init__(
        self,
        *args: Any,
        organization: Organization,
        years: list[int],
        cycle: BudgetCycle | None = None,
        **kwargs: Any,
    ) -> None:
        if cycle is not None:
            kwargs.setdefault("initial", {"first_fiscal_year": cycle.first_fiscal_year, "years": cycle.years})
        super().__init__(*args, **kwargs)
        choices = sorted(set(years) | ({cycle.first_fiscal_year} if cycle else set()))
        self.fields["first_fiscal_year"].choices = [(year, fy_label(year, organization)) for year in choices]
        if cycle is not None:
            del self.fields["add_usual_milestones"]  # offered when the cycle is created


class MilestoneForm(UswdsFormMixin, forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=MilestoneKind.choices)
    title_en = forms.CharField(
        label=gettext_lazy("Title (English)"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Optional: the kind names the milestone when this is empty."),
    )
    title_es = forms.CharField(label=gettext_lazy("Title (Spanish)"), max_length=200, required=False)
    date = forms.DateField(label=gettext_lazy("Date"), widget=DateInput())

    def __init__(self, *args: Any, milestone: CalendarMilestone | None = None, **kwargs: Any) -> None:
        if milestone is not None:
            kwargs.setdefault(
                "initial",
                {
                    "kind": milestone.kind,
                    "title_en": milestone.title_en,
                    "title_es": milestone.title_es,
                    "date": milestone.date,
                },
            )
        super().__init__(*args, **kwargs)
