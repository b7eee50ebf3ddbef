"""Two-factor sign-in: who needs it, whether this session has it, and the steps that change it.

A password alone is not enough for the roles that see every team or run the service: team
managers, the principal social worker, directors and administrators confirm each sign-in with a
code from an authenticator app (TOTP), or with one of ten single-use recovery codes.
"""

from __future__ import annotations

import logging
from base64 import b32encode

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from caseload.accounts.models import AccessRole, User
from caseload.security.models import WrongCodes

logger = logging.getLogger(__name__)

SECOND_FACTOR_ROLES = frozenset(
    {
        AccessRole.TEAM_MANAGER,
        AccessRole.PRINCIPAL_SOCIAL_WORKER,
        AccessRole.DIRECTOR,
        AccessRole.ADMINISTRATOR,
    }
)
RECOVERY_CODE_COUNT = 10
# Set after a council sign-in whose provider says it did multi-factor authentication; holds the
# user's id, so that it can never vouch for anyone else signing in later in the same browser.
IDP_MFA_SESSION_KEY = "caseload_idp_mfa_user"


def requires_second_factor(user: object) -> bool:
    return (
        settings.CASELOAD_REQUIRE_2FA
        and isinstance(user, User)
        and user.is_authenticated
        and user.access_role in SECOND_FACTOR_ROLES
    )


def second_factor_done(request: HttpRequest) -> bool:
    user = request.user
    # OTPMiddleware gives every user is_verified(): true once a device accepted a code here.
    if getattr(user, "is_verified", lambda: False)():
        return True
    return user.pk is not None and request.session.get(IDP_MFA_SESSION_KEY) == user.pk


def second_factor_missing(request: HttpRequest) -> bool:
    return requires_second_factor(request.user) and not second_factor_done(request)


def authenticator_for(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_authenticator(user: User) -> TOTPDevice:
    """The not yet confirmed device being set up: the same secret until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def readable_secret(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand."""
    text = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def normalise_code(raw: str) -> str:
    return "".join(raw.split()).replace("-", "").lower()


def recovery_codes_left(user: User) -> int:
    return int(StaticToken.objects.filter(device__user=user, device__confirmed=True).count())


def is_locked(user: User) -> bool:
    return WrongCodes.objects.filter(
        user=user,
        count__gte=settings.AXES_FAILURE_LIMIT,
        last_at__gt=timezone.now() - settings.AXES_COOLOFF_TIME,
    ).exists()


@transaction.atomic
def check_code(*, user: User, code: str) -> Device | None:
    """The device that accepts the code (a used recovery code is deleted), or None. Wrong codes
    in a row are counted: at the limit the code step is locked for the cool-off time."""
    now = timezone.now()
    wrong, _ = WrongCodes.objects.select_for_update().get_or_create(
        user=user, defaults={"last_at": now}
    )
    if wrong.last_at <= now - settings.AXES_COOLOFF_TIME:
        wrong.count = 0
    if wrong.count >= settings.AXES_FAILURE_LIMIT:
        return None
    device: Device | None
    if code.isascii() and code.isdigit():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
    else:
        device = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
    if device is not None and device.verify_token(code):
        wrong.count = 0
        wrong.save(update_fields=["count"])
        logger.info("Second sign-in step passed by user %s with %s", user.pk, device.name)
        return device
    wrong.count += 1
    wrong.last_at = now
    wrong.save(update_fields=["count", "last_at"])
    logger.warning("Wrong sign-in code %s in a row for user %s", wrong.count, user.pk)
    return None


@transaction.atomic
def confirm_authenticator(*, user: User, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm a new authenticator app with its first code and issue fresh recovery codes, shown
    once. None if the code is wrong."""
    if device.user_id != user.pk or device.confirmed or not device.verify_token(code):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    StaticDevice.objects.filter(user=user).delete()
    recovery = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=recovery, token=code) for code in codes)
    logger.info("Authenticator app set up by user %s", user.pk)
    return codes
