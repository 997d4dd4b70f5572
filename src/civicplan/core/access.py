"""The two checks every staff page makes: signed in with a role (`signed_in_with`), and allowed to act on this
object (`require`). Every module's views use these, so a page never forgets one."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

View = Callable[..., HttpResponse]


def signed_in_with(permission: str) -> Callable[[View], View]:
    """A view decorator: anonymous people go to the sign-in page (and come back), signed-in people without
    `permission` get 403. Object permissions are then checked inside the view with `require`."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.has_perm(permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def require(request: HttpRequest, permission: str, obj: Any = None) -> None:
    """403 unless the signed-in person holds `permission` on `obj`."""
    if not request.user.has_perm(permission, obj):
        raise PermissionDenied
