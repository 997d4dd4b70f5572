from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import translate_url

from civicplan.core.registry import staff_menu


def site(request: HttpRequest) -> dict[str, Any]:
    """The header's language switch (same page in the other language) and the staff menu."""
    path = request.get_full_path()
    return {
        "other_language_urls": {code: translate_url(path, code) for code in ("en", "es")},
        "staff_menu": [
            entry
            for entry in (staff_menu() if request.user.is_authenticated else [])
            if not entry.permission or request.user.has_perm(entry.permission)
        ],
        "is_staff_area": "/staff/" in request.path or "/accounts/" in request.path,
    }
