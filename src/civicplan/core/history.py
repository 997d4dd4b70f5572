"""Every change to a public-record row names who made it and why (django-simple-history reads these)."""

from __future__ import annotations

from typing import Any


def record_change(instance: Any, user: Any, reason: str = "") -> None:
    """Attach the author and reason to the history row the next save() writes."""
    instance._history_user = user
    instance._change_reason = reason or None


def apply_and_save(instance: Any, *, user: Any, data: dict[str, Any], reason: str = "") -> Any:
    """The common write: copy the fields, validate the row, record who and why, save."""
    for name, value in data.items():
        setattr(instance, name, value)
    instance.full_clean()
    record_change(instance, user, reason)
    instance.save()
    return instance
