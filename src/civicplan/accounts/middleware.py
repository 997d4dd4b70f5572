"""Staff sessions end after 30 minutes idle (SESSION_IDLE_SECONDS); the absolute limit is SESSION_COOKIE_AGE."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

_KEY = "last_seen"


class SessionLifetimeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Only touch the session when a cookie exists: anonymous public pages stay query-free.
        if settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(_KEY, now)
            if now - last_seen > settings.SESSION_IDLE_SECONDS:
                logout(request)
            elif now - last_seen > 60:  # write at most once a minute
                request.session[_KEY] = now
            else:
                request.session.setdefault(_KEY, now)
        return self.get_response(request)
