from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicplan.accounts.models import LoginAttempt


class ThrottledLoginForm(AuthenticationForm):
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
