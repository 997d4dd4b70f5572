"""Whole-page caching for public pages, invalidated by `ContentGeneration` rather than by time."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import get_language

from civicplan.core.models import ContentGeneration


def cached_public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Cache anonymous GETs of a public page per language, path and content generation.
    Signed-in staff always get a fresh render (their header differs)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method != "GET" or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        # The date is part of the key: indicators fall to "no data" and milestones become overdue as days pass.
        today = timezone.localdate().isoformat()
        key = f"public:{ContentGeneration.current()}:{today}:{get_language()}:{request.get_full_path()}"
        cached = cache.get(key)
        if cached is not None:
            status, content, headers = cached
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response.headers[name] = value
            return response
        response = view(request, *args, **kwargs)
        if hasattr(response, "render"):
            response.render()
        if response.status_code == 200 and not response.cookies:
            keep = [(k, v) for k, v in response.headers.items() if k in {"Content-Type", "Content-Language"}]
            cache.set(key, (response.status_code, response.content, keep))
        return response

    return wrapper
