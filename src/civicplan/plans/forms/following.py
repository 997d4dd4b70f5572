"""The "Follow this goal" form: an e-mail address and nothing else."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from civicplan.core.forms import UswdsFormMixin


class FollowForm(UswdsFormMixin, forms.Form):
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        help_text=_("We will send you a link to confirm. We keep nothing else about you."),
        error_messages={
            "required": _("Enter your e-mail address."),
            "invalid": _("Enter an e-mail address such as name@example.com."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
