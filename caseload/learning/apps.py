from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "caseload.learning"
    label = "learning"
    verbose_name = "Learning, feedback and the practice framework"

    def ready(self) -> None:
        # Importing notices registers the daily notice of recommendations due.
        from caseload.learning import notices, pages  # noqa: F401

        pages.contribute()
