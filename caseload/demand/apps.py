from django.apps import AppConfig


class DemandConfig(AppConfig):
    name = "caseload.demand"
    label = "demand"
    verbose_name = "Demand"

    def ready(self) -> None:
        # Importing jobs registers the forecast's kind of job.
        from caseload.demand import jobs, pages  # noqa: F401

        pages.contribute()
