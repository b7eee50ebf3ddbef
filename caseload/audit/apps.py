from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "caseload.audit"
    label = "audit"
    verbose_name = "Access log"
