"""Email for a notification, sent by a worker rather than in the request that made it."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from caseload.notifications.models import Notification


@task()
def send_notification_email(notification_id: int) -> None:
    notification = (
        Notification.objects.select_related("recipient")
        .filter(pk=notification_id, emailed_at__isnull=True)
        .first()
    )
    if notification is None or not notification.recipient.email:
        return  # sent already (a queue may deliver twice), or nowhere to send it
    recipient = notification.recipient
    send_mail(
        subject=f"caseload: {notification.title}",
        message=render_to_string(
            "notifications/email.txt",
            {
                "notification": notification,
                "name": recipient.first_name or recipient.username,
                "url": settings.CASELOAD_BASE_URL
                + (notification.link or reverse("notification_list")),
            },
        ),
        from_email=None,
        recipient_list=[recipient.email],
    )
    Notification.objects.filter(pk=notification_id).update(emailed_at=timezone.now())
