"""Every URL x every role: allowed, or refused without a trace of the record in the page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from caseload.allocation.actions import Choice, decide, propose_for_meeting, propose_what_if
from caseload.allocation.jobs import start_proposal
from caseload.notifications.actions import notify
from caseload.notifications.models import NotificationKind
from tests.conftest import World, client_for

ALLOWED, FORBIDDEN, NOT_FOUND, REDIRECT = 200, 403, 404, 302
ROLES = (
    "practitioner",
    "team_manager",
    "other_team_manager",
    "principal_social_worker",
    "director",
    "administrator",
)
PUBLIC = {"login", "health", "logout"}


def _planned_handover(w: World) -> list[int]:
    """Mona has accepted that Priya's case passes to Colin in a week."""
    proposal = propose_what_if(
        by=w.mona,
        practitioner=w.priya_practitioner,
        away_from=timezone.localdate() + timedelta(days=7),
        reason="annual_leave",
    )
    decide(
        by=w.mona,
        proposal=proposal,
        choices=[
            Choice(
                case_id=w.case_held_by_priya.pk,
                accept=True,
                practitioner_id=w.colin_practitioner.pk,
            )
        ],
    )
    return [proposal.decision.handovers.get().pk]


def _notification_for_priya(w: World) -> list[int]:
    notification = notify(
        recipient=w.priya,
        kind=NotificationKind.NEW_ALLOCATION,
        title="1 case allocated to you",
        body=w.person_of_priya.full_name,
        link=reverse("practitioner_detail", args=[w.priya_practitioner.pk]),
    )
    assert notification is not None
    return [notification.pk]


def _row(*codes: int) -> dict[str, int]:
    return dict(zip(ROLES, codes, strict=True))


# (url name, how to build its arguments from the world, method, expected code per role,
#  a text that must not appear in a refused page)
Case = tuple[str, Callable[[World], list[int]], str, dict[str, int], Callable[[World], str]]
NOTHING: Callable[[World], str] = lambda w: ""  # noqa: E731


MATRIX: list[Case] = [
    ("home", lambda w: [], "get", _row(302, 302, 302, 302, 302, 200), NOTHING),
    ("team_list", lambda w: [], "get", _row(200, 200, 200, 200, 200, 403), NOTHING),
    (
        "team_detail",
        lambda w: [w.team_north.pk],
        "get",
        # A practitioner is sent on to the waiting list: colleagues' caseloads are not theirs.
        _row(302, 200, 404, 200, 200, 404),
        lambda w: w.colin_practitioner.family_name,
    ),
    (
        "team_waiting_list",
        lambda w: [w.team_north.pk],
        "get",
        _row(200, 200, 404, 200, 200, 404),
        lambda w: w.case_waiting_north.person.family_name,
    ),
    (
        "team_waiting_list",
        lambda w: [w.team_south.pk],
        "get",
        _row(404, 404, 200, 200, 200, 404),
        lambda w: w.case_waiting_south.person.family_name,
    ),
    (
        "practitioner_detail",
        lambda w: [w.priya_practitioner.pk],
        "get",
        _row(200, 200, 404, 200, 200, 404),
        lambda w: w.person_of_priya.family_name,
    ),
    (
        "practitioner_detail",
        lambda w: [w.colin_practitioner.pk],
        "get",
        _row(404, 200, 404, 200, 200, 404),
        lambda w: w.case_held_by_colin.person.family_name,
    ),
    ("person_list", lambda w: [], "get", _row(200, 200, 200, 200, 200, 403), NOTHING),
    (
        "person_detail",
        lambda w: [w.person_of_priya.pk],
        "get",
        _row(200, 200, 404, 200, 200, 404),
        lambda w: w.person_of_priya.family_name,
    ),
    (
        "person_detail",
        lambda w: [w.case_held_by_colin.person.pk],
        "get",
        _row(404, 200, 404, 200, 200, 404),
        lambda w: w.case_held_by_colin.person.family_name,
    ),
    (
        "person_detail",
        lambda w: [w.case_closed_north.person.pk],
        "get",
        # Priya once held this case; the relationship ended when it closed.
        _row(404, 200, 404, 200, 200, 404),
        lambda w: w.case_closed_north.person.family_name,
    ),
    (
        "case_detail",
        lambda w: [w.case_held_by_priya.pk],
        "get",
        _row(200, 200, 404, 200, 200, 404),
        lambda w: w.person_of_priya.family_name,
    ),
    (
        "case_detail",
        lambda w: [w.case_waiting_south.pk],
        "get",
        _row(404, 404, 200, 200, 200, 404),
        lambda w: w.case_waiting_south.person.family_name,
    ),
    (
        "case_close",
        lambda w: [w.case_held_by_priya.pk],
        "get",
        _row(200, 200, 404, 403, 403, 404),
        lambda w: w.person_of_priya.family_name,
    ),
    (
        "case_close",
        lambda w: [w.case_held_by_colin.pk],
        "get",
        _row(404, 200, 404, 403, 403, 404),
        lambda w: w.case_held_by_colin.person.family_name,
    ),
    (
        "case_screen",
        lambda w: [w.case_waiting_south.pk],
        "post",
        _row(404, 404, 302, 403, 403, 404),
        lambda w: w.case_waiting_south.person.family_name,
    ),
    ("referral_new", lambda w: [], "get", _row(200, 200, 200, 403, 403, 403), NOTHING),
    (
        "person_referral_new",
        lambda w: [w.person_of_priya.pk],
        "get",
        _row(200, 200, 404, 403, 403, 403),
        lambda w: w.person_of_priya.family_name,
    ),
    (
        "case_score",
        lambda w: [w.case_held_by_priya.pk],
        "get",
        _row(200, 200, 404, 403, 403, 403),
        lambda w: w.person_of_priya.family_name,
    ),
    (
        "case_score",
        lambda w: [w.case_held_by_colin.pk],
        "get",
        _row(404, 200, 404, 403, 403, 403),
        lambda w: w.case_held_by_colin.person.family_name,
    ),
    (
        "case_score_preview",
        lambda w: [w.case_held_by_priya.pk],
        "post",
        _row(200, 200, 404, 403, 403, 403),
        lambda w: w.person_of_priya.family_name,
    ),
    (
        "case_rescore",
        lambda w: [w.case_held_by_priya.pk],
        "post",
        _row(302, 302, 404, 403, 403, 403),
        lambda w: w.person_of_priya.family_name,
    ),
    (
        "assessment_override",
        lambda w: [w.assessment_of_priyas_case.pk],
        "get",
        _row(403, 200, 404, 403, 403, 403),
        lambda w: w.person_of_priya.family_name,
    ),
    ("complexity_model", lambda w: [], "get", _row(200, 200, 200, 200, 200, 200), NOTHING),
    (
        "complexity_model_version",
        lambda w: [1],
        "get",
        _row(200, 200, 200, 200, 200, 200),
        NOTHING,
    ),
    ("complexity_model_edit", lambda w: [], "get", _row(403, 403, 403, 200, 403, 200), NOTHING),
    (
        "case_priority",
        lambda w: [w.case_held_by_priya.pk],
        "post",
        _row(302, 302, 404, 403, 403, 404),
        lambda w: w.person_of_priya.family_name,
    ),
    (
        "allocation_meeting",
        lambda w: [w.team_north.pk],
        "get",
        _row(403, 200, 404, 403, 403, 403),
        lambda w: w.case_waiting_north.person.family_name,
    ),
    (
        "allocation_propose",
        lambda w: [w.team_north.pk],
        "post",
        _row(403, 302, 404, 403, 403, 403),
        NOTHING,
    ),
    (
        "allocation_proposal",
        lambda w: [propose_for_meeting(by=w.mona, team=w.team_north).pk],
        "get",
        _row(403, 200, 404, 200, 200, 403),
        NOTHING,
    ),
    (
        "allocation_what_if",
        lambda w: [w.priya_practitioner.pk],
        "get",
        _row(403, 200, 404, 403, 403, 403),
        NOTHING,
    ),
    (
        "handover_cancel",
        _planned_handover,
        "get",
        _row(403, 200, 404, 403, 403, 403),
        lambda w: w.person_of_priya.family_name,
    ),
    (
        "handover_now",
        _planned_handover,
        "post",
        _row(403, 302, 404, 403, 403, 403),
        lambda w: w.person_of_priya.family_name,
    ),
    (
        "case_history",
        lambda w: [w.case_held_by_priya.pk],
        "get",
        _row(200, 200, 404, 200, 200, 404),
        lambda w: w.person_of_priya.family_name,
    ),
    (
        "case_history",
        lambda w: [w.case_waiting_south.pk],
        "get",
        _row(404, 404, 200, 200, 200, 404),
        lambda w: w.case_waiting_south.person.family_name,
    ),
    (
        "person_history",
        lambda w: [w.case_held_by_colin.person.pk],
        "get",
        _row(404, 200, 404, 200, 200, 404),
        lambda w: w.case_held_by_colin.person.family_name,
    ),
    (
        "practitioner_history",
        lambda w: [w.colin_practitioner.pk],
        "get",
        _row(404, 200, 404, 200, 200, 404),
        lambda w: w.colin_practitioner.family_name,
    ),
    # The audit logs: the principal social worker and the administrator; "not found" to others.
    ("audit_change_log", lambda w: [], "get", _row(404, 404, 404, 200, 404, 200), NOTHING),
    ("audit_change_log", lambda w: [], "post", _row(404, 404, 404, 200, 404, 200), NOTHING),
    ("audit_change_log_export", lambda w: [], "post", _row(404, 404, 404, 200, 404, 200), NOTHING),
    ("audit_access_log", lambda w: [], "get", _row(404, 404, 404, 200, 404, 200), NOTHING),
    ("audit_access_log_export", lambda w: [], "post", _row(404, 404, 404, 200, 404, 200), NOTHING),
    (
        "job_detail",
        # Only whoever started a job sees it.
        lambda w: [start_proposal(by=w.mona, team=w.team_north).pk],
        "get",
        _row(404, 200, 404, 404, 404, 404),
        lambda w: "Allocation proposal for",
    ),
    ("notification_list", lambda w: [], "get", _row(200, 200, 200, 200, 200, 200), NOTHING),
    (
        "notification_read",
        _notification_for_priya,
        "post",
        _row(302, 404, 404, 404, 404, 404),
        lambda w: w.person_of_priya.family_name,
    ),
    ("notification_read_all", lambda w: [], "post", _row(302, 302, 302, 302, 302, 302), NOTHING),
    # The second sign-in step: a session past it (or a role without it) is sent on.
    ("two_factor_verify", lambda w: [], "get", _row(302, 302, 302, 302, 302, 302), NOTHING),
    ("two_factor_setup", lambda w: [], "get", _row(302, 302, 302, 302, 302, 302), NOTHING),
    # Council sign-in is off unless configured (tests/web/test_oidc.py switches it on).
    (
        "oidc_authentication_init",
        lambda w: [],
        "get",
        _row(404, 404, 404, 404, 404, 404),
        NOTHING,
    ),
    (
        "oidc_authentication_callback",
        lambda w: [],
        "get",
        _row(404, 404, 404, 404, 404, 404),
        NOTHING,
    ),
    ("admin:index", lambda w: [], "get", _row(302, 302, 302, 302, 302, 200), NOTHING),
    (
        "/admin/register/person/",
        lambda w: [],
        "get",
        # People are not in the admin at all: no role reaches them there.
        _row(302, 302, 302, 302, 302, 404),
        NOTHING,
    ),
]


def _named_routes(patterns: list[URLPattern | URLResolver] | None = None) -> set[str]:
    """Every named URL, in included URL lists too (the admin's own, namespaced, aside)."""
    names: set[str] = set()
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLPattern) and pattern.name:
            names.add(pattern.name)
        elif isinstance(pattern, URLResolver) and pattern.namespace is None:
            names |= _named_routes(pattern.url_patterns)
    return names


def test_matrix_covers_every_named_url() -> None:
    covered = {name for name, *_ in MATRIX}
    assert _named_routes() - PUBLIC - covered == set()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("name", "args", "method", "expected", "secret"),
    MATRIX,
    ids=[f"{name}-{i}" for i, (name, *_) in enumerate(MATRIX)],
)
def test_permission(
    world: World,
    role: str,
    name: str,
    args: Callable[[World], list[int]],
    method: str,
    expected: dict[str, int],
    secret: Callable[[World], str],
) -> None:
    user = world.by_role()[role]
    url = name if name.startswith("/") else reverse(name, args=args(world))
    response = getattr(client_for(user), method)(url)
    assert response.status_code == expected[role], f"{role} {method.upper()} {url}"
    hidden = secret(world)
    if response.status_code in (FORBIDDEN, NOT_FOUND) and hidden:
        assert hidden not in response.content.decode()


@pytest.mark.parametrize("name", ["home", "team_list", "person_list", "referral_new"])
def test_anonymous_users_are_sent_to_sign_in(client: Client, name: str) -> None:
    response = client.get(reverse(name))
    assert response.status_code == REDIRECT
    assert response["Location"].startswith(reverse("login"))


def test_anonymous_user_cannot_reach_a_record(client: Client, world: World) -> None:
    response = client.get(reverse("person_detail", args=[world.person_of_priya.pk]), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("login"))
    assert world.person_of_priya.family_name not in response.content.decode()
