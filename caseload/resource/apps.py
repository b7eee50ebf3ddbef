from django.apps import AppConfig


class ResourceConfig(AppConfig):
    name = "caseload.resource"
    label = "resource"
    verbose_name = "Resource"

    def ready(self) -> None:
        from caseload.resource import pages

        pages.contribute()
