"""Forms of the insight staff pages. Validation only: the services write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from civicplan.core.forms import UswdsFormMixin
from civicplan.insights.models import LinkRelation, Theme
from civicplan.plans.models import Level, PlanItem


def _item_choices(plan: Any, levels: tuple[str, ...] | None = None) -> list[tuple[str, str]]:
    items = PlanItem.objects.filter(plan=plan, archived_at__isnull=True).order_by("code")
    if levels:
        items = items.filter(level__in=levels)
    labels = dict(Level.choices)
    return [(str(i.pk), f"{i.code} {i.localized('title')} ({labels[i.level]})") for i in items]


class ThemeChoiceField(forms.ModelChoiceField):
    """Themes named in the reader's language (the model's str is the English name)."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.localized("name"))


class ThemeForm(UswdsFormMixin, forms.ModelForm):
    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Theme
        fields = ("name_en", "name_es", "description_en", "description_es", "keywords", "parent")
        widgets = {
            "description_en": forms.Textarea(attrs={"rows": 2}),
            "description_es": forms.Textarea(attrs={"rows": 2}),
            "keywords": forms.Textarea(attrs={"rows": 2}),
        }
        field_classes = {"parent": ThemeChoiceField}

    def __init__(self, *args: Any, plan: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        others = Theme.objects.filter(plan=plan, archived_at__isnull=True)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = others


class CodeForm(UswdsFormMixin, forms.Form):
    theme = ThemeChoiceField(label=gettext_lazy("Theme"), queryset=Theme.objects.none())
    evidence = forms.TypedMultipleChoiceField(coerce=int, widget=forms.MultipleHiddenInput, choices=())

    def __init__(self, *args: Any, plan: Any, evidence_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = Theme.objects.filter(plan=plan, archived_at__isnull=True)
        self.fields["theme"].error_messages["required"] = gettext_lazy(
            "Choose the theme to code the ticked comments to."
        )
        self.fields["evidence"].choices = [(str(pk), str(pk)) for pk in evidence_ids]
        self.fields["evidence"].error_messages["required"] = gettext_lazy(
            "Tick at least one comment to code."
        )


class LinkForm(UswdsFormMixin, forms.Form):
    item = forms.TypedChoiceField(label=gettext_lazy("Plan element"), coerce=int)
    relation = forms.ChoiceField(
        label=gettext_lazy("Relation"),
        choices=[
            (LinkRelation.ADDRESSED_BY, gettext_lazy("This element addresses the theme")),
            (LinkRelation.OUT_OF_SCOPE, gettext_lazy("Out of the plan's scope (give the reason)")),
        ],
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), required=False, max_length=500)

    def __init__(self, *args: Any, plan: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = _item_choices(plan)


class EvidenceLinkForm(LinkForm):
    relation = forms.ChoiceField(
        label=gettext_lazy("Relation"),
        choices=[
            (LinkRelation.SUPPORTS, gettext_lazy("This input supports the element")),
            (LinkRelation.OUT_OF_SCOPE, gettext_lazy("Out of the plan's scope (give the reason)")),
        ],
    )


class DraftForm(UswdsFormMixin, forms.Form):
    parent = forms.TypedChoiceField(
        label=gettext_lazy("Under"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=gettext_lazy(
            "Leave empty for a new priority; choose a priority for a goal, a goal for a strategy."
        ),
    )
    title_en = forms.CharField(label=gettext_lazy("Title (English)"), max_length=300)
    title_es = forms.CharField(label=gettext_lazy("Title (Spanish)"), max_length=300, required=False)
    description_en = forms.CharField(
        label=gettext_lazy("Description (English)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    description_es = forms.CharField(
        label=gettext_lazy("Description (Spanish)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, plan: Any, theme: Theme | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = _item_choices(plan, (Level.PRIORITY, Level.GOAL, Level.STRATEGY))
        self.fields["parent"].choices = [("", gettext_lazy("(a new priority)")), *choices]
        if theme is not None and not self.is_bound:
            # Most drafts from a theme are a goal under the priority the theme is already linked to (or the
            # first priority); the title starts as the theme's name.
            linked = theme.links.filter(archived_at__isnull=True, item__level=Level.PRIORITY).first()
            self.initial.setdefault(
                "parent", linked.item_id if linked else (choices[0][0] if choices else "")
            )
            self.initial.setdefault("title_en", theme.name_en)
            self.initial.setdefault("title_es", theme.name_es)


class MergeForm(UswdsFormMixin, forms.Form):
    target = ThemeChoiceField(label=gettext_lazy("Merge into"), queryset=Theme.objects.none())

    def __init__(self, *args: Any, theme: Theme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = Theme.objects.filter(
            plan=theme.plan, archived_at__isnull=True
        ).exclude(pk=theme.pk)


class CandidateForm(UswdsFormMixin, forms.Form):
    name_en = forms.CharField(label=gettext_lazy("Name (English)"), max_length=120)
    name_es = forms.CharField(label=gettext_lazy("Name (Spanish)"), max_length=120)
    words = forms.CharField(widget=forms.HiddenInput)
