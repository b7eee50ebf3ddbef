"""Loaded with the settings, before any model: so it names the audited admin site, in
admin_site.py, rather than importing it."""

from django.contrib.admin.apps import AdminConfig


class AuditedAdminConfig(AdminConfig):
    """Takes django.contrib.admin's place in INSTALLED_APPS, with the audited default site."""

    default_site = "caseload.audit.admin_site.AuditedAdminSite"
