from django.apps import AppConfig


class UiConfig(AppConfig):
    name = "caseload.ui"
    label = "ui"
    verbose_name = "GOV.UK Frontend forms and pages"
