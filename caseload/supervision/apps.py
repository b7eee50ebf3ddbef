from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "caseload.supervision"
    label = "supervision"
    verbose_name = "Supervision"

    def ready(self) -> None:
        from caseload.supervision import compliance_pages

        compliance_pages.contribute()
