from django.apps import AppConfig


class SafeguardingConfig(AppConfig):
    name = "caseload.safeguarding"
    label = "safeguarding"
    verbose_name = "Safeguarding adults"

    def ready(self) -> None:
        # Importing notices registers the daily notice of overdue safeguarding work.
        from caseload.safeguarding import notices, pages  # noqa: F401

        pages.contribute()
