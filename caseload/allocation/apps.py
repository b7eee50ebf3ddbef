from django.apps import AppConfig


class AllocationConfig(AppConfig):
    name = "caseload.allocation"
    label = "allocation"
    verbose_name = "Allocation meeting"

    def ready(self) -> None:
        from caseload.allocation import pages

        pages.contribute()
