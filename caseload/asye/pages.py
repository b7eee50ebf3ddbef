"""What the ASYE app shows elsewhere: the development time and programme on the practitioner's
page, and its navigation entry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from caseload.accounts.models import User
from caseload.accounts.permissions import Permission, has_permission
from caseload.asye.access import programmes_visible_to
from caseload.asye.models import Programme, ProgrammeStatus
from caseload.audit import log
from caseload.complexity.models import ModelVersion
from caseload.register.models import Practitioner
from caseload.web.navigation import NavEntry, register_nav
from caseload.web.panels import Panel, register_panel
from caseload_engine import asye
from caseload_engine.reference import Role


@dataclass(frozen=True)
class DevelopmentTime:
    """An ASYE's share of a worker's caseload capacity and the rest, protected for
    development: from the complexity model in force, whose capacity policy allocation uses."""

    caseload_percent: int
    development_percent: int


def development_time() -> DevelopmentTime:
    share = ModelVersion.current().model.capacity.role_share.get(Role.ASYE.value, 1)
    caseload = round(share * 100)
    return DevelopmentTime(caseload_percent=caseload, development_percent=100 - caseload)


def practitioner_asye(request: HttpRequest, *, practitioner: Practitioner) -> dict[str, Any] | None:
    """The ASYE's programme, for whoever may see it; the development time for every ASYE."""
    if practitioner.role != Role.ASYE or not isinstance(request.user, User):
        return None
    programme = (
        programmes_visible_to(request.user)
        .filter(practitioner=practitioner)
        .select_related("assessor")
        .prefetch_related("reviews")
        .order_by("-starts_on", "-pk")
        .first()
    )
    upcoming = None
    if programme is not None:
        log.record_asye_programme_viewed(
            request.user, practitioner_id=practitioner.pk, team_id=practitioner.team_id
        )
        if programme.is_active:
            upcoming = asye.next_review(programme.schedule(timezone.localdate()))
    may_start = (programme is None or not programme.is_active) and has_permission(
        request.user, Permission.MANAGE_ASYE_PROGRAMMES, team=practitioner.team_id or 0
    )
    return {
        "programme": programme,
        "upcoming": upcoming,
        "development": development_time(),
        "may_start": may_start,
    }


def assessed_by_me(request: HttpRequest, *, practitioner: Practitioner) -> dict[str, Any] | None:
    """On the assessor's own page: the ASYEs they assess, with each one's next review."""
    user = request.user
    if not isinstance(user, User) or practitioner.user_id != user.pk:
        return None
    programmes = list(
        Programme.objects.filter(assessor=user, status=ProgrammeStatus.ACTIVE)
        .select_related("practitioner")
        .prefetch_related("reviews")
        .order_by("practitioner__family_name", "practitioner__given_name", "pk")
    )
    if not programmes:
        return None
    today = timezone.localdate()
    return {
        "assessed": [(p, asye.next_review(p.schedule(today))) for p in programmes],
    }


def _list_url(user: User) -> str:
    return reverse("asye_list")


def contribute() -> None:
    register_panel(
        "practitioner_detail", Panel("asye", "asye/_practitioner_asye.html", practitioner_asye, 50)
    )
    register_panel(
        "practitioner_detail",
        Panel("asye_assessed", "asye/_assessed_by_me.html", assessed_by_me, 51),
    )
    register_nav(NavEntry("ASYE", 740, Permission.VIEW_ASYE_PROGRAMMES, _list_url))
