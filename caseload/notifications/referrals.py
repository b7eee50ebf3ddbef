"""Telling a person's other teams that a request for support has joined another team to
their record (register.actions.known_person_referred)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.urls import reverse

from caseload.accounts.models import User
from caseload.accounts.permissions import Permission, roles_with
from caseload.notifications.actions import notify
from caseload.notifications.models import NotificationKind
from caseload.register.actions import known_person_referred
from caseload.register.models import Case


@receiver(known_person_referred)
def tell_other_teams_managers(
    sender: type[Case], *, case: Case, by: User, known_to_team_ids: list[int], **_: Any
) -> None:
    managers = User.objects.filter(
        is_active=True,
        access_role__in=roles_with(Permission.MANAGE_TEAM_ALLOCATION),
        practitioner__team_id__in=known_to_team_ids,
    ).exclude(pk=by.pk)
    for manager in managers:
        notify(
            recipient=manager,
            kind=NotificationKind.KNOWN_PERSON_REFERRED,
            # Emailed: names no one supported.
            title="A request for support for someone your team knows",
            body=f"{by.get_full_name()} recorded a request for {case.team.name} for "
            f"{case.person.full_name}. Their reason is on the person's page.",
            link=reverse("person_detail", args=[case.person_id]),
        )
