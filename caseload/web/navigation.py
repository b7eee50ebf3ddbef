"""The service navigation: entries the apps register, shown to whoever may use them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse

from caseload.accounts.models import User
from caseload.accounts.permissions import Permission, has_permission


@dataclass(frozen=True)
class NavEntry:
    label: str
    order: int
    permission: Permission
    url: Callable[[User], str | None]  # None: nothing to link to for this user
    # Home sends the user to the first start page they have.
    start: bool = False


_ENTRIES: dict[str, NavEntry] = {}


def register_nav(entry: NavEntry) -> None:
    _ENTRIES[entry.label] = entry


def entries_for(user: User) -> list[tuple[NavEntry, str]]:
    shown = []
    for entry in sorted(_ENTRIES.values(), key=lambda e: e.order):
        if not has_permission(user, entry.permission):
            continue
        url = entry.url(user)
        if url is not None:
            shown.append((entry, url))
    return shown


def start_page(user: User) -> str | None:
    return next((url for entry, url in entries_for(user) if entry.start), None)


def navigation(request: HttpRequest) -> dict[str, object]:
    """Context processor: the service navigation for the signed-in user."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        return {"nav_items": []}
    items = [(entry.label, url) for entry, url in entries_for(user)]
    # The deepest matching link is the current one: the waiting list sits under the team.
    matching = [url for _, url in items if request.path.startswith(url)]
    current = max(matching, key=len, default=None)
    return {
        "nav_items": [
            {"label": label, "url": url, "active": url == current} for label, url in items
        ]
    }


def contribute() -> None:
    register_nav(
        NavEntry("Administration", 900, Permission.ADMINISTER, lambda user: reverse("admin:index"))
    )
