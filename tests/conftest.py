"""Named personas, one per role, in a small world of two teams."""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from hypothesis import settings as hypothesis_settings
from pytest_django import DjangoDbBlocker

from caseload.accounts.models import AccessRole, User
from caseload.complexity.models import Assessment
from caseload.register.models import Case, CaseStatus, Person, Practitioner, Team
from caseload.security.two_factor import authenticator_for, requires_second_factor
from tests.factories import (
    AllocationFactory,
    AssessmentFactory,
    AuthenticatorFactory,
    CaseFactory,
    PersonFactory,
    PractitionerFactory,
    TeamFactory,
    UserFactory,
    allocated_case,
)

# The fixtures, for migration tests.
from tests.migrations import _schema_before, migrator, migrator_from_before  # noqa: F401
from tests.postgres_flush import _flush_postgres_by_delete  # noqa: F401 - an autouse fixture

# CI replays the same examples on every run, so a red build is never a lucky draw; locally each
# run explores new ones.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


LONDON = ZoneInfo("Europe/London")
T = TypeVar("T")


@pytest.fixture(autouse=True)
def _from_noon_today() -> Iterator[None]:
    """Every test starts at noon today, London time, with the clock running: a test that works
    out "today" and the code it calls agree on the day even when the suite runs at midnight.
    Tests about a particular moment travel there themselves."""
    with time_machine.travel(_noon_today(), tick=True):
        yield


def _noon_today() -> datetime:
    return datetime.combine(datetime.now(LONDON).date(), time(12), tzinfo=LONDON)


@dataclass
class World:
    """Two teams. Priya (social worker) and Colin (social worker) work in Older People North,
    managed by Mona; Mental Health South is managed by Max. Pat is the principal social worker,
    Dee the director, Ada the administrator."""

    team_north: Team
    team_south: Team
    priya: User
    colin: User
    mona: User
    max: User
    pat: User
    dee: User
    ada: User
    sally: User
    priya_practitioner: Practitioner
    colin_practitioner: Practitioner
    max_practitioner: Practitioner
    case_held_by_priya: Case
    case_held_by_colin: Case
    case_waiting_north: Case
    case_waiting_south: Case
    case_closed_north: Case
    assessment_of_priyas_case: Assessment

    @property
    def person_of_priya(self) -> Person:
        return self.case_held_by_priya.person

    def by_role(self) -> dict[str, User]:
        return {
            "practitioner": self.priya,
            "team_manager": self.mona,
            "other_team_manager": self.max,
            "principal_social_worker": self.pat,
            "director": self.dee,
            "administrator": self.ada,
            "safeguarding_lead": self.sally,
        }


def _persona(username: str, role: AccessRole, **extra: object) -> User:
    # Fixed, distinct surnames: a Faker surname could collide with a refused page's secret.
    return UserFactory.create(
        username=username,
        first_name=username.capitalize(),
        last_name=f"{username.capitalize()}persona",
        access_role=role,
        **extra,
    )


def _front_line(username: str, role: AccessRole, team: Team, job: str) -> tuple[User, Practitioner]:
    user = _persona(username, role)
    practitioner = PractitionerFactory.create(user=user, team=team, role=job)
    return user, practitioner


@pytest.fixture
def world(db: None) -> World:
    return _build_world()


def built_once(django_db_blocker: DjangoDbBlocker, build: Callable[[], T]) -> Iterator[T]:
    """For a module-scoped fixture: what `build` makes, made once for the module in a
    transaction held open until the module's last test and then rolled back. Each test's own
    transaction is a savepoint inside it. Only for a module whose database tests all read it,
    none of them transactional (a flush would empty it for the tests after it)."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    try:
        # At noon exactly: every test's clock starts there and runs on, so whatever a test
        # does is later than what was built, as when it was built inside the test.
        with django_db_blocker.unblock(), time_machine.travel(_noon_today(), tick=False):
            built = build()
        yield built
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(scope="module")
def _module_world(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[World]:
    """The world built once for a module."""
    yield from built_once(django_db_blocker, _build_world)


@pytest.fixture(scope="module")
def _module_sessions(
    _module_world: World, django_db_blocker: DjangoDbBlocker
) -> dict[str, dict[str, str]]:
    """Each persona of the module's world signed in once: their cookies, by username. The
    sessions are rows of the module's transaction, so every test finds them as they were."""
    with django_db_blocker.unblock(), time_machine.travel(_noon_today(), tick=False):
        return {
            user.username: {name: morsel.value for name, morsel in client_for(user).cookies.items()}
            for user in _module_world.by_role().values()
        }


@pytest.fixture
def shared_client_for(
    shared_world: World, _module_sessions: dict[str, dict[str, str]]
) -> Callable[[User], Client]:
    """`client_for` for the personas of `shared_world`, without signing in again for every test
    (a third of a permission matrix test's time): a new client on the persona's session."""

    def signed_in(user: User) -> Client:
        client = Client()
        for name, value in _module_sessions[user.username].items():
            client.cookies[name] = value
        return client

    return signed_in


@pytest.fixture
def shared_world(_module_world: World, db: None) -> World:
    """The same world as `world`, built once per module rather than once per test (it costs
    some 45 queries). For a module whose database tests all use the world, none of them
    transactional (a flush would empty the world for the tests after it), and whose other
    tests do not mind it being there; each test gets fresh copies of the objects, as
    TestCase.setUpTestData gives, and its changes to the rows are rolled back."""
    return copy.deepcopy(_module_world)


def _build_world() -> World:
    north = TeamFactory.create(name="Older People North", service_area="older_people")
    south = TeamFactory.create(name="Mental Health South", service_area="mental_health")
    priya, priya_p = _front_line("priya", AccessRole.PRACTITIONER, north, "social_worker")
    colin, colin_p = _front_line("colin", AccessRole.PRACTITIONER, north, "social_worker")
    mona, _ = _front_line("mona", AccessRole.TEAM_MANAGER, north, "team_manager")
    max_, max_p = _front_line("max", AccessRole.TEAM_MANAGER, south, "team_manager")
    pat = _persona("pat", AccessRole.PRINCIPAL_SOCIAL_WORKER)
    dee = _persona("dee", AccessRole.DIRECTOR)
    ada = _persona("ada", AccessRole.ADMINISTRATOR, is_staff=True, is_superuser=True)
    closed = CaseFactory.create(
        team=north,
        status=CaseStatus.CLOSED,
        closed_at=timezone.now() - timedelta(days=1),
        outcome="nfa_information_advice",
        person=PersonFactory.create(given_name="Clara", family_name="Closedcase"),
    )
    AllocationFactory.create(
        case=closed,
        practitioner=priya_p,
        ended_at=timezone.now() - timedelta(days=1),
    )
    held_by_priya = allocated_case(
        priya_p, person=PersonFactory.create(given_name="Harriet", family_name="Heldbypriya")
    )
    return World(
        team_north=north,
        team_south=south,
        priya=priya,
        colin=colin,
        mona=mona,
        max=max_,
        pat=pat,
        dee=dee,
        ada=ada,
        sally=_persona("sally", AccessRole.SAFEGUARDING_LEAD),
        priya_practitioner=priya_p,
        colin_practitioner=colin_p,
        max_practitioner=max_p,
        case_held_by_priya=held_by_priya,
        case_held_by_colin=allocated_case(
            colin_p, person=PersonFactory.create(given_name="Cyril", family_name="Heldbycolin")
        ),
        case_waiting_north=CaseFactory.create(
            team=north, person=PersonFactory.create(given_name="Wendy", family_name="Waitingnorth")
        ),
        case_waiting_south=CaseFactory.create(
            team=south, person=PersonFactory.create(given_name="Sid", family_name="Waitingsouth")
        ),
        case_closed_north=closed,
        assessment_of_priyas_case=AssessmentFactory.create(case=held_by_priya, assessed_by=priya),
    )


def client_for(user: User) -> Client:
    """A signed-in client; for a role that needs it, past the code step too, as if the user had
    typed a code from their authenticator app."""
    client = Client()
    client.force_login(user)
    if requires_second_factor(user):
        device = authenticator_for(user) or AuthenticatorFactory.create(user=user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


MIGRATION_FIXTURES = {"migrator", "migrator_from_before"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that moves the schema through migrations is marked `migration`, whatever its
    file: the Makefile runs those on PostgreSQL, production's database, only."""
    for item in items:
        if MIGRATION_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.migration)
