"""The two append-only logs: who viewed a person's record, and who changed the register."""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models


class AppendOnlyError(RuntimeError):
    pass


class AppendOnlyQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("This log is append-only")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("This log is append-only")


class AppendOnlyModel(models.Model):
    """Rows are added, never changed or removed: here, in the queryset, and, on PostgreSQL, by a
    trigger (migration 0002) for any other client."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        "register.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    case = models.ForeignKey(
        "register.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-at", "-id"]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("This log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("This log is append-only")


class AccessLogEntry(AppendOnlyModel):
    """One view of a record. Holds ids, not the record's content or search terms."""

    class Action(models.TextChoices):
        VIEW_PERSON = "view_person", "Viewed person"
        VIEW_CASE = "view_case", "Viewed case"
        SEARCH_PEOPLE = "search_people", "Searched people"

    action = models.CharField(max_length=24, choices=Action.choices)

    class Meta(AppendOnlyModel.Meta):
        verbose_name = "access log entry"
        verbose_name_plural = "access log"
        indexes = [models.Index(fields=["person", "at"], name="accesslog_person_at_idx")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} by user {self.user_id} at {self.at:%Y-%m-%d %H:%M}"


class ChangeEvent(AppendOnlyModel):
    """One change to the register, written by the action that made it, in its transaction."""

    action = models.CharField(max_length=40)
    detail = models.JSONField(default=dict, blank=True)

    class Meta(AppendOnlyModel.Meta):
        indexes = [models.Index(fields=["case", "at"], name="changeevent_case_at_idx")]

    def __str__(self) -> str:
        return f"{self.action} by user {self.user_id} at {self.at:%Y-%m-%d %H:%M}"
