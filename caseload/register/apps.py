from django.apps import AppConfig


class RegisterConfig(AppConfig):
    name = "caseload.register"
    label = "register"
    verbose_name = "Register"
