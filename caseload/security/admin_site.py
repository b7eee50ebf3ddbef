from __future__ import annotations

from django.contrib.admin import AdminSite
from django.http import HttpRequest

from caseload.security.two_factor import second_factor_missing


class VerifiedAdminSite(AdminSite):
    """The middleware already sends an unverified session to the code page; the admin checks
    again itself, so that no change to the middleware list can open it with a password alone."""

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and not second_factor_missing(request)
