from django.apps import AppConfig


class ComplexityConfig(AppConfig):
    name = "caseload.complexity"
    label = "complexity"
    verbose_name = "Complexity tiers"

    def ready(self) -> None:
        from caseload.complexity import jobs, pages  # noqa: F401

        pages.contribute()
