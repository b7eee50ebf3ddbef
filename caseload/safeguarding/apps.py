from django.apps import AppConfig


class SafeguardingConfig(AppConfig):
    name = "caseload.safeguarding"
    label = "safeguarding"
    verbose_name = "Safeguarding adults"
