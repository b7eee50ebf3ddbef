from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class SecurityConfig(AppConfig):
    name = "caseload.security"
    label = "security"
    verbose_name = "Sign-in security"


class VerifiedAdminConfig(admin_apps.AdminConfig):
    """The Django admin, on a site that also asks for the second sign-in step."""

    default = False  # named in INSTALLED_APPS in place of django.contrib.admin
    default_site = "caseload.security.admin_site.VerifiedAdminSite"
