from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "caseload.audit"
    label = "audit"
    verbose_name = "Access log"

    def ready(self) -> None:
        from caseload.audit import pages

        pages.contribute()
