from django.apps import AppConfig


class WorkloadConfig(AppConfig):
    name = "caseload.workload"
    label = "workload"
    verbose_name = "Workload"

    def ready(self) -> None:
        # Importing daily registers the daily snapshot and escalation run.
        from caseload.workload import daily, pages  # noqa: F401

        pages.contribute()
