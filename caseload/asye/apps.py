from django.apps import AppConfig


class AsyeConfig(AppConfig):
    name = "caseload.asye"
    label = "asye"
    verbose_name = "ASYE programme"

    def ready(self) -> None:
        # Importing notices registers the daily notice as a kind of job.
        from caseload.asye import notices, pages  # noqa: F401

        pages.contribute()
