"""Calibration from the register (issue 13): the register's history read in a handful of queries,
and the issue's validation: a history drawn from the demo's named planning parameters
(`caseload_engine.planning.demo_history.DEMO_TIERS`), loaded into the register as cases,
allocations and assessments, calibrates back to those parameters.

Tolerances (also in the README): arrivals within 4 standard errors of the true rate; the share
becoming cases within 0.05; each tier's chosen distribution is the family that made it, with
its mean within 15% and (lognormal) its sd within 35%. The history is the demo's rates at a
sixth (about 4,500 requests over two years), chosen as the smallest that kept every tier's
estimate inside these bounds with room to spare when the durations were the worked plan's
(8, 14 and 26 weeks); the demo's durations now are shorter, so more of its cases close in the
window. The loaded demo council's own calibration is tested in test_demo_council.py.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django import DjangoDbBlocker

from caseload.accounts.permissions import AccessRole
from caseload.complexity.models import Assessment, ModelVersion
from caseload.planning.calibration import calibrate_from_register
from caseload.register.models import Allocation, Case, CaseStatus, Person, SupportRequest, Team
from caseload.resource.actions import set_establishment
from caseload_engine.planning import calibrate as engine
from caseload_engine.planning import demo_history
from caseload_engine.planning.scenario import from_dict
from tests.conftest import _noon_today
from tests.factories import PractitionerFactory, TeamFactory, UserFactory, next_synthetic_nhs_number

WEEKS = 104
SCALE = 1 / 6
SEED = 2026


@dataclass
class Register:
    until: date
    teams: tuple[Team, Team]
    histories: list[engine.CaseHistory]


def _moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10)))


def _scores(model_version: ModelVersion, tier: int) -> dict[str, int]:
    """Factor scores adding up to the lowest total of the tier's band."""
    model = model_version.model
    keys = [factor.key for factor in model.factors]
    scores = dict.fromkeys(keys, 1)
    for step in range(model.band(tier).minimum - len(keys)):
        scores[keys[step % len(keys)]] += 1
    return scores


def load(histories: list[engine.CaseHistory], teams: dict[str, Team]) -> None:
    """The histories as register rows, in bulk: a person, request, case, allocation (if it was
    allocated) and current assessment each."""
    version = ModelVersion.current()
    scorer = UserFactory.create()
    holders = {name: PractitionerFactory.create(team=team) for name, team in teams.items()}
    scores = {tier: _scores(version, tier) for tier in {h.tier for h in histories}}
    people = Person.objects.bulk_create(
        Person(
            council_person_id=f"C{index:07d}",
            nhs_number=next_synthetic_nhs_number(),
            given_name="Sam",
            family_name="Synthetic",
            date_of_birth=date(1950, 1, 1),
            postcode="ZZ1 1AA",
            primary_support_reason="physical_personal_care",
        )
        for index in range(len(histories))
    )
    requests = SupportRequest.objects.bulk_create(
        SupportRequest(
            person=person,
            route_of_access="community_other",
            source="family_carer",
            received_at=_moment(h.requested_on),
        )
        for person, h in zip(people, histories, strict=True)
    )
    cases = Case.objects.bulk_create(
        Case(
            person=person,
            request=request,
            team=teams[h.team],
            status=(
                CaseStatus.CLOSED
                if h.closed_on
                else CaseStatus.ALLOCATED
                if h.allocated_on
                else CaseStatus.AWAITING_ALLOCATION
            ),
            opened_at=request.received_at,
            closed_at=_moment(h.closed_on) if h.closed_on else None,
            outcome="nfa_information_advice" if h.closed_on else "",
        )
        for person, request, h in zip(people, requests, histories, strict=True)
    )
    Allocation.objects.bulk_create(
        Allocation(
            case=case,
            practitioner=holders[h.team],
            started_at=_moment(h.allocated_on),
            ended_at=_moment(h.closed_on) if h.closed_on else None,
            allocated_by=scorer,
        )
        for case, h in zip(cases, histories, strict=True)
        if h.allocated_on
    )
    Assessment.objects.bulk_create(
        Assessment(
            case=case,
            model_version=version,
            scores=scores[h.tier],
            total=sum(scores[h.tier].values()),
            tier=h.tier,
            points=version.model.band(h.tier).points,
            assessed_by=scorer,
            assessed_at=case.opened_at,
        )
        for case, h in zip(cases, histories, strict=True)
    )


@pytest.fixture(scope="module")
def _module_register(
    django_db_setup: None, django_db_blocker: DjangoDbBlocker
) -> Iterator[Register]:
    """The history loaded once for the module, rolled back after its last test."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    try:
        with django_db_blocker.unblock(), time_machine.travel(_noon_today(), tick=False):
            until = timezone.localdate()
            north, south = TeamFactory.create(name="North"), TeamFactory.create(name="South")
            histories = demo_history.history(
                until=until, weeks=WEEKS, seed=SEED, teams=("North", "South"), scale=SCALE
            )
            load(histories, {"North": north, "South": south})
        yield Register(until, (north, south), histories)
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def register(_module_register: Register, db: None) -> Register:
    return _module_register


def test_calibrating_from_the_demo_history_recovers_its_parameters(register: Register) -> None:
    calibration = calibrate_from_register(until=register.until, weeks=WEEKS)
    scenario = from_dict(calibration.scenario)
    assert [tier.tier for tier in scenario.tiers] == [p.tier for p in demo_history.DEMO_TIERS]
    for parameters, fit in zip(demo_history.DEMO_TIERS, calibration.fits, strict=True):
        rate = parameters.arrivals_per_week * SCALE
        assert fit.tier == parameters.tier
        assert abs(fit.arrivals.per_week - rate) <= 4 * math.sqrt(rate * WEEKS) / WEEKS
        assert abs(fit.share_becoming_cases - parameters.share_becoming_cases) <= 0.05
        wanted = parameters.duration_weeks
        assert fit.chosen == wanted.distribution, fit.tier
        best = fit.best
        assert best is not None
        assert abs(best.mean - wanted.mean) <= 0.15 * wanted.mean, (fit.tier, best.mean)
        if wanted.distribution == "lognormal":
            assert abs(best.sd - wanted.sd) <= 0.35 * wanted.sd, (fit.tier, best.sd)
    # The register gives what the histories themselves give: nothing lost on the way.
    direct = engine.calibrate(
        register.histories,
        until=register.until,
        weeks=WEEKS,
        points=calibration_points(),
        roles=calibration.scenario["roles"],
    )
    assert direct.scenario == calibration.scenario


def calibration_points() -> dict[int, int]:
    return {band.tier: band.points for band in ModelVersion.current().model.tiers}


def test_roles_come_from_the_staff_in_post_and_the_model(register: Register) -> None:
    north, south = register.teams
    PractitionerFactory.create(team=north, role="assistant", fte=Decimal("0.5"))
    PractitionerFactory.create(team=south, role="asye", fte=Decimal("1.00"))
    # Someone who has left, and someone not yet started, are not in post.
    PractitionerFactory.create(team=north, left_on=timezone.localdate())
    PractitionerFactory.create(team=north, start_date=timezone.localdate() + timedelta(days=1))
    set_establishment(
        by=UserFactory.create(access_role=AccessRole.DIRECTOR),
        team=north,
        role="social_worker",
        funded_fte=Decimal(3),
        effective_from=timezone.localdate(),
    )
    calibration = calibrate_from_register(until=register.until)
    roles = {role["role"]: role for role in calibration.scenario["roles"]}
    assert roles["social_worker"]["fte"] == 2.0  # one in each team, by the loader
    assert roles["assistant"]["fte"] == 0.5
    assert roles["assistant"]["may_hold"] == [1]
    assert roles["asye"]["progresses_to"] == "social_worker"
    assert roles["experienced"]["fte"] == 0  # may hold the tiers, none in post
    model = ModelVersion.current().model
    assert roles["social_worker"]["capacity_points_per_fte"] == float(
        model.capacity.points_for("social_worker", Decimal(1))
    )
    # North is funded for 3 social workers and has 1; South has no establishment recorded.
    assert calibration.notes == ("social_worker: 2.00 FTE in post against 4.00 funded",)


def test_by_team_and_for_some_teams(register: Register) -> None:
    north, south = register.teams
    both = calibrate_from_register(
        until=register.until, team_ids=[north.pk, south.pk], by_team=True
    )
    assert {fit.team for fit in both.fits} == {None, "North", "South"}
    only_north = calibrate_from_register(until=register.until, team_ids=[north.pk])
    count = sum(1 for h in register.histories if h.team == "North")
    assert sum(fit.arrivals.count for fit in only_north.fits) == count
    assert {
        role["fte"] for role in only_north.scenario["roles"] if role["role"] == "social_worker"
    } == {1.0}


def test_a_handful_of_queries_however_many_cases(register: Register) -> None:
    with CaptureQueriesContext(connection) as queries:
        calibrate_from_register(until=register.until)
    # The cases with their tier and allocations; the teams, establishment and staff in post;
    # the model. The register here holds some 4,500 cases.
    assert len(queries) == 5


def test_unscored_cases_are_left_out_and_said_so(register: Register) -> None:
    Assessment.objects.filter(pk__in=Assessment.objects.values("pk")[:3]).update(is_current=False)
    calibration = calibrate_from_register(until=register.until)
    assert calibration.notes == ("3 request(s) with no current assessment left out: no tier",)


def test_a_case_held_by_the_team_ended_its_practitioner_work(register: Register) -> None:
    case = Case.objects.filter(
        status=CaseStatus.ALLOCATED,
        request__received_at__date__gte=register.until - timedelta(weeks=60),
    ).first()
    assert case is not None
    allocation = case.allocations.get()
    ended = allocation.started_at + timedelta(days=30)
    Allocation.objects.filter(pk=allocation.pk).update(ended_at=ended)
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.HELD, next_review_on=register.until)
    before = calibrate_from_register(until=register.until)
    tier = case.assessments.get(is_current=True).effective_tier
    fit = next(f for f in before.fits if f.tier == tier)
    histories = [h for h in register.histories if h.tier == tier]
    assert fit.closed == sum(1 for h in histories if h.allocated_on and h.closed_on) + 1


def test_a_handover_continues_the_spell_and_a_later_review_is_not_part_of_it(
    register: Register,
) -> None:
    """A case handed over (one allocation ending as the next starts) three weeks into its work
    and held by the team ten weeks in, then allocated again for its review: its duration is the
    ten weeks of its first spell, not three, and not up to the review's end."""
    case = Case.objects.filter(
        status=CaseStatus.ALLOCATED,
        request__received_at__date__gte=register.until - timedelta(weeks=60),
    ).first()
    assert case is not None
    first = case.allocations.get()
    handover = first.started_at + timedelta(weeks=3)
    ended = first.started_at + timedelta(weeks=10)
    Allocation.objects.filter(pk=first.pk).update(ended_at=handover)
    other = PractitionerFactory.create(team=case.team)
    by = first.allocated_by
    Allocation.objects.create(
        case=case, practitioner=other, started_at=handover, ended_at=ended, allocated_by=by
    )
    Allocation.objects.create(
        case=case,
        practitioner=other,
        started_at=ended + timedelta(weeks=20),
        allocated_by=by,
    )
    tier = case.assessments.get(is_current=True).effective_tier
    fit = next(f for f in calibrate_from_register(until=register.until).fits if f.tier == tier)
    # The same as the histories with this case closed ten weeks in (the cases were loaded in
    # the histories' order).
    index = list(Case.objects.order_by("pk").values_list("pk", flat=True)).index(case.pk)
    changed = dataclasses.replace(register.histories[index], closed_on=timezone.localdate(ended))
    histories = [
        changed if position == index else h
        for position, h in enumerate(register.histories)
        if h.tier == tier
    ]
    wanted = engine.fit_tier(histories, tier=tier, until=register.until, weeks=WEEKS)
    assert (fit.cases, fit.closed) == (wanted.cases, wanted.closed)
    assert fit.fits[0].mean == pytest.approx(wanted.fits[0].mean)


def test_nothing_in_the_window_is_refused(register: Register) -> None:
    with pytest.raises(engine.CalibrationError, match="No requests"):
        calibrate_from_register(until=register.until - timedelta(weeks=WEEKS + 1), weeks=4)
