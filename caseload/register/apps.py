from django.apps import AppConfig


class RegisterConfig(AppConfig):
    name = "caseload.register"
    label = "register"
    verbose_name = "Register"

    def ready(self) -> None:
        from caseload.register import pages

        pages.contribute()
