"""Reporting periods and progress updates: what is owed, submitted, reviewed and published. Validation only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from civicplan.core.forms import DateInput, UswdsFormMixin
from civicplan.plans.models import ReportingPeriod, Status

from .action_plans import EVIDENCE_ACCEPT, EVIDENCE_FILE_HINT, clean_evidence_upload

__all__ = ["ApproveUpdateForm", "PeriodForm", "ReviewSettingForm", "SendBackForm", "UpdateForm"]


class PeriodForm(UswdsFormMixin, forms.ModelForm):
    class Meta:
        model = ReportingPeriod
        fields = ["name_en", "name_es", "starts_on", "ends_on", "opens_on", "due_on"]
        widgets = {name: DateInput() for name in ["starts_on", "ends_on", "opens_on", "due_on"]}
        help_texts = {
            "opens_on": _("Owners can submit from this day."),
            "due_on": _("Updates handed in after this day are late."),
        }


class ReviewSettingForm(UswdsFormMixin, forms.Form):
    updates_need_review = forms.BooleanField(
        label=_("Progress updates need my approval before they are published"), required=False
    )
    lock_version = forms.IntegerField(widget=forms.HiddenInput)


class UpdateForm(UswdsFormMixin, forms.Form):
    """One card of "My updates". Every field is optional here: a draft may be half-written; submitting asks the
    service for a status, a % and the English narrative."""

    status = forms.ChoiceField(label=_("Status"), required=False)
    progress = forms.DecimalField(
        label=_("% complete"), min_value=0, max_value=100, decimal_places=1, max_digits=5, required=False
    )
    narrative_en = forms.CharField(
        label=_("What happened this period (English)"),
        widget=forms.Textarea(attrs={"lang": "en", "rows": 4}),
        required=False,
        max_length=4000,
    )
    narrative_es = forms.CharField(
        label=_("What happened this period (Spanish)"),
        help_text=_("May be added later; the update is published once it is in."),
        widget=forms.Textarea(attrs={"lang": "es", "rows": 4}),
        required=False,
        max_length=4000,
    )
    evidence_title = forms.CharField(label=_("Evidence: title (optional)"), max_length=200, required=False)
    evidence_url = forms.URLField(
        label=_("Evidence: address (optional)"),
        help_text=_("A staff report, council item or photo album that shows the work."),
        max_length=500,
        required=False,
        assume_scheme="https",
    )
    evidence_file = forms.FileField(
        label=_("Evidence: file (optional)"),
        help_text=EVIDENCE_FILE_HINT,
        max_length=255,
        required=False,
        allow_empty_file=True,  # refused with a plain message by `clean_evidence_upload`
        widget=forms.FileInput(attrs={"accept": EVIDENCE_ACCEPT}),
    )
    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, statuses: list[Status], **kwargs: Any) -> None:
        """`statuses`: the plan's vocabulary, read once for every card on the page."""
        super().__init__(*args, **kwargs)
        self._statuses = {str(s.pk): s for s in statuses}
        self.fields["status"].choices = [("", _("Choose a status"))] + [
            (str(s.pk), s.localized("name")) for s in statuses
        ]
        self.fields["progress"].widget.attrs.update({"inputmode": "decimal"})

    def clean_evidence_file(self) -> UploadedFile | None:
        return clean_evidence_upload(self.cleaned_data.get("evidence_file"))

    def clean_status(self) -> Status | None:
        value = self.cleaned_data.get("status") or ""
        return self._statuses.get(value) if value else None

    def content(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data.get(name)
            for name in (
                "status",
                "progress",
                "narrative_en",
                "narrative_es",
                "evidence_title",
                "evidence_url",
                "evidence_file",
            )
        }


class ApproveUpdateForm(UswdsFormMixin, forms.Form):
    narrative_es = forms.CharField(
        label=_("Narrative in Spanish (published with the update)"),
        widget=forms.Textarea(attrs={"lang": "es", "rows": 3}),
        required=False,
        max_length=4000,
    )
    lock_version = forms.IntegerField(widget=forms.HiddenInput)


class SendBackForm(UswdsFormMixin, forms.Form):
    comment = forms.CharField(
        label=_("What should change"),
        help_text=_("The owner sees this comment on their update."),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )
    lock_version = forms.IntegerField(widget=forms.HiddenInput)
