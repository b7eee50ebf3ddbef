from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "caseload.planning"
    label = "planning"
    verbose_name = "Workforce planning"

    def ready(self) -> None:
        # The job kind registers itself on import; the navigation entry is added here.
        from caseload.planning import jobs, pages

        del jobs
        pages.contribute()
