"""Who may see a notification: its recipient only. Anyone else gets "not found"."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from caseload.accounts.models import User
from caseload.notifications.models import Notification


def notifications_for(user: User) -> QuerySet[Notification]:
    if not user.is_authenticated or not user.is_active:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user)


def unread_count(user: User) -> int:
    return notifications_for(user).filter(read_at__isnull=True).count()


def get_notification_for_user(user: User, pk: int) -> Notification:
    try:
        return notifications_for(user).get(pk=pk)
    except Notification.DoesNotExist:
        raise Http404("No such notification") from None
