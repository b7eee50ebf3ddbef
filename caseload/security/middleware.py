from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.views import LogoutView
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from caseload.security.two_factor import second_factor_missing

View = Callable[..., HttpResponseBase]


def second_factor_exempt(view: View) -> View:
    """Marks a view of the second sign-in step itself, reachable before that step is done."""
    view.second_factor_exempt = True  # type: ignore[attr-defined]
    return view


def _exempt(view: View) -> bool:
    if getattr(view, "second_factor_exempt", False):
        return True
    # Pages open to anyone (sign-in, health) stay open; signing out is always possible.
    if getattr(view, "login_required", True) is False:
        return True
    view_class = getattr(view, "view_class", None)
    return isinstance(view_class, type) and issubclass(view_class, LogoutView)


class SecondFactorMiddleware:
    """Until a user whose role needs it has given a code, every page but the sign-in steps sends
    them to the code page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: View, args: Any, kwargs: Any
    ) -> HttpResponseBase | None:
        if _exempt(view) or not second_factor_missing(request):
            return None
        url = reverse("two_factor_verify")
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(url)
        return HttpResponseRedirect(url)


class PermissionsPolicyMiddleware:
    """Switches off browser features the service never uses, for its pages and anything framed."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = ", ".join(f"{feature}=()" for feature in settings.CASELOAD_PERMISSIONS_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.policy)
        return response
