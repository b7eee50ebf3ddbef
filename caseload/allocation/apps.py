from django.apps import AppConfig


class AllocationConfig(AppConfig):
    name = "caseload.allocation"
    label = "allocation"
    verbose_name = "Allocation meeting"

    def ready(self) -> None:
        # Importing jobs registers allocation's kinds of background job.
        from caseload.allocation import jobs, pages  # noqa: F401

        pages.contribute()
