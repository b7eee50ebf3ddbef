"""Sign-in through the council's identity provider (OpenID Connect, e.g. Entra ID).

Off unless CASELOAD_OIDC_ENABLED. The provider says who someone is; caseload still decides what
they may do: a sign-in is matched to an existing, active user by one claim, and never creates
one. A provider that reports multi-factor authentication (an `amr` claim holding "mfa", RFC 8176)
counts as the second sign-in step when CASELOAD_OIDC_TRUST_MFA is on; otherwise roles that need
it still give a code from their authenticator app.
"""

from __future__ import annotations

import logging
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from caseload.accounts.models import User
from caseload.security.two_factor import IDP_MFA_SESSION_KEY

logger = logging.getLogger(__name__)

REFUSED = (
    "Signing in with your council account did not work. Try again, or sign in with your "
    "caseload username and password"
)


def _claim(claims: dict[str, Any]) -> str | None:
    value = claims.get(settings.CASELOAD_OIDC_CLAIM)
    return value.strip() if isinstance(value, str) and value.strip() else None


class CouncilOIDCBackend(OIDCAuthenticationBackend):  # type: ignore[misc]
    """mozilla-django-oidc's code flow, matching existing users only and checking the id token's
    audience and issuer as well as its signature, expiry and nonce."""

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        return _claim(claims) is not None

    def filter_users_by_claims(self, claims: dict[str, Any]) -> QuerySet[User]:
        value = _claim(claims)
        if value is None:
            return User.objects.none()
        if settings.CASELOAD_OIDC_MATCH_FIELD == "email":
            return User.objects.filter(email__iexact=value, is_active=True)
        return User.objects.filter(username=value, is_active=True)

    def create_user(self, claims: dict[str, Any]) -> User:
        # Not reached (OIDC_CREATE_USER is off); here so that no setting can turn it on.
        raise SuspiciousOperation("caseload never creates users from a council sign-in")

    def _verify_jws(self, payload: str, key: Any) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.CASELOAD_OIDC_ISSUER,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise SuspiciousOperation(f"id token refused: {exc.__class__.__name__}") from exc
        return claims

    def get_or_create_user(
        self, access_token: str, id_token: str, payload: dict[str, Any]
    ) -> User | None:
        user: User | None = super().get_or_create_user(access_token, id_token, payload)
        if user is not None:
            amr = payload.get("amr")
            self.request.caseload_idp_mfa = (
                settings.CASELOAD_OIDC_TRUST_MFA and isinstance(amr, list) and "mfa" in amr
            )
        return user

    def get_user(self, user_id: int) -> User | None:
        # As the password backend: an account switched off ends its sessions too.
        user = ModelBackend().get_user(user_id)
        return user if isinstance(user, User) else None


def _enabled() -> None:
    if not settings.CASELOAD_OIDC_ENABLED:
        raise Http404


@method_decorator(login_not_required, name="dispatch")
class CouncilSignInView(OIDCAuthenticationRequestView):  # type: ignore[misc]
    """Sends the browser to the provider, with state, nonce and a PKCE challenge."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        _enabled()
        response: HttpResponseBase = super().dispatch(request, *args, **kwargs)
        return response


@method_decorator(login_not_required, name="dispatch")
class CouncilCallbackView(OIDCAuthenticationCallbackView):  # type: ignore[misc]
    """Where the provider sends the browser back. Anything wrong with the answer (state, nonce,
    signature, the provider unreachable, no such user) ends on the sign-in page, never a 500."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        _enabled()
        try:
            response: HttpResponseBase = super().dispatch(request, *args, **kwargs)
        except SuspiciousOperation as exc:
            logger.warning("Council sign-in refused: %s", exc)
            return self.login_failure()
        except (requests.RequestException, ValueError, KeyError) as exc:
            # The provider unreachable, or answering with something that is not OIDC.
            logger.warning("Council sign-in failed: %s", exc.__class__.__name__)
            return self.login_failure()
        return response

    def login_failure(self) -> HttpResponse:
        messages.error(self.request, REFUSED)
        return HttpResponseRedirect(reverse("login"))

    def login_success(self) -> HttpResponse:
        response: HttpResponse = super().login_success()
        if getattr(self.request, "caseload_idp_mfa", False):
            # Set after auth.login, which would carry any earlier value into the new session.
            self.request.session[IDP_MFA_SESSION_KEY] = self.user.pk
        return response
