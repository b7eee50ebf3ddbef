from __future__ import annotations

from django import template

from caseload.accounts.models import User
from caseload.notifications.access import unread_count

register = template.Library()


@register.simple_tag
def unread_notifications(user: User) -> int:
    """How many of the user's notifications are unread: one query, on every signed-in page."""
    return unread_count(user) if isinstance(user, User) else 0
