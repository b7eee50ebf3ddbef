from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "caseload.learning"
    label = "learning"
    verbose_name = "Learning, feedback and the practice framework"

    def ready(self) -> None:
        from caseload.learning import notices, pages

        pages.contribute()
        del notices  # imported to register its daily job
