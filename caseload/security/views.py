from __future__ import annotations

from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from caseload.accounts.models import User
from caseload.security.forms import CodeForm
from caseload.security.middleware import second_factor_exempt
from caseload.security.two_factor import (
    authenticator_for,
    check_code,
    confirm_authenticator,
    is_locked,
    pending_authenticator,
    readable_secret,
    recovery_codes_left,
    requires_second_factor,
    second_factor_done,
)

WRONG_CODE = "The code is not right. Check it and try again"


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(name: str, request: HttpRequest) -> str:
    return f"{reverse(name)}?{urlencode({'next': _next_url(request)})}"


def _locked(request: HttpRequest) -> HttpResponse:
    logout(request)
    return render(request, "security/locked.html", status=429)


def _signed_in(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):  # LoginRequiredMiddleware lets no one else this far
        raise PermissionDenied
    return user


@second_factor_exempt
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The second sign-in step: a code from the authenticator app, or a recovery code."""
    user = _signed_in(request)
    if not requires_second_factor(user) or second_factor_done(request):
        return HttpResponseRedirect(_next_url(request))
    if is_locked(user):
        return _locked(request)
    if authenticator_for(user) is None:
        return HttpResponseRedirect(_with_next("two_factor_setup", request))
    form = CodeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        device = check_code(user=user, code=form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            # A new session id for the now fully signed-in session.
            request.session.cycle_key()
            if isinstance(device, StaticDevice):
                left = recovery_codes_left(user)
                messages.warning(
                    request,
                    f"You used a recovery code. You have {left} left: each works once.",
                )
            return HttpResponseRedirect(_next_url(request))
        if is_locked(user):
            return _locked(request)
        form.add_error("code", WRONG_CODE)
    return render(
        request,
        "security/verify.html",
        {"form": form, "next": _next_url(request), "nav_items": []},
    )


@second_factor_exempt
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    """First sign-in of a role that needs a second step: set up an authenticator app."""
    user = _signed_in(request)
    if not requires_second_factor(user):
        return HttpResponseRedirect(_next_url(request))
    if authenticator_for(user) is not None:
        return HttpResponseRedirect(_with_next("two_factor_verify", request))
    device = pending_authenticator(user)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        codes = confirm_authenticator(user=user, device=device, code=form.cleaned_data["code"])
        if codes is not None:
            otp_login(request, device)
            request.session.cycle_key()
            # Shown in this response only: the codes are never displayed again.
            return render(
                request,
                "security/recovery_codes.html",
                {"codes": codes, "next": _next_url(request), "nav_items": []},
            )
        form.add_error("code", WRONG_CODE)
    # Drawn here as SVG markup: no image service, no script, nothing for the CSP to allow.
    qr_svg = segno.make(device.config_url, error="m").svg_inline(
        scale=5, border=4, dark="#0b0c0c", light="#ffffff", omitsize=False
    )
    return render(
        request,
        "security/setup.html",
        {
            "form": form,
            "next": _next_url(request),
            "secret": readable_secret(device),
            "qr_svg": mark_safe(qr_svg),  # noqa: S308 - segno's own markup from our own data
            "nav_items": [],
        },
    )
