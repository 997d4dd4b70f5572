from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import validate_password
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicplan.accounts.models import Department, LoginAttempt, Organization, Role, User
from civicplan.core.forms import UswdsFormMixin


class ThrottledLoginForm(UswdsFormMixin, AuthenticationForm):
    """At most LOGIN_ATTEMPTS_PER_WINDOW password checks per account name per window; then a plain message."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": _("Too many sign-in attempts for this account. Wait ten minutes and try again."),
    }

    def clean(self) -> dict[str, Any]:
        username = (self.cleaned_data.get("username") or "").strip().lower()
        if username:
            since = timezone.now() - timedelta(seconds=settings.LOGIN_ATTEMPT_WINDOW_SECONDS)
            recent = LoginAttempt.objects.filter(username=username, attempted_at__gte=since).count()
            if recent >= settings.LOGIN_ATTEMPTS_PER_WINDOW:
                raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
            LoginAttempt.objects.create(username=username, attempted_at=timezone.now())
        return super().clean()


class OrganizationForm(UswdsFormMixin, forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["name_en", "name_es", "fiscal_year_start_month"]

    def clean_fiscal_year_start_month(self) -> int:
        month = self.cleaned_data["fiscal_year_start_month"]
        if not 1 <= month <= 12:
            raise forms.ValidationError(_("Enter a month from 1 (January) to 12 (December)."))
        return month


class DepartmentForm(UswdsFormMixin, forms.ModelForm):
    class Meta:
        model = Department
        fields = ["code", "name_en", "name_es"]

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        self.organization = organization
        super().__init__(*args, **kwargs)

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        taken = Department.objects.filter(organization=self.organization, code=code).exclude(
            pk=self.instance.pk
        )
        if taken.exists():
            raise forms.ValidationError(_("Another department already uses this code."))
        return code


class PersonForm(UswdsFormMixin, forms.ModelForm):
    password = forms.CharField(
        label=_("New password"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("At least 10 characters, not a common password. Leave empty to keep the current one."),
    )

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "role", "department", "is_active"]

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(organization=organization)
        self.fields["department"].label_from_instance = lambda department: department.localized("name")
        self.fields["role"].required = True
        self.fields["email"].required = True

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("role") == Role.EDITOR and not data.get("department"):
            self.add_error("department", _("A department editor needs a department."))
        password = data.get("password")
        if password:
            try:
                validate_password(password, self.instance)
            except forms.ValidationError as error:
                self.add_error("password", error)
        elif self.instance.pk is None:
            self.add_error("password", _("Give the new account a first password."))
        return data
