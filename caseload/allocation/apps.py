from django.apps import AppConfig


class AllocationConfig(AppConfig):
    name = "caseload.allocation"
    label = "allocation"
    verbose_name = "Allocation meeting"
