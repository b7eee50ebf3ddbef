"""Learning's navigation entries."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse

from caseload.accounts.models import User
from caseload.accounts.permissions import Permission
from caseload.web.navigation import NavEntry, register_nav


def _link(name: str) -> Callable[[User], str | None]:
    return lambda user: reverse(name)


def contribute() -> None:
    for label, order, permission, name in (
        # Learning: the briefs, and from there incidents, reviews and the figures.
        ("Learning", 770, Permission.READ_LEARNING_BRIEFS, "learning_briefs"),
        ("Feedback", 780, Permission.RECORD_FEEDBACK, "learning_feedback"),
        ("Practice framework", 790, Permission.VIEW_PRACTICE_FRAMEWORK, "learning_framework"),
    ):
        register_nav(NavEntry(label, order, permission, _link(name)))
