from django.apps import AppConfig


class AnnualReportConfig(AppConfig):
    name = "caseload.annualreport"
    label = "annualreport"
    verbose_name = "The principal social worker's annual report"

    def ready(self) -> None:
        from caseload.annualreport import pages

        pages.contribute()
