from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBase

from caseload.accounts.permissions import Permission, has_permission
from caseload.web.requests import AuthedRequest

View = Callable[..., HttpResponseBase]
REQUIRED = "required_permission"


def require_permission(permission: Permission) -> Callable[[View], View]:
    """Refuse (403) users who hold the permission nowhere: their role has no business with the
    page at all. Whether they hold it for this record's team is the view's next question,
    once it has fetched the record through the app's access check."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: AuthedRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not has_permission(request.user, permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        # Read by required_permission(): the permission matrix test derives from it.
        setattr(wrapped, REQUIRED, permission)
        return wrapped

    return decorate


def required_permission(view: Callable[..., Any]) -> Permission | None:
    """The permission a view was decorated with (functools.wraps carries it through the other
    decorators)."""
    permission: Permission | None = getattr(view, REQUIRED, None)
    return permission
