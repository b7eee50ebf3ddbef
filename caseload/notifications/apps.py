from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "caseload.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        # Registers the daily notices as kinds of job, and the register's signals' receivers.
        from caseload.notifications import daily, referrals  # noqa: F401
