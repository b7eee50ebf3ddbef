from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "caseload.security"
    label = "security"
    verbose_name = "Sign-in security"
