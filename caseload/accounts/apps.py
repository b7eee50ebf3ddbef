from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "caseload.accounts"
    label = "accounts"
    verbose_name = "Users and roles"
