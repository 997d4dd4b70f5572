"""Action plans: milestones, owners, contributors, dependencies and evidence links and files (validation only)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from civicplan.accounts.models import User
from civicplan.core.forms import DateInput, UswdsFormMixin
from civicplan.lib.uploads import check_evidence_file, size_text
from civicplan.plans.models import Milestone

__all__ = [
    "ActionPeopleForm",
    "DependencyForm",
    "EvidenceFileForm",
    "EvidenceLinkForm",
    "MilestoneArchiveForm",
    "MilestoneDoneForm",
    "MilestoneForm",
]


def _person_label(person: User) -> str:
    if person.department_id:
        return f"{person.display_name} ({person.department.localized('name')})"
    return person.display_name


class ActionPeopleForm(UswdsFormMixin, forms.Form):
    owner = forms.ModelChoiceField(
        label=_("Accountable owner"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("No one yet"),
        help_text=_("One person who answers for the action. They may work in another department."),
    )
    contributors = forms.ModelMultipleChoiceField(
        label=_("Contributors"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(
        label=_("Reason for this change (optional)"),
        required=False,
        max_length=500,
        help_text=_("Kept in the item's history, which is a public record."),
    )

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("owner", "contributors"):
            self.fields[name].queryset = people
            self.fields[name].label_from_instance = _person_label
        self.fields["contributors"].widget.attrs["class"] = "usa-checkbox__input"


class DependencyForm(UswdsFormMixin, forms.Form):
    code = forms.CharField(
        label=_("Code of the action this one waits on"),
        max_length=40,
        widget=forms.TextInput(attrs={"list": "dependency-codes", "autocomplete": "off"}),
        help_text=_("For example 2.1.3. It must be an action of the same plan."),
    )


class MilestoneForm(UswdsFormMixin, forms.ModelForm):
    reason = forms.CharField(label=_("Reason for this change (optional)"), required=False, max_length=500)

    class Meta:
        model = Milestone
        fields = ["title_en", "title_es", "due_on"]
        widgets = {
            "title_en": forms.TextInput(attrs={"lang": "en"}),
            "title_es": forms.TextInput(attrs={"lang": "es"}),
            "due_on": DateInput(attrs={"class": "usa-input cp-input--date"}),
        }
        help_texts = {"title_es": _("May wait while the plan is a draft.")}

    def content(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class MilestoneDoneForm(forms.Form):
    done_on = forms.DateField(label=_("Done on"), required=False, widget=DateInput())


class MilestoneArchiveForm(UswdsFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why is this milestone archived?"),
        widget=forms.Textarea,
        max_length=1000,
        help_text=_("Archived milestones stay in the record with this reason."),
    )


_WEB_ADDRESS = URLValidator(schemes=["http", "https"])


class EvidenceLinkForm(UswdsFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    url = forms.CharField(
        label=_("Web address (URL)"),
        max_length=500,
        help_text=_("Starts with https:// or http://, e.g. a staff report or a council agenda item."),
    )

    def clean_url(self) -> str:
        url = self.cleaned_data["url"].strip()
        message = _("Enter a web address that starts with http:// or https://.")
        if urlsplit(url).scheme.lower() not in {"http", "https"}:
            raise forms.ValidationError(message)
        try:
            _WEB_ADDRESS(url)
        except forms.ValidationError as error:
            raise forms.ValidationError(message) from error
        return url


EVIDENCE_ACCEPT = ".pdf,.png,.jpg,.jpeg,.gif,.webp,.docx,.xlsx,.pptx,.odt,.ods,.csv,.txt"


def _evidence_file_hint() -> str:
    return gettext(
        "PDF, images (PNG, JPEG, GIF, WebP), Word, Excel, PowerPoint, OpenDocument text or spreadsheet, CSV or "
        "plain text; at most %(limit)s. Staff can download it; it is not shown on the public site."
    ) % {"limit": size_text(settings.EVIDENCE_MAX_BYTES)}


EVIDENCE_FILE_HINT = lazy(_evidence_file_hint, str)()


def clean_evidence_upload(upload: UploadedFile | None) -> UploadedFile | None:
    """The same check the services make, early, so the form shows it beside the file input."""
    if upload:
        check_evidence_file(
            upload.name or "", upload, size=upload.size or 0, max_bytes=settings.EVIDENCE_MAX_BYTES
        )
    return upload


class EvidenceFileForm(UswdsFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(
        label=_("File"),
        max_length=255,
        allow_empty_file=True,  # refused with a plain message by `check_evidence_file`
        help_text=EVIDENCE_FILE_HINT,
        widget=forms.FileInput(attrs={"accept": EVIDENCE_ACCEPT}),
    )

    def clean_file(self) -> UploadedFile | None:
        return clean_evidence_upload(self.cleaned_data.get("file"))
