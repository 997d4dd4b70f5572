"""Forms of the budget-file pages: the upload, the mapping of unknown names on the preview, and a fund."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from civicplan.accounts.models import Department
from civicplan.budget.models import Fund
from civicplan.budget.services.imports import NEW, BudgetPreview
from civicplan.core.forms import UswdsFormMixin


def fund_label(fund: Fund) -> str:
    """A fund as every choice list names it: its code and its name in the reader's language."""
    return f"{fund.code} – {fund.localized('name')}"


class FundChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Fund) -> str:
        return fund_label(obj)


def _fund_field(funds: QuerySet[Fund]) -> FundChoiceField:
    return FundChoiceField(
        queryset=funds,
        required=False,
        empty_label=gettext_lazy("The file says"),
        label=gettext_lazy("Fund of the lines whose file names none"),
        help_text=gettext_lazy(
            "Budget books often give the fund only in a title row, or not at all. Leave “The file says” when the "
            "file has a fund column or a title row such as “Fund 100 - General Fund”."
        ),
    )


class BudgetFileForm(UswdsFormMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Budget file"),
        help_text=gettext_lazy(
            "CSV or Excel workbook (.xlsx) as the city publishes it: a line-item table with a fiscal year and an "
            "amount column, or a budget-book table with one column per year such as FY 2025-26 Adopted."
        ),
    )

    fund = _fund_field(Fund.objects.none())

    def __init__(self, *args: Any, funds: QuerySet[Fund], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fund"].queryset = funds


class MappingForm(UswdsFormMixin, forms.Form):
    """One select per unknown department or fund spelling ("create it", or one of ours), and the fund for lines
    whose file names none. `seen` is the mapping the person last saw the preview of: the import refuses another."""

    fund = _fund_field(Fund.objects.none())
    action = forms.ChoiceField(choices=[("update", "update"), ("import", "import")], required=False)
    seen = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        preview: BudgetPreview,
        departments: QuerySet[Department],
        funds: QuerySet[Fund],
        **kwargs: Any,
    ) -> None:
        self.names = preview.names
        # The fields exist before the form is built, so the USWDS mixin styles and wires them like any other.
        self.base_fields = {**type(self).base_fields, **self._name_fields(departments, funds)}
        super().__init__(*args, **kwargs)
        self.fields["fund"].queryset = funds
        self.fields["fund"].initial = preview.fund.pk if preview.fund else None

    def _name_fields(
        self, departments: QuerySet[Department], funds: QuerySet[Fund]
    ) -> dict[str, forms.Field]:
        department_options = [(str(d.pk), d.localized("name")) for d in departments]
        fund_options = [(str(f.pk), f"{f.code} – {f.localized('name')}") for f in funds]
        fields: dict[str, forms.Field] = {}
        for name in self.names:
            if name.kind == "department":
                create = _("Create a new department “%(name)s”") % {"name": name.spelling}
                options = [(NEW, create), (_("Existing departments"), department_options)]
                label = _("Department “%(name)s”") % {"name": name.spelling}
            else:
                create = _("Create a new fund “%(name)s”") % {"name": name.spelling}
                options = [(NEW, create), (_("Existing funds"), fund_options)]
                label = _("Fund “%(name)s”") % {"name": name.spelling}
            fields[name.field_name] = forms.ChoiceField(
                choices=options,
                label=label,
                initial=name.initial,
                help_text=ngettext("Used in row %(rows)s.", "Used in rows %(rows)s.", len(name.rows))
                % {"rows": name.shown_rows},
            )
        return fields

    def name_fields(self) -> list[forms.BoundField]:
        return [self[name.field_name] for name in self.names]

    def choices(self) -> dict[str, str]:
        """The chosen value per spelling field (valid or not: the service ignores what it does not know)."""
        return {name.field_name: str(self.data.get(name.field_name, "")) for name in self.names}
