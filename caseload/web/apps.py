from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "caseload.web"
    label = "web"
    verbose_name = "Pages"

    def ready(self) -> None:
        from caseload.web import navigation

        navigation.contribute()
