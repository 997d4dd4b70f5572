"""Form helpers every module uses: USWDS classes and error wiring on every widget."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def _uswds(form: forms.BaseForm) -> None:
    """USWDS classes and error wiring, so templates can render any field the same way."""
    errors = form._errors or {}  # never `form.errors`: that would validate before __init__ has finished
    for name, field in form.fields.items():
        widget = field.widget
        css = {
            forms.Textarea: "usa-textarea",
            forms.Select: "usa-select",
            forms.CheckboxInput: "usa-checkbox__input",
            # Not USWDS's JavaScript file input: it replaces the label with untranslated English.
            forms.ClearableFileInput: "usa-input cp-file-input",
            forms.FileInput: "usa-input cp-file-input",
        }.get(type(widget), "usa-input")
        widget.attrs.setdefault("class", css)
        if isinstance(widget, forms.Textarea):
            widget.attrs.setdefault("rows", 3)
        if name in errors:
            widget.attrs["aria-invalid"] = "true"
            described_by = f"id_{form.add_prefix(name)}-error"
            if field.help_text:  # keep the hint announced alongside the error
                described_by += f" id_{form.add_prefix(name)}-hint"
            widget.attrs["aria-describedby"] = described_by
            if "usa-input--error" not in widget.attrs["class"]:
                widget.attrs["class"] += " usa-input--error"
        elif field.help_text:
            widget.attrs["aria-describedby"] = f"id_{form.add_prefix(name)}-hint"


class UswdsFormMixin:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _uswds(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        # Browsers send line breaks as CRLF; store LF so every export and comparison sees the same text.
        for name, value in data.items():
            if isinstance(value, str) and "\r" in value:
                data[name] = value.replace("\r\n", "\n").replace("\r", "\n")
        return data

    def full_clean(self) -> None:
        super().full_clean()
        _uswds(self)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def add_validation_error(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: field errors beside their fields, the rest at the top."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def read_upload(form: forms.BaseForm, field: str = "file") -> bytes | None:
    """The uploaded file's bytes, or None with an error on the form when it is over the import size limit
    (refused before it is read into memory)."""
    upload = form.cleaned_data[field]
    if upload.size > settings.IMPORT_MAX_BYTES:
        form.add_error(
            field,
            _("The file is too large (the limit is %(limit)s MB).")
            % {"limit": settings.IMPORT_MAX_BYTES // 1048576},
        )
        return None
    return bytes(upload.read())
