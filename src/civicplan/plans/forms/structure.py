"""Validation only. Services do the writing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from civicplan.accounts.models import Department
from civicplan.core.forms import DateInput, UswdsFormMixin
from civicplan.plans.models import ITEM_CONTENT_FIELDS, Plan, PlanItem, Status, Value

HEX_COLOR = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a hex colour such as #00a91c."))


class ReasonField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Reason for this change (optional)"))
        kwargs.setdefault("help_text", _("Kept in the item's history, which is a public record."))
        kwargs.setdefault("max_length", 500)
        super().__init__(**kwargs)


class PlanForm(UswdsFormMixin, forms.ModelForm):
    lock_version = forms.IntegerField(widget=forms.HiddenInput)
    reason = ReasonField()

    class Meta:
        model = Plan
        fields = [
            "title_en",
            "title_es",
            "start_fiscal_year",
            "years",
            "mission_en",
            "mission_es",
            "vision_en",
            "vision_es",
        ]


class ValueForm(UswdsFormMixin, forms.ModelForm):
    class Meta:
        model = Value
        fields = ["name_en", "name_es", "description_en", "description_es"]


class StatusForm(UswdsFormMixin, forms.ModelForm):
    color = forms.CharField(
        label=_("Colour"), max_length=7, validators=[HEX_COLOR], help_text=_("A hex colour such as #00a91c.")
    )

    class Meta:
        model = Status
        fields = [
            "key",
            "name_en",
            "name_es",
            "color",
            "default_progress",
            "counts_as_complete",
            "counts_in_rollup",
        ]

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        self.plan = plan
        super().__init__(*args, **kwargs)

    def clean_key(self) -> str:
        key = self.cleaned_data["key"]
        clash = self.plan.statuses.filter(key=key).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("This plan already has a status with that key."))
        return key


class ItemForm(UswdsFormMixin, forms.ModelForm):
    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = ReasonField()

    class Meta:
        model = PlanItem
        fields = list(ITEM_CONTENT_FIELDS)
        widgets = {
            "start_date": DateInput(),
            "due_date": DateInput(),
            "title_en": forms.TextInput(attrs={"lang": "en"}),
            "title_es": forms.TextInput(attrs={"lang": "es"}),
            "description_en": forms.Textarea(attrs={"lang": "en"}),
            "description_es": forms.Textarea(attrs={"lang": "es"}),
        }

    def __init__(
        self, *args: Any, plan: Plan, can_manage: bool, has_children: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(organization_id=plan.organization_id)
        self.fields["status"].queryset = plan.statuses.all()
        self.fields["status"].label_from_instance = lambda status: status.localized("name")
        self.fields["department"].label_from_instance = lambda department: department.localized("name")
        if not can_manage:
            # Editors change an item's content; who owns it and how much it weighs is the coordinator's call.
            for name in ("department", "weight"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Only the plan coordinator can change this.")
        if has_children:
            self.fields["progress"].disabled = True
            self.fields["progress"].help_text = _("Calculated from the items below this one.")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, due = data.get("start_date"), data.get("due_date")
        if start and due and due < start:
            self.add_error("due_date", _("The due date is before the start date."))
        return data

    def content(self) -> dict[str, Any]:
        """The fields a service may change, without the ones this person could not edit."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields if not self.fields[name].disabled}


class MoveForm(UswdsFormMixin, forms.Form):
    parent = forms.ChoiceField(label=_("New place"), required=False)
    position = forms.IntegerField(
        label=_("Position among its new siblings"),
        min_value=1,
        required=False,
        help_text=_("1 puts it first. Leave empty to put it last."),
    )
    reason = ReasonField()

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = choices


class ArchiveForm(UswdsFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why is this item archived?"),
        widget=forms.Textarea,
        max_length=1000,
        help_text=_("Archived items stay in the public record with this reason."),
    )


class RestoreForm(UswdsFormMixin, forms.Form):
    reason = ReasonField()


class AdoptForm(UswdsFormMixin, forms.Form):
    adopted_on = forms.DateField(label=_("Date adopted"), widget=DateInput())
    meeting = forms.CharField(
        label=_("Council meeting"),
        max_length=200,
        help_text=_("For example: Regular City Council meeting of June 10, 2025."),
    )
    resolution = forms.CharField(label=_("Resolution number"), max_length=80)
    reason = forms.CharField(
        label=_("Reason for the amendment"),
        widget=forms.Textarea,
        required=False,
        max_length=2000,
        help_text=_("Required for an amendment (version 2 and later)."),
    )


class CompareForm(forms.Form):
    a = forms.CharField(required=False)
    b = forms.CharField(required=False)


class ImportForm(UswdsFormMixin, forms.Form):
    file = forms.FileField(
        label=_("Plan file"),
        help_text=_(
            "YAML, JSON or an Excel workbook (.xlsx) in the CivicPlan plan format, or a StratML file (.xml)."
        ),
    )
