from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "caseload.supervision"
    label = "supervision"
    verbose_name = "Supervision"

    def ready(self) -> None:
        # Importing notices registers the daily notice of actions due.
        from caseload.supervision import compliance_pages, notices, pages  # noqa: F401

        pages.contribute()
        compliance_pages.contribute()
