"""Sending notifications, and a user marking theirs read. Other apps call `notify` only."""

from __future__ import annotations

import logging
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone

from caseload.accounts.models import User
from caseload.notifications.access import notifications_for
from caseload.notifications.models import Notification, NotificationKind
from caseload.notifications.tasks import send_notification_email

logger = logging.getLogger(__name__)


@transaction.atomic
def notify(
    *,
    recipient: User,
    kind: NotificationKind,
    title: str,
    body: str,
    link: str,
    email: bool = True,
    once: str = "",
) -> Notification | None:
    """Tell a user something, in the app and (if they have an address) by email, which a task
    sends once this transaction commits. The title is emailed, so it must name nobody the
    service supports; the body stays in the app. With `once`, a recipient gets the notice for
    that key only once: None if they already have."""
    if link and (not link.startswith("/") or link.startswith("//")):
        raise ValueError(f"A notification links to a path within the site, not {link!r}")
    if not recipient.is_active:
        return None
    if once and Notification.objects.filter(recipient=recipient, once_key=once).exists():
        return None
    try:
        # A savepoint: a concurrent run that sent the same notice just now loses quietly.
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient,
                kind=kind,
                title=title[:200],
                body=body,
                link=link,
                once_key=once,
            )
    except IntegrityError:
        if once:
            return None
        raise
    if email and recipient.email:
        transaction.on_commit(partial(_queue_email, notification.pk))
    return notification


def _queue_email(notification_id: int) -> None:
    try:
        send_notification_email.enqueue(notification_id)
    except Exception:
        # The notice is in the app already; a lost email is logged, not the user's problem.
        logger.exception("Email for notification %s could not be queued", notification_id)


@transaction.atomic
def mark_read(*, by: User, notification: Notification) -> None:
    notifications_for(by).filter(pk=notification.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def mark_all_read(*, by: User) -> int:
    """Every unread notification of the user's, read now. How many there were."""
    return notifications_for(by).filter(read_at__isnull=True).update(read_at=timezone.now())
