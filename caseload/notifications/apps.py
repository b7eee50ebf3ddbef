from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "caseload.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        # Registers the daily notices as kinds of job.
        from caseload.notifications import daily  # noqa: F401
