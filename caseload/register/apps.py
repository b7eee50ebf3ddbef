from django.apps import AppConfig


class RegisterConfig(AppConfig):
    name = "caseload.register"
    label = "register"
    verbose_name = "Register"

    def ready(self) -> None:
        from caseload.audit.presenters import use_directory

        # Registers the daily job that turns reviews falling due into work to allocate.
        from caseload.register import jobs, pages  # noqa: F401
        from caseload.register.directory import RegisterDirectory

        # Audit sits below the register: the register tells it how to name the ids it logs.
        use_directory(RegisterDirectory)
        pages.contribute()
