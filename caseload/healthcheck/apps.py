from django.apps import AppConfig


class HealthcheckConfig(AppConfig):
    name = "caseload.healthcheck"
    label = "healthcheck"
    verbose_name = "Employer Standards Health Check"

    def ready(self) -> None:
        from caseload.healthcheck import pages

        pages.contribute()
