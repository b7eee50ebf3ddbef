"""The roles' permissions, pinned: what oversight may not do, how team scope works, and that
the documentation is the table the code holds."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.template import Context, Template
from django.urls import reverse

from caseload.accounts import permissions
from caseload.accounts.models import User
from caseload.accounts.permissions import (
    ROLES,
    AccessRole,
    Permission,
    has_permission,
    markdown,
    roles_with,
)
from caseload.allocation.actions import propose_for_meeting
from caseload.complexity.actions import override_tier, publish_model_version
from caseload.complexity.models import ModelVersion
from caseload.register.actions import record_referral_for_new_person, set_priority
from caseload.web.errors import ActionRefused
from tests.conftest import World, client_for
from tests.factories import UserFactory
from tests.web.test_actions import person_details, request_details

P = Permission
CHANGES = (
    P.RECORD_REFERRAL,
    P.UPDATE_CASE,
    P.SCORE_CASE,
    P.OVERRIDE_TIER,
    P.MANAGE_TEAM_ALLOCATION,
)
SEEING_RECORDS = (P.VIEW_TEAM, P.VIEW_TEAM_CASELOADS, P.VIEW_OWN_CASELOAD)


@pytest.mark.parametrize("who", ["pat", "dee"])
def test_oversight_sees_every_team_and_changes_nothing(world: World, who: str) -> None:
    user = getattr(world, who)
    for team in (world.team_north, world.team_south):
        assert has_permission(user, P.VIEW_TEAM_CASELOADS, team=team)
        assert has_permission(user, P.VIEW_ALLOCATION_PROPOSALS, team=team)
    assert [p for p in CHANGES if has_permission(user, p)] == []


def test_a_manager_manages_only_their_own_team(world: World) -> None:
    assert has_permission(world.mona, P.MANAGE_TEAM_ALLOCATION, team=world.team_north)
    assert has_permission(world.mona, P.MANAGE_TEAM_ALLOCATION, team=world.team_north.pk)
    assert not has_permission(world.mona, P.MANAGE_TEAM_ALLOCATION, team=world.team_south)
    assert has_permission(world.max, P.OVERRIDE_TIER, team=world.team_south)
    assert not has_permission(world.max, P.OVERRIDE_TIER, team=world.team_north)
    # Without a team: whether they hold it in some team (a view's first question).
    assert has_permission(world.max, P.MANAGE_TEAM_ALLOCATION)


def test_a_practitioner_works_cases_but_does_not_manage(world: World) -> None:
    assert has_permission(world.priya, P.UPDATE_CASE, team=world.team_north)
    assert not has_permission(world.priya, P.UPDATE_CASE, team=world.team_south)
    assert not has_permission(world.priya, P.VIEW_TEAM_CASELOADS)
    assert not has_permission(world.priya, P.OVERRIDE_TIER)
    assert not has_permission(world.priya, P.MANAGE_TEAM_ALLOCATION)


@pytest.mark.django_db
def test_a_manager_without_a_team_holds_no_team_permission() -> None:
    manager = UserFactory.create(access_role=AccessRole.TEAM_MANAGER)
    assert not has_permission(manager, P.VIEW_TEAM)
    assert not has_permission(manager, P.MANAGE_TEAM_ALLOCATION)
    assert has_permission(manager, P.VIEW_COMPLEXITY_MODEL)


def test_inactive_and_anonymous_users_hold_nothing(world: World) -> None:
    world.pat.is_active = False
    assert [p for p in Permission if has_permission(world.pat, p)] == []
    assert [p for p in Permission if has_permission(AnonymousUser(), p)] == []


def test_the_administrator_sees_no_ones_records(world: World) -> None:
    assert [p for p in (*SEEING_RECORDS, P.SEARCH_PEOPLE) if has_permission(world.ada, p)] == []
    assert has_permission(world.ada, P.ADMINISTER)


def test_audit_permissions() -> None:
    assert roles_with(P.VIEW_AUDIT_LOG) == ["principal_social_worker", "administrator"]
    assert roles_with(P.EXPORT_AUDIT_LOG) == ["principal_social_worker", "administrator"]
    # A record's change history: for whoever may see the record, in the same scope.
    for role, definition in ROLES.items():
        grants = definition.grants()
        seen = [grants[p] for p in (P.VIEW_TEAM, P.VIEW_TEAM_CASELOADS) if p in grants]
        assert grants.get(P.VIEW_CHANGE_HISTORY) == (seen[0] if seen else None), role


def test_only_roles_that_administer_are_staff() -> None:
    assert roles_with(P.ADMINISTER) == ["administrator"]


def test_every_role_is_defined_and_each_grant_means_something() -> None:
    partial = {role: ROLES[role] for role in list(AccessRole)[1:]}
    with pytest.raises(ImproperlyConfigured, match="without a definition"):
        permissions._check(partial)
    bad = dict(ROLES)
    bad[AccessRole.DIRECTOR] = permissions._role("Misconfigured", every_team=[P.ADMINISTER])
    with pytest.raises(ImproperlyConfigured, match="not about a team"):
        permissions._check(bad)
    bad[AccessRole.DIRECTOR] = permissions._role("Misconfigured", unscoped=[P.VIEW_TEAM])
    with pytest.raises(ImproperlyConfigured, match="without a scope"):
        permissions._check(bad)


def test_the_documented_table_is_the_code() -> None:
    documented = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"
    assert documented.read_text(encoding="utf-8") == markdown()


def test_templates_ask_through_the_can_filter(world: World) -> None:
    template = Template('{% load caseload_web %}{% if user|can:"override_tier" %}yes{% endif %}')
    assert template.render(Context({"user": world.mona})) == "yes"
    assert template.render(Context({"user": world.pat})) == ""


@pytest.mark.parametrize(
    ("who", "labels"),
    [
        (
            "priya",
            [
                "My caseload",
                "Waiting list",
                "Workload",
                "People",
                "Supervision",
                "Demand",
                "Workload survey",
                "New referral",
                "Safeguarding",
                "Case file audits",
                "Learning",
                "Practice framework",
                "Complexity model",
            ],
        ),
        (
            "mona",
            [
                "Team",
                "Waiting list",
                "Allocation",
                "Workload",
                "Overrides",
                "People",
                "Supervision",
                "Resource",
                "Demand",
                "New referral",
                "Safeguarding",
                "Case file audits",
                "Audit results",
                "ASYE",
                "Sign-off",
                "Learning",
                "Feedback",
                "Practice framework",
                "Complexity model",
            ],
        ),
        (
            "pat",
            [
                "Teams",
                "Workload",
                "Overrides",
                "People",
                "Supervision",
                "Supervision compliance",
                "Resource",
                "Demand",
                "Health Check",
                "Workforce planning",
                "Safeguarding",
                "Safeguarding return",
                "Safeguarding quality",
                "Case file audits",
                "Audit results",
                "ASYE",
                "Escalations",
                "Learning",
                "Feedback",
                "Practice framework",
                "Complexity model",
                "Annual report",
                "Audit log",
            ],
        ),
        (
            "dee",
            [
                "Teams",
                "Workload",
                "Overrides",
                "People",
                "Supervision compliance",
                "Resource",
                "Demand",
                "Health Check",
                "Workforce planning",
                "Audit results",
                "Sign-off",
                "Escalations",
                "Learning",
                "Practice framework",
                "Complexity model",
                "Annual report",
            ],
        ),
        ("ada", ["Complexity model", "Audit log", "Administration"]),
        (
            "sally",
            ["Safeguarding", "Safeguarding return", "Safeguarding quality", "Complexity model"],
        ),
    ],
)
def test_navigation_follows_permissions(world: World, who: str, labels: list[str]) -> None:
    response = client_for(getattr(world, who)).get(reverse("complexity_model"))
    assert [item["label"] for item in response.context["nav_items"]] == labels


# Each change, made in Older People North, and the permission it needs there.
ACTIONS: dict[str, tuple[Permission, Callable[[World, User], object]]] = {
    "record_referral": (
        P.RECORD_REFERRAL,
        lambda w, by: record_referral_for_new_person(
            by=by, person=person_details(), request=request_details(w)
        ),
    ),
    "set_priority": (
        P.UPDATE_CASE,
        lambda w, by: set_priority(by=by, case=w.case_waiting_north, priority=1),
    ),
    "override_tier": (
        P.OVERRIDE_TIER,
        lambda w, by: override_tier(
            by=by, assessment=w.assessment_of_priyas_case, tier=1, reason="Known to be stable"
        ),
    ),
    "propose_for_meeting": (
        P.MANAGE_TEAM_ALLOCATION,
        lambda w, by: propose_for_meeting(by=by, team=w.team_north),
    ),
    "publish_model_version": (
        P.EDIT_COMPLEXITY_MODEL,
        lambda w, by: publish_model_version(
            by=by,
            definition=ModelVersion.current().definition.replace("points: 8", "points: 9"),
            change_note="Tier 3 heavier",
        ),
    ),
}


@pytest.mark.parametrize(
    "role",
    [
        "practitioner",
        "team_manager",
        "other_team_manager",
        "principal_social_worker",
        "director",
        "administrator",
        "safeguarding_lead",
    ],
)
@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_actions_refuse_whoever_lacks_the_permission(world: World, action: str, role: str) -> None:
    """Refused in the action itself, whatever page (or none) it is called from."""
    permission, change = ACTIONS[action]
    user = world.by_role()[role]
    if has_permission(user, permission, team=world.team_north):
        assert change(world, user) is not None
    else:
        with pytest.raises(ActionRefused):
            change(world, user)
