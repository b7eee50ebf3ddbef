from django.apps import AppConfig


class SacReportConfig(AppConfig):
    name = "caseload.sacreport"
    label = "sacreport"
    verbose_name = "Safeguarding Adults Collection and safeguarding quality"

    def ready(self) -> None:
        from caseload.sacreport import pages

        pages.contribute()
