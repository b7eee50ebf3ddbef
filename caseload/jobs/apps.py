from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "caseload.jobs"
    label = "jobs"
    verbose_name = "Background jobs"
