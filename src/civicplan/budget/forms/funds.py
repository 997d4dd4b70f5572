"""The fund form: a code as budget files write it, and the fund's name in English and Spanish."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _

from civicplan.accounts.models import Organization
from civicplan.budget.models import Fund
from civicplan.core.forms import UswdsFormMixin


class FundForm(UswdsFormMixin, forms.ModelForm):
    class Meta:
        model = Fund
        fields = ["code", "name_en", "name_es"]

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        self.organization = organization
        super().__init__(*args, **kwargs)

    def clean_code(self) -> str:
        """Said beside the field, before the service's own check: a second fund "100" would make every budget file
        that names fund 100 ambiguous."""
        code = str(self.cleaned_data.get("code", "")).strip()
        clash = Fund.objects.filter(organization=self.organization, code__iexact=code)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("Another fund already has the code %(code)s.") % {"code": code})
        return code

    def _post_clean(self) -> None:
        # The organization is not a form field: set it before the model's own validation runs.
        self.instance.organization = self.organization
        super()._post_clean()
