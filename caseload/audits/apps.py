from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "caseload.audits"
    label = "audits"
    verbose_name = "Case file audits"

    def ready(self) -> None:
        from caseload.audits import pages, themes

        pages.contribute()
        themes.contribute()
