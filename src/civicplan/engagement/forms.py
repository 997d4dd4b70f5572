"""Forms of the engagement staff pages. Validation only: the services write."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicplan.core.forms import DateInput, UswdsFormMixin
from civicplan.engagement.answers import CHOICE_KINDS, QuestionKind, Segment
from civicplan.engagement.models import LANGUAGE_CHOICES, Activity, AgeBand, OutputKind, Question, Survey
from civicplan.engagement.services import parse_option_lines
from civicplan.engagement.services.activities import ACTIVITY_FIELDS
from civicplan.engagement.services.surveys import QUESTION_FIELDS, SURVEY_FIELDS

KIND_LABELS = {
    QuestionKind.SINGLE: gettext_lazy("Single choice"),
    QuestionKind.MULTIPLE: gettext_lazy("Multiple choice"),
    QuestionKind.RATING: gettext_lazy("Rating scale"),
    QuestionKind.MATRIX: gettext_lazy("Matrix (rows on one scale)"),
    QuestionKind.RANKING: gettext_lazy("Ranking (order these)"),
    QuestionKind.ALLOCATION: gettext_lazy("Budget allocation (spread points)"),
    QuestionKind.NUMBER: gettext_lazy("Number"),
    QuestionKind.SHORT_TEXT: gettext_lazy("Short text"),
    QuestionKind.LONG_TEXT: gettext_lazy("Long text"),
    QuestionKind.DISTRICT: gettext_lazy("ZIP code or district"),
}
SEGMENT_LABELS = {
    Segment.DISTRICT: gettext_lazy("District or ZIP code"),
    Segment.AGE_BAND: gettext_lazy("Age band"),
    Segment.YEARS_IN_CITY: gettext_lazy("Years in the city"),
    Segment.RELATIONSHIP: gettext_lazy("Resident, business owner or employee"),
    Segment.HOME_LANGUAGE: gettext_lazy("Language spoken at home"),
}


class SurveyForm(UswdsFormMixin, forms.ModelForm):
    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Survey
        fields = SURVEY_FIELDS
        widgets = {"intro_en": forms.Textarea, "intro_es": forms.Textarea}


class QuestionForm(UswdsFormMixin, forms.ModelForm):
    kind = forms.ChoiceField(label=gettext_lazy("Kind of question"), choices=list(KIND_LABELS.items()))
    segment = forms.ChoiceField(
        label=gettext_lazy("Demographic segment it feeds"),
        choices=[("", gettext_lazy("None")), *SEGMENT_LABELS.items()],
        required=False,
        help_text=gettext_lazy("Results can then be filtered by it."),
    )
    options_text = forms.CharField(
        label=gettext_lazy("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("One per line: English | Spanish (for example: Parks | Parques)."),
    )
    rows_text = forms.CharField(
        label=gettext_lazy("Matrix rows"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Matrix questions only. One per line: English | Spanish."),
    )
    show_if_question = forms.ModelChoiceField(
        queryset=Question.objects.none(),
        required=False,
        label=gettext_lazy("Show only when this earlier question…"),
    )
    show_if_values = forms.CharField(
        label=gettext_lazy("…has one of these answers"),
        required=False,
        help_text=gettext_lazy("Option codes, separated by commas (listed on the survey page)."),
    )

    class Meta:
        model = Question
        fields = [name for name in QUESTION_FIELDS if name not in ("kind", "segment")]

    def __init__(self, *args: Any, survey: Survey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        earlier = survey.questions.all()
        if self.instance.pk:
            earlier = earlier.filter(position__lt=self.instance.position)
            options = self.instance.options.all()
            self.initial.setdefault("options_text", _lines([o for o in options if not o.is_row]))
            self.initial.setdefault("rows_text", _lines([o for o in options if o.is_row]))
            self.initial.setdefault("show_if_values", ", ".join(self.instance.show_if_values or []))
        self.fields["show_if_question"].queryset = earlier
        self.fields["show_if_question"].label_from_instance = lambda q: f"{q.key}: {q.text_en[:60]}"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name in ("options_text", "rows_text"):
            try:
                data[name.replace("_text", "")] = parse_option_lines(data.get(name) or "")
            except ValidationError as error:
                self.add_error(name, error)
        kind = data.get("kind")
        if kind in CHOICE_KINDS and not data.get("options") and "options_text" not in self.errors:
            self.add_error("options_text", _("Give at least one option."))
        if kind == QuestionKind.MATRIX and not data.get("rows") and "rows_text" not in self.errors:
            self.add_error("rows_text", _("Give at least one row."))
        data["show_if_values"] = [
            v.strip() for v in (data.get("show_if_values") or "").split(",") if v.strip()
        ]
        if data.get("show_if_question") and not data["show_if_values"]:
            self.add_error("show_if_values", _("Say which answers show the question."))
        return data

    def question_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in QUESTION_FIELDS if name in self.cleaned_data}


def _lines(options: list[Any]) -> str:
    return "\n".join(f"{o.code} | {o.label_en} | {o.label_es}" for o in options)


class ActivityForm(UswdsFormMixin, forms.ModelForm):
    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Activity
        fields = ACTIVITY_FIELDS
        widgets = {
            "date": DateInput,
            "summary_en": forms.Textarea,
            "summary_es": forms.Textarea,
            "agenda": forms.Textarea,
            "notes": forms.Textarea,
        }

    def __init__(self, *args: Any, plan: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["survey"].queryset = Survey.objects.filter(plan=plan, archived_at__isnull=True)


class CommentCardForm(UswdsFormMixin, forms.Form):
    """Sized for speed: the text first, the rest optional and remembered from the card before."""

    text = forms.CharField(label=gettext_lazy("What the card says"), widget=forms.Textarea(attrs={"rows": 4}))
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=LANGUAGE_CHOICES, initial="en")
    topic = forms.CharField(label=gettext_lazy("Topic (optional)"), max_length=120, required=False)
    district = forms.CharField(
        label=gettext_lazy("ZIP code or district (optional)"), max_length=20, required=False
    )
    age_band = forms.ChoiceField(
        label=gettext_lazy("Age band (optional)"), choices=[("", "—"), *AgeBand.choices], required=False
    )


class SessionOutputForm(UswdsFormMixin, forms.Form):
    output_kind = forms.ChoiceField(label=gettext_lazy("Kind of output"), choices=OutputKind.choices)
    text = forms.CharField(label=gettext_lazy("Text"), widget=forms.Textarea(attrs={"rows": 3}))
    rank = forms.IntegerField(
        label=gettext_lazy("Rank (ranked priorities)"), required=False, min_value=1, max_value=99
    )


INVITE_LIST_MAX_BYTES = 2 * 1024 * 1024


def _list_cells(upload: Any) -> list[str]:
    """The cells of an uploaded address list (CSV or plain text, any delimiter) that hold an @: the other
    columns of a staff export (names, departments) and its header are left alone."""
    if upload.size > INVITE_LIST_MAX_BYTES:
        raise ValidationError(_("The file is larger than 2 MB. Split the list and upload it in parts."))
    raw = upload.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    cells = re.split(r"[,;\t\r\n]+", text)
    return [cell.strip().strip("\"'") for cell in cells if "@" in cell]


class InvitesForm(UswdsFormMixin, forms.Form):
    emails = forms.CharField(
        label=gettext_lazy("E-mail addresses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy(
            "One per line, or separated by commas or semicolons, as copied from a spreadsheet column."
        ),
    )
    address_list = forms.FileField(
        label=gettext_lazy("Or upload a list"),
        required=False,
        help_text=gettext_lazy(
            "A CSV or text file, such as an export from the staff directory: every cell with an e-mail "
            "address is used, the other columns are ignored. At most 2 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv,text/plain"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        raw = (data.get("emails") or "").replace(";", "\n").replace(",", "\n").split()
        if data.get("address_list"):
            try:
                raw += _list_cells(data["address_list"])
            except ValidationError as error:
                self.add_error("address_list", error)
                return data
        if not raw:
            self.add_error("emails", _("Type or paste the addresses, or upload a list."))
            return data
        addresses, bad = [], []
        validator = forms.EmailField()
        for item in raw:
            try:
                addresses.append(validator.clean(item.strip("<>\"'")))
            except ValidationError:
                bad.append(item)
        if bad:
            message = _("These are not e-mail addresses: %(list)s. Nothing was sent.")
            self.add_error("emails", message % {"list": ", ".join(bad[:10])})
            return data
        data["addresses"] = list(dict.fromkeys(address.lower() for address in addresses))
        return data


class KioskForm(UswdsFormMixin, forms.Form):
    name = forms.CharField(label=gettext_lazy("Name of this tablet"), max_length=120)
    activity = forms.ModelChoiceField(
        label=gettext_lazy("Event"), queryset=Activity.objects.none(), required=False
    )

    def __init__(self, *args: Any, plan: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = Activity.objects.filter(plan=plan, archived_at__isnull=True)


class ReasonForm(UswdsFormMixin, forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why"), max_length=500)
