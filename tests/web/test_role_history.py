"""A practitioner's roles over time (issue 11): changed by the register's action, with its audit
record, in the admin; seeded from the start in post for practitioners already in post; and
supervision compliance and due dates by the role held on each day, not today's."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from caseload.accounts.models import User
from caseload.audit.models import ChangeAction, ChangeEvent
from caseload.register.actions import change_role
from caseload.register.models import Practitioner, PractitionerRoleChange
from caseload.supervision import compliance
from caseload.supervision.models import Session, SessionKind
from caseload.supervision.policies import standing_of
from caseload.web.errors import ActionRefused
from tests.conftest import World, client_for
from tests.factories import PractitionerFactory
from tests.migrations import Migrator

ON = date(2026, 12, 1)


@pytest.fixture(autouse=True)
def _on_the_first_of_december() -> Iterator[None]:
    noon = datetime(2026, 12, 1, 12, tzinfo=ZoneInfo("Europe/London"))
    with time_machine.travel(noon, tick=False):
        yield


def held(practitioner: Practitioner, supervisor: User, on: date) -> None:
    Session.objects.create(
        supervisee=practitioner,
        supervisor=supervisor,
        held_on=on,
        minutes=90,
        kind=SessionKind.ONE_TO_ONE,
        created_at=datetime(on.year, on.month, on.day, 17, tzinfo=UTC),
        created_by=supervisor,
    )


def _history(practitioner: Practitioner) -> list[tuple[date, str]]:
    return list(
        practitioner.role_changes.order_by("effective_from").values_list("effective_from", "role")
    )


def test_a_change_keeps_the_history_and_is_recorded(world: World) -> None:
    priya = world.priya_practitioner
    change_role(
        by=world.ada, practitioner=priya, role="experienced", effective_from=date(2026, 6, 1)
    )
    priya.refresh_from_db()
    assert priya.role == "experienced"
    # The role held until then is kept from the start in post.
    assert _history(priya) == [
        (priya.start_date, "social_worker"),
        (date(2026, 6, 1), "experienced"),
    ]
    change = priya.role_changes.get(effective_from=date(2026, 6, 1))
    assert change.changed_by == world.ada
    event = ChangeEvent.objects.get(action=ChangeAction.PRACTITIONER_ROLE_CHANGED)
    assert (event.user_id, event.practitioner_id, event.team_id) == (
        world.ada.pk,
        priya.pk,
        world.team_north.pk,
    )
    assert event.changes == {"role": ["social_worker", "experienced"]}
    assert event.detail == {"effective_from": "2026-06-01"}


def test_a_change_before_a_later_one_leaves_todays_role(world: World) -> None:
    priya = world.priya_practitioner
    change_role(by=world.ada, practitioner=priya, role="advanced", effective_from=date(2026, 9, 1))
    change_role(
        by=world.ada, practitioner=priya, role="experienced", effective_from=date(2025, 9, 1)
    )
    priya.refresh_from_db()
    assert priya.role == "advanced"
    assert [role for _, role in _history(priya)] == ["social_worker", "experienced", "advanced"]


@pytest.mark.parametrize(
    ("by", "role", "effective_from", "message"),
    [
        ("mona", "experienced", date(2026, 6, 1), "Your role cannot change"),
        ("pat", "experienced", date(2026, 6, 1), "Your role cannot change"),
        ("ada", "wizard", date(2026, 6, 1), "Choose a role from the list"),
        ("ada", "experienced\x00", date(2026, 6, 1), "Choose a role from the list"),
        ("ada", "experienced", date(2026, 12, 2), "cannot start after today"),
        ("ada", "experienced", date(2019, 1, 1), "before they started in post"),
        ("ada", "social_worker", date(2026, 6, 1), "already hold the role"),
    ],
)
def test_refusals_change_nothing(
    world: World, by: str, role: str, effective_from: date, message: str
) -> None:
    priya = world.priya_practitioner
    with pytest.raises(ActionRefused, match=message):
        change_role(
            by=getattr(world, by), practitioner=priya, role=role, effective_from=effective_from
        )
    priya.refresh_from_db()
    assert priya.role == "social_worker"
    assert not PractitionerRoleChange.objects.filter(practitioner=priya).exists()
    assert not ChangeEvent.objects.exists()


def test_a_registered_role_needs_a_registration_number(world: World) -> None:
    assistant = PractitionerFactory.create(
        team=world.team_north, role="assistant", swe_registration_number=""
    )
    with pytest.raises(ActionRefused, match="Social Work England registration number"):
        change_role(
            by=world.ada, practitioner=assistant, role="asye", effective_from=date(2026, 6, 1)
        )
    assert not PractitionerRoleChange.objects.filter(practitioner=assistant).exists()


def _admin_form(p: Practitioner, **changes: Any) -> dict[str, Any]:
    return {
        "user": p.user_id,
        "given_name": p.given_name,
        "family_name": p.family_name,
        "role": p.role,
        "pcf_level": p.pcf_level,
        "fte": str(p.fte),
        "team": p.team_id,
        "employment": p.employment,
        "swe_registration_number": p.swe_registration_number,
        "swe_renewal_date": p.swe_renewal_date.isoformat() if p.swe_renewal_date else "",
        "start_date": p.start_date.isoformat(),
        "left_on": "",
        "capacity_points": "",
        "role_from": "",
        "absences-TOTAL_FORMS": "0",
        "absences-INITIAL_FORMS": "0",
        "absences-MIN_NUM_FORMS": "0",
        "absences-MAX_NUM_FORMS": "1000",
        **changes,
    }


def test_the_admin_changes_a_role_from_a_day(world: World) -> None:
    priya = world.priya_practitioner
    url = reverse("admin:register_practitioner_change", args=[priya.pk])
    client = client_for(world.ada)
    refused = client.post(url, _admin_form(priya, role="experienced", role_from="2026-12-25"))
    assert refused.status_code == 200
    assert "The change cannot start after today" in refused.content.decode()
    response = client.post(url, _admin_form(priya, role="experienced", role_from="2026-07-01"))
    assert response.status_code == 302, response.content.decode()[:2000]
    priya.refresh_from_db()
    assert priya.role == "experienced"
    assert _history(priya) == [
        (priya.start_date, "social_worker"),
        (date(2026, 7, 1), "experienced"),
    ]
    assert ChangeEvent.objects.filter(action=ChangeAction.PRACTITIONER_ROLE_CHANGED).count() == 1
    assert "Roles held" in client.get(url).content.decode()


def test_a_practitioner_added_in_the_admin_starts_a_history(world: World) -> None:
    response = client_for(world.ada).post(
        reverse("admin:register_practitioner_add"),
        {
            **_admin_form(world.priya_practitioner),
            "user": "",
            "given_name": "Nia",
            "family_name": "Newstarter",
            "role": "asye",
            "swe_registration_number": "SW999001",
            "start_date": "2026-11-02",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    nia = Practitioner.objects.get(family_name="Newstarter")
    assert _history(nia) == [(date(2026, 11, 2), "asye")]


@pytest.fixture
def promoted(world: World) -> Practitioner:
    """An ASYE who started on 5 January 2026 and became a social worker on 1 July, supervised
    on the 5th of every month to November (monthly: never late under the monthly policy, but
    late under the ASYE policy's weekly and fortnightly steps until July)."""
    asye = PractitionerFactory.create(
        team=world.team_north, role="asye", start_date=date(2026, 1, 5)
    )
    PractitionerRoleChange.objects.create(
        practitioner=asye,
        effective_from=date(2026, 1, 5),
        role="asye",
        changed_at=datetime.now(UTC),
    )
    change_role(
        by=world.ada, practitioner=asye, role="social_worker", effective_from=date(2026, 7, 1)
    )
    for month in range(1, 12):
        held(asye, world.mona, date(2026, month, 5))
    return asye


def _by_role(rows: list[compliance.PractitionerStanding], **kwargs: Any) -> dict[str, Any]:
    trends = compliance.monthly(rows, on=ON, months=12, by="role", labels={}, **kwargs)
    return {t.key: [(f.in_post, f.compliant) for f in t.months] for t in trends}


def test_promoted_mid_year_counts_under_each_role_in_its_months(
    world: World, promoted: Practitioner
) -> None:
    rows = [
        r
        for r in compliance.standings(on=ON, since=date(2025, 12, 1))
        if r.practitioner_id == promoted.pk
    ]
    by_role = _by_role(rows)
    # January to June as an ASYE (late every month: monthly sessions miss its weekly and
    # fortnightly dates), July on as a social worker.
    assert by_role["asye"] == [(1, 0)] * 6 + [(0, 0)] * 6
    # July is still late: the ASYE's fortnightly date in June was made up only on 5 July. The
    # monthly sessions keep to the monthly policy from then on.
    assert by_role["social_worker"] == [(0, 0)] * 6 + [(1, 0)] + [(1, 1)] * 5
    # Narrowed to one role, only the months they held it.
    assert _by_role(rows, role="social_worker") == {"social_worker": by_role["social_worker"]}
    # Today they are counted as a social worker, with Priya and Colin.
    [summary] = [
        s
        for s in compliance.summary(on=ON)
        if (s.team_id, s.role) == (world.team_north.pk, "social_worker")
    ]
    assert summary.practitioners == 3


def test_due_dates_follow_the_role_in_force_on_the_day(world: World) -> None:
    """Weekly for six weeks, then fortnightly, as an ASYE; monthly once a social worker."""
    asye = PractitionerFactory.create(
        team=world.team_north, role="asye", start_date=date(2026, 1, 5)
    )
    held(asye, world.mona, date(2026, 3, 2))
    assert standing_of(asye, on=date(2026, 3, 10)).next_due == date(2026, 3, 16)
    change_role(
        by=world.ada, practitioner=asye, role="social_worker", effective_from=date(2026, 3, 2)
    )
    asye.refresh_from_db()
    assert standing_of(asye, on=date(2026, 3, 10)).next_due == date(2026, 4, 2)
    # Before the promotion the ASYE policy still applied: its weekly dates were missed.
    standing = standing_of(asye, on=date(2026, 3, 10))
    assert standing.missed[0] == date(2026, 1, 12)


def test_trends_queries_do_not_grow_with_role_changes(
    world: World, promoted: Practitioner, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    client = client_for(world.pat)
    url = reverse("supervision_compliance") + "?by=role"
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for n in range(3):
        other = PractitionerFactory.create(team=world.team_north, role="asye")
        change_role(
            by=world.ada,
            practitioner=other,
            role="experienced",
            effective_from=date(2026, 3 + n, 1),
        )
    with django_assert_num_queries(len(before.captured_queries)):
        assert client.get(url).status_code == 200


BEFORE = [("register", "0011_demand_indexes")]
AFTER = [("register", "0012_practitioner_role_history")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_seeds_one_row_per_practitioner(migrator: Migrator) -> None:
    migrator.to(*BEFORE)
    old = migrator.apps(*BEFORE)
    locality = old.get_model("register", "Locality").objects.create(name="Seedshire")
    team = old.get_model("register", "Team").objects.create(
        name="Seed Team", service_area="older_people", locality=locality
    )
    practitioner = old.get_model("register", "Practitioner")
    for family, role, started in (
        ("One", "asye", "2025-09-01"),
        ("Two", "team_manager", "2019-04-01"),
    ):
        practitioner.objects.create(
            given_name="Sid",
            family_name=family,
            role=role,
            fte="1.00",
            team=team,
            swe_registration_number=f"SW77{len(family)}{family[0]}",
            start_date=started,
        )

    migrator.to(*AFTER)

    seeded = PractitionerRoleChange.objects.order_by("practitioner__family_name").values_list(
        "practitioner__family_name", "effective_from", "role"
    )
    assert list(seeded) == [
        ("One", date(2025, 9, 1), "asye"),
        ("Two", date(2019, 4, 1), "team_manager"),
    ]
    # Nobody changed anything: the rows were seeded.
    assert not PractitionerRoleChange.objects.filter(changed_by__isnull=False).exists()
