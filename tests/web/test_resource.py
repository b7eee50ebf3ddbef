"""The establishment (set by the director or the PSW, with its history) and the resource figures
worked out from factories."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from caseload.audit.models import ChangeAction, ChangeEvent
from caseload.register.models import Absence, Employment, Specialism, Team
from caseload.resource import figures
from caseload.resource.actions import set_establishment
from caseload.resource.models import Establishment
from caseload.web.errors import ActionRefused
from tests.asye_factories import ProgrammeFactory, ReviewFactory
from tests.conftest import World
from tests.factories import LocalityFactory, PractitionerFactory, TeamFactory, UserFactory

TODAY = date(2026, 12, 1)
FIRST_APRIL = date(2026, 4, 1)


def _set(
    w: World, fte: str, *, role: str = "social_worker", on: date = FIRST_APRIL
) -> Establishment:
    return set_establishment(
        by=w.dee, team=w.team_north, role=role, funded_fte=Decimal(fte), effective_from=on
    )


# -- the action ----------------------------------------------------------------------------


def test_setting_an_establishment_records_the_row_and_the_change(world: World) -> None:
    row = _set(world, "6.5")
    assert (row.team, row.role, row.funded_fte, row.recorded_by) == (
        world.team_north,
        "social_worker",
        Decimal("6.5"),
        world.dee,
    )
    event = ChangeEvent.objects.get(action=ChangeAction.ESTABLISHMENT_SET)
    assert event.team_id == world.team_north.pk
    assert event.changes == {"funded_fte": [None, "6.50"]}
    assert event.detail == {
        "role": "social_worker",
        "effective_from": "2026-04-01",
        "row_id": row.pk,
    }


def test_setting_the_same_day_again_corrects_it_and_the_log_keeps_the_old_figure(
    world: World,
) -> None:
    first = _set(world, "6")
    second = set_establishment(
        by=world.pat,
        team=world.team_north,
        role="social_worker",
        funded_fte=Decimal("7.25"),
        effective_from=FIRST_APRIL,
    )
    assert second.pk == first.pk
    assert Establishment.objects.get().funded_fte == Decimal("7.25")
    assert Establishment.objects.get().recorded_by == world.pat
    changes = [e.changes for e in ChangeEvent.objects.filter(action=ChangeAction.ESTABLISHMENT_SET)]
    assert {"funded_fte": ["6.00", "7.25"]} in changes


def test_setting_the_figure_it_already_has_changes_nothing(world: World) -> None:
    _set(world, "6")
    _set(world, "6.00")
    assert ChangeEvent.objects.filter(action=ChangeAction.ESTABLISHMENT_SET).count() == 1


def test_a_later_day_adds_to_the_history(world: World) -> None:
    _set(world, "6")
    _set(world, "8", on=FIRST_APRIL + timedelta(days=30))
    assert list(
        Establishment.objects.order_by("effective_from").values_list("funded_fte", flat=True)
    ) == [Decimal("6"), Decimal("8")]


@pytest.mark.parametrize("who", ["mona", "priya", "ada", "max"])
def test_only_the_director_and_the_psw_set_the_establishment(world: World, who: str) -> None:
    with pytest.raises(ActionRefused):
        set_establishment(
            by=getattr(world, who),
            team=world.team_north,
            role="social_worker",
            funded_fte=Decimal(5),
            effective_from=FIRST_APRIL,
        )
    assert not Establishment.objects.exists()


@pytest.mark.parametrize(
    ("fte", "role", "field"),
    [
        ("0", "social_worker", "funded_fte"),
        ("1000", "social_worker", "funded_fte"),
        ("-1", "social_worker", "funded_fte"),
        ("1.005", "social_worker", "funded_fte"),
        ("NaN", "social_worker", "funded_fte"),
        ("Infinity", "social_worker", "funded_fte"),
        ("1", "principal_social_worker", "role"),
        ("1", "chief", "role"),
    ],
)
def test_the_action_refuses_what_no_establishment_can_be(
    world: World, fte: str, role: str, field: str
) -> None:
    with pytest.raises(ActionRefused) as refusal:
        _set(world, fte, role=role)
    assert refusal.value.field == field
    assert not ChangeEvent.objects.filter(action=ChangeAction.ESTABLISHMENT_SET).exists()


def test_the_database_holds_one_row_per_team_role_and_day(world: World) -> None:
    _set(world, "6")
    with pytest.raises(IntegrityError):
        Establishment.objects.create(
            team=world.team_north,
            role="social_worker",
            funded_fte=Decimal(2),
            effective_from=FIRST_APRIL,
            recorded_by=world.dee,
            recorded_at=timezone.now(),
        )


def test_the_database_refuses_a_funded_fte_out_of_range(world: World) -> None:
    with pytest.raises(IntegrityError):
        Establishment.objects.create(
            team=world.team_north,
            role="social_worker",
            funded_fte=Decimal(0),
            effective_from=FIRST_APRIL,
            recorded_by=world.dee,
            recorded_at=timezone.now(),
        )


# -- establishment against staff in post ----------------------------------------------------


def _north(w: World, on: date = TODAY) -> figures.TeamEstablishment:
    (north,) = figures.establishment_by_team(on=on, team_ids=[w.team_north.pk])
    return north


def _role(team: figures.TeamEstablishment, role: str) -> figures.RoleFigures:
    return next(r for r in team.roles if r.role == role)


def test_the_row_in_force_is_the_latest_from_the_day_or_before(world: World) -> None:
    _set(world, "4", on=date(2026, 1, 1))
    _set(world, "6", on=date(2026, 6, 1))
    _set(world, "9", on=date(2027, 1, 1))
    assert _role(_north(world, date(2025, 12, 31)), "social_worker").funded_fte is None
    assert _role(_north(world, date(2026, 5, 31)), "social_worker").funded_fte == Decimal(4)
    assert _role(_north(world, date(2026, 6, 1)), "social_worker").funded_fte == Decimal(6)
    assert _role(_north(world, date(2027, 1, 1)), "social_worker").funded_fte == Decimal(9)


def test_vacancies_are_funded_posts_no_employee_holds_and_agency_covers_them(
    world: World,
) -> None:
    # North has Priya and Colin (1.0 FTE social workers each) and Mona, its manager.
    _set(world, "5")
    PractitionerFactory.create(team=world.team_north, fte=Decimal("0.5"))
    PractitionerFactory.create(team=world.team_north, employment=Employment.AGENCY)
    PractitionerFactory.create(team=world.team_north, employment=Employment.FIXED_TERM)
    # Gone, and not yet started: neither is in post.
    PractitionerFactory.create(team=world.team_north, left_on=TODAY)
    PractitionerFactory.create(team=world.team_north, start_date=TODAY + timedelta(days=1))
    row = _role(_north(world), "social_worker")
    assert row.funded_fte == Decimal(5)
    assert row.fte_in_post == Decimal("4.5")
    assert row.headcount == 5
    assert row.agency_fte == Decimal(1)
    assert row.vacancy_fte == Decimal("1.5")  # 5 funded less 3.5 employed
    assert row.vacancy_percent == 30
    assert row.agency_percent == 22


def test_a_role_with_no_establishment_shows_its_staff_with_no_vacancy(world: World) -> None:
    north = _north(world)
    manager = _role(north, "team_manager")
    assert (manager.funded_fte, manager.fte_in_post, manager.vacancy_fte) == (
        None,
        Decimal(1),
        Decimal(0),
    )
    assert manager.over_establishment_fte == Decimal(1)


def test_someone_over_one_roles_establishment_does_not_fill_another_roles_vacancy(
    world: World,
) -> None:
    _set(world, "1")  # two social workers in post on one funded post
    _set(world, "2", role="advanced")  # and no advanced practitioner
    north = _north(world)
    assert north.vacancy_fte == Decimal(2)
    assert north.total.funded_fte == Decimal(3)
    assert north.vacancy_percent == 67


def test_council_totals_add_up_the_teams(world: World) -> None:
    _set(world, "3")
    set_establishment(
        by=world.dee,
        team=world.team_south,
        role="social_worker",
        funded_fte=Decimal(2),
        effective_from=FIRST_APRIL,
    )
    teams = figures.establishment_by_team(on=TODAY)
    council = figures.council_totals(teams)
    social_workers = next(r for r in council.roles if r.role == "social_worker")
    assert social_workers.funded_fte == Decimal(5)
    assert social_workers.fte_in_post == Decimal(2)
    assert council.vacancy_fte == Decimal(3)
    # Priya, Colin, Mona and Max.
    assert council.total.headcount == 4
    assert dict(council.fte_by_pcf_level)["social_worker"] == Decimal(4)


def test_fte_by_pcf_level(world: World) -> None:
    PractitionerFactory.create(team=world.team_north, pcf_level="advanced", fte=Decimal("0.8"))
    levels = dict(_north(world).fte_by_pcf_level)
    assert levels["advanced"] == Decimal("0.8")
    assert levels["strategic"] == Decimal(0)


# -- specialisms, registrations, ASYEs, absence ---------------------------------------------


def test_specialism_coverage_counts_bias_and_amhps_and_names_teams_without(
    world: World,
) -> None:
    bia, _ = Specialism.objects.get_or_create(code="bia")
    amhp, _ = Specialism.objects.get_or_create(code="amhp")
    world.priya_practitioner.specialisms.add(bia, amhp)
    world.colin_practitioner.specialisms.add(bia)
    gone = PractitionerFactory.create(team=world.team_south, left_on=TODAY - timedelta(days=1))
    gone.specialisms.add(amhp)
    coverage = figures.specialism_coverage(on=TODAY)
    by_team = {c.name: dict(c.counts) for c in coverage.teams}
    assert by_team["Older People North"] == {"bia": 2, "amhp": 1}
    assert by_team["Mental Health South"] == {"bia": 0, "amhp": 0}
    assert dict(coverage.gaps) == {
        "Best Interests Assessor (BIA)": ["Mental Health South"],
        "Approved Mental Health Professional (AMHP)": ["Mental Health South"],
    }


def test_specialism_coverage_adds_teams_up_by_locality(world: World) -> None:
    locality = LocalityFactory.create(name="West")
    amhp, _ = Specialism.objects.get_or_create(code="amhp")
    for name, area in (("West One", "older_people"), ("West Two", "mental_health")):
        team = TeamFactory.create(name=name, locality=locality, service_area=area)
        PractitionerFactory.create(team=team).specialisms.add(amhp)
    coverage = figures.specialism_coverage(on=TODAY)
    west = next(c for c in coverage.localities if c.name == "West")
    assert dict(west.counts) == {"bia": 0, "amhp": 2}


def test_registrations_to_renew_within_90_days_soonest_first(world: World) -> None:
    PractitionerFactory.create(
        team=world.team_north, family_name="Soon", swe_renewal_date=TODAY + timedelta(days=90)
    )
    PractitionerFactory.create(
        team=world.team_north, family_name="Lapsed", swe_renewal_date=TODAY - timedelta(days=2)
    )
    PractitionerFactory.create(
        team=world.team_north, family_name="Later", swe_renewal_date=TODAY + timedelta(days=91)
    )
    PractitionerFactory.create(
        team=world.team_south, family_name="South", swe_renewal_date=TODAY + timedelta(days=5)
    )
    renewals = figures.registrations_to_renew(on=TODAY, team_ids=[world.team_north.pk])
    assert [(r.name.split()[-1], r.lapsed, r.days_left) for r in renewals] == [
        ("Lapsed", True, -2),
        ("Soon", False, 90),
    ]


def test_asyes_with_their_protected_capacity_and_stage(world: World) -> None:
    programme = ProgrammeFactory.create(
        practitioner__team=world.team_north,
        practitioner__fte=Decimal("0.5"),
        starts_on=TODAY - timedelta(days=120),
    )
    ReviewFactory.create(programme=programme, months=3)
    (row,) = figures.asyes(on=TODAY, stages_for=[world.team_north.pk])
    assert row.development_percent == 10
    assert row.protected_points == Decimal("4.3")
    assert row.stage is not None
    assert row.stage.last_held is not None
    assert row.stage.last_held.months == 3
    assert row.stage.upcoming is not None
    assert row.stage.upcoming.months == 6
    # Without the team in `stages_for`, no programme is read.
    (unseen,) = figures.asyes(on=TODAY)
    assert unseen.stage is None


def test_absence_now_counts_people_once_and_long_term_over_28_days(world: World) -> None:
    Absence.objects.create(
        practitioner=world.priya_practitioner,
        starts_on=TODAY - timedelta(days=27),
        ends_on=TODAY,
        reason="sickness",
    )
    Absence.objects.create(
        practitioner=world.priya_practitioner,
        starts_on=TODAY,
        ends_on=TODAY + timedelta(days=1),
        reason="annual_leave",
    )
    Absence.objects.create(
        practitioner=world.colin_practitioner,
        starts_on=TODAY - timedelta(days=3),
        ends_on=TODAY + timedelta(days=30),
        reason="sickness",
    )
    # Over, and not yet begun: not absent today.
    Absence.objects.create(
        practitioner=world.max_practitioner,
        starts_on=TODAY - timedelta(days=10),
        ends_on=TODAY - timedelta(days=1),
        reason="training",
    )
    rows = {row.team: row for row in figures.absence_now(on=TODAY)}
    north = rows["Older People North"]
    assert (north.headcount, north.absent, north.fte_absent, north.long_term) == (
        3,
        2,
        Decimal(2),
        1,
    )
    assert rows["Mental Health South"].absent == 0


def test_every_figure_takes_the_same_queries_as_the_council_grows(world: World) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            teams = figures.establishment_by_team(on=TODAY)
            figures.council_totals(teams)
            figures.specialism_coverage(on=TODAY)
            figures.registrations_to_renew(on=TODAY)
            ids = [t.team_id for t in teams]
            figures.asyes(on=TODAY, stages_for=ids)
            figures.absence_now(on=TODAY)
        return len(captured)

    ProgrammeFactory.create(practitioner__team=world.team_north, starts_on=TODAY)
    before = count()
    for _ in range(3):
        team = TeamFactory.create()
        _add_staff(team)
    assert count() == before


def _add_staff(team: Team) -> None:
    bia, _ = Specialism.objects.get_or_create(code="bia")
    for _ in range(2):
        practitioner = PractitionerFactory.create(team=team, swe_renewal_date=TODAY)
        practitioner.specialisms.add(bia)
        Absence.objects.create(practitioner=practitioner, starts_on=TODAY, reason="sickness")
    ReviewFactory.create(programme__practitioner__team=team)
    set_establishment(
        by=UserFactory.create(access_role="director"),
        team=team,
        role="social_worker",
        funded_fte=Decimal(3),
        effective_from=FIRST_APRIL,
    )
