from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from caseload.accounts.models import AUDIT_LOG_READERS, AccessRole, User
from caseload.register.access import practitioner_for


def navigation(request: HttpRequest) -> dict[str, object]:
    """The service navigation for the signed-in user's role."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        return {"nav_items": []}
    items: list[tuple[str, str]] = []
    me = practitioner_for(user)
    if user.access_role == AccessRole.PRACTITIONER and me is not None:
        items.append(("My caseload", reverse("practitioner_detail", args=[me.pk])))
    if user.access_role in {AccessRole.PRACTITIONER, AccessRole.TEAM_MANAGER}:
        if me is not None and me.team_id is not None:
            if user.access_role == AccessRole.TEAM_MANAGER:
                items.append(("Team", reverse("team_detail", args=[me.team_id])))
            items.append(("Waiting list", reverse("team_waiting_list", args=[me.team_id])))
            if user.access_role == AccessRole.TEAM_MANAGER:
                items.append(("Allocation", reverse("allocation_meeting", args=[me.team_id])))
        items.append(("People", reverse("person_list")))
        items.append(("New referral", reverse("referral_new")))
    if user.is_oversight:
        items.append(("Teams", reverse("team_list")))
        items.append(("People", reverse("person_list")))
    items.append(("Complexity model", reverse("complexity_model")))
    if user.access_role in AUDIT_LOG_READERS:
        items.append(("Audit log", reverse("audit_change_log")))
    if user.access_role == AccessRole.ADMINISTRATOR:
        items.append(("Administration", reverse("admin:index")))
    # The deepest matching link is the current one: the waiting list sits under the team.
    matching = [url for _, url in items if request.path.startswith(url)]
    current = max(matching, key=len, default=None)
    return {
        "nav_items": [
            {"label": label, "url": url, "active": url == current} for label, url in items
        ]
    }
