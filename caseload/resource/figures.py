"""Resource figures: each team's establishment against its staff in post on a day, and the
staff behind them (specialisms, registrations to renew, ASYEs, absence).

Every function here works from a handful of bulk queries, whatever the number of teams and
practitioners, and takes no user: the caller decides which teams to ask about (the resource
page asks for the teams the viewer may see; the Health Check for every team).

Definitions (as the DfE's social work workforce statistics use them):

- in post on a day: started by then and not yet left (`left_on` is the first day gone);
- FTE in post: the FTE of everyone in post, agency staff included;
- vacancy: a funded post not held by an employee (permanent or fixed-term), so an agency
  worker covering a post leaves it vacant: vacancy FTE = funded FTE less employed FTE, never
  below nought;
- agency share: agency FTE as a share of FTE in post.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q

from caseload.asye.models import Programme, ProgrammeStatus
from caseload.complexity.models import ModelVersion
from caseload.register.models import (
    Absence,
    Employment,
    Practitioner,
    Team,
    absences_covering,
)
from caseload.resource.models import ESTABLISHMENT_ROLES, Establishment
from caseload_engine import asye
from caseload_engine.reference import PCF_LEVEL_CHOICES, ROLE_CHOICES, SPECIALISM_CHOICES, Role

ZERO = Decimal(0)
# Social Work England registrations renewing within this many days are listed.
RENEWAL_DAYS = 90
# An absence is long-term once it lasts longer than this (four weeks, as sickness reporting
# usually counts it), counting the days already taken and any planned to come.
LONG_TERM_DAYS = 28
# The specialisms whose coverage is shown team by team: the statutory roles a team calls on.
COVERED_SPECIALISMS = ("bia", "amhp")
ROLE_LABELS = dict(ROLE_CHOICES)
PCF_LEVELS = [code for code, _ in PCF_LEVEL_CHOICES]


def _percent(part: Decimal, whole: Decimal) -> int | None:
    return round(part * 100 / whole) if whole else None


@dataclass(frozen=True)
class RoleFigures:
    """One role in one team (or, with the role "", a total) on a day."""

    role: str
    funded_fte: Decimal | None  # None: no establishment set for the role
    fte_in_post: Decimal
    agency_fte: Decimal
    headcount: int

    @property
    def label(self) -> str:
        return ROLE_LABELS.get(self.role, "All roles")

    @property
    def employed_fte(self) -> Decimal:
        return self.fte_in_post - self.agency_fte

    @property
    def vacancy_fte(self) -> Decimal:
        if self.funded_fte is None:
            return ZERO
        return max(self.funded_fte - self.employed_fte, ZERO)

    @property
    def vacancy_percent(self) -> int | None:
        """Vacancy FTE as a share of funded FTE."""
        return _percent(self.vacancy_fte, self.funded_fte or ZERO)

    @property
    def agency_percent(self) -> int | None:
        return _percent(self.agency_fte, self.fte_in_post)

    @property
    def over_establishment_fte(self) -> Decimal:
        """Employed FTE beyond the funded posts (or all of it, with no establishment set)."""
        return max(self.employed_fte - (self.funded_fte or ZERO), ZERO)


def _total(rows: Iterable[RoleFigures], *, role: str = "") -> RoleFigures:
    rows = list(rows)
    funded = [r.funded_fte for r in rows if r.funded_fte is not None]
    return RoleFigures(
        role=role,
        funded_fte=sum(funded, ZERO) if funded else None,
        fte_in_post=sum((r.fte_in_post for r in rows), ZERO),
        agency_fte=sum((r.agency_fte for r in rows), ZERO),
        headcount=sum(r.headcount for r in rows),
    )


@dataclass(frozen=True)
class TeamEstablishment:
    """A team's establishment against its staff in post, role by role: every role with a
    funded post or someone in post, in the roles' order."""

    team_id: int
    team: str
    locality: str
    roles: tuple[RoleFigures, ...]
    # FTE in post by PCF level (every level, nought where no one holds it).
    fte_by_pcf_level: tuple[tuple[str, Decimal], ...]

    @property
    def total(self) -> RoleFigures:
        """The team's figures over all its roles. Its vacancy is the sum of the roles'
        (someone in post beyond one role's funding does not fill another role's vacancy)."""
        return _total(self.roles)

    @property
    def vacancy_fte(self) -> Decimal:
        return sum((r.vacancy_fte for r in self.roles), ZERO)

    @property
    def vacancy_percent(self) -> int | None:
        return _percent(self.vacancy_fte, self.total.funded_fte or ZERO)


@dataclass(frozen=True)
class CouncilEstablishment:
    """The teams' figures added up: per role, and over all of them."""

    roles: tuple[RoleFigures, ...]
    vacancy_fte: Decimal
    fte_by_pcf_level: tuple[tuple[str, Decimal], ...]

    @property
    def total(self) -> RoleFigures:
        return _total(self.roles)

    @property
    def vacancy_percent(self) -> int | None:
        return _percent(self.vacancy_fte, self.total.funded_fte or ZERO)


def in_post_on(day: date) -> Q:
    """Practitioners in a team and in post on the day."""
    return Q(team__isnull=False, start_date__lte=day) & (
        Q(left_on__isnull=True) | Q(left_on__gt=day)
    )


def _teams(team_ids: Collection[int] | None) -> list[tuple[int, str, str]]:
    teams = Team.objects.order_by("name")
    if team_ids is not None:
        teams = teams.filter(pk__in=list(team_ids))
    return list(teams.values_list("pk", "name", "locality__name"))


def funded_on(day: date, team_ids: Collection[int]) -> dict[tuple[int, str], Decimal]:
    """The funded FTE in force on the day, by (team id, role): the latest row from the day or
    before. One query; the rows are few (teams x roles x changes)."""
    funded: dict[tuple[int, str], Decimal] = {}
    rows = (
        Establishment.objects.filter(team_id__in=list(team_ids), effective_from__lte=day)
        .order_by("effective_from", "pk")
        .values_list("team_id", "role", "funded_fte")
    )
    for team_id, role, fte in rows:
        funded[(team_id, role)] = fte
    return funded


def establishment_by_team(
    *, on: date, team_ids: Collection[int] | None = None
) -> list[TeamEstablishment]:
    """Each team's establishment against its staff in post on the day, by name (every team,
    or those in `team_ids`). Three queries."""
    teams = _teams(team_ids)
    ids = [pk for pk, _, _ in teams]
    funded = funded_on(on, ids)
    in_post: dict[tuple[int, str], list[tuple[Decimal, bool]]] = defaultdict(list)
    by_level: dict[int, dict[str, Decimal]] = defaultdict(lambda: dict.fromkeys(PCF_LEVELS, ZERO))
    for team_id, role, level, fte, employment in Practitioner.objects.filter(
        in_post_on(on), team_id__in=ids
    ).values_list("team_id", "role", "pcf_level", "fte", "employment"):
        in_post[(team_id, role)].append((fte, employment == Employment.AGENCY))
        by_level[team_id][level] += fte
    order = [*ESTABLISHMENT_ROLES, *(r for r, _ in ROLE_CHOICES if r not in ESTABLISHMENT_ROLES)]
    result = []
    for team_id, name, locality in teams:
        roles = []
        for role in order:
            staff = in_post.get((team_id, role), [])
            if (team_id, role) not in funded and not staff:
                continue
            roles.append(
                RoleFigures(
                    role=role,
                    funded_fte=funded.get((team_id, role)),
                    fte_in_post=sum((fte for fte, _ in staff), ZERO),
                    agency_fte=sum((fte for fte, agency in staff if agency), ZERO),
                    headcount=len(staff),
                )
            )
        result.append(
            TeamEstablishment(
                team_id=team_id,
                team=name,
                locality=locality,
                roles=tuple(roles),
                fte_by_pcf_level=tuple(by_level[team_id].items()),
            )
        )
    return result


def council_totals(teams: Sequence[TeamEstablishment]) -> CouncilEstablishment:
    """The teams' figures added up, role by role (in the roles' order)."""
    by_role: dict[str, list[RoleFigures]] = defaultdict(list)
    for team in teams:
        for row in team.roles:
            by_role[row.role].append(row)
    levels = dict.fromkeys(PCF_LEVELS, ZERO)
    for team in teams:
        for level, fte in team.fte_by_pcf_level:
            levels[level] += fte
    return CouncilEstablishment(
        roles=tuple(
            _total(by_role[role], role=role) for role, _ in ROLE_CHOICES if role in by_role
        ),
        vacancy_fte=sum((team.vacancy_fte for team in teams), ZERO),
        fte_by_pcf_level=tuple(levels.items()),
    )


# -- specialisms -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Coverage:
    """How many practitioners in post hold each covered specialism, in a team or a locality."""

    name: str
    locality: str
    counts: tuple[tuple[str, int], ...]  # (specialism code, how many), COVERED_SPECIALISMS order

    @property
    def missing(self) -> list[str]:
        return [code for code, count in self.counts if count == 0]


@dataclass(frozen=True)
class SpecialismCoverage:
    teams: tuple[Coverage, ...]
    localities: tuple[Coverage, ...]
    labels: tuple[tuple[str, str], ...]  # (code, label) of each covered specialism

    @property
    def gaps(self) -> list[tuple[str, list[str]]]:
        """Each covered specialism that some team lacks: its label and those teams."""
        found = [
            (label, [team.name for team in self.teams if code in team.missing])
            for code, label in self.labels
        ]
        return [(label, names) for label, names in found if names]


def specialism_coverage(*, on: date, team_ids: Collection[int] | None = None) -> SpecialismCoverage:
    """BIAs and AMHPs in post, per team and per locality. Two queries."""
    teams = _teams(team_ids)
    held: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COVERED_SPECIALISMS, 0))
    for team_id, code in Practitioner.objects.filter(
        in_post_on(on),
        team_id__in=[pk for pk, _, _ in teams],
        specialisms__code__in=COVERED_SPECIALISMS,
    ).values_list("team_id", "specialisms__code"):
        held[team_id][code] += 1
    by_team = tuple(
        Coverage(name, locality, tuple(held[pk].items()) if pk in held else _none())
        for pk, name, locality in teams
    )
    localities: dict[str, dict[str, int]] = {}
    for coverage in by_team:
        counts = localities.setdefault(coverage.locality, dict.fromkeys(COVERED_SPECIALISMS, 0))
        for code, count in coverage.counts:
            counts[code] += count
    labels = dict(SPECIALISM_CHOICES)
    return SpecialismCoverage(
        teams=by_team,
        localities=tuple(
            Coverage(name, name, tuple(counts.items()))
            for name, counts in sorted(localities.items())
        ),
        labels=tuple((code, labels[code]) for code in COVERED_SPECIALISMS),
    )


def _none() -> tuple[tuple[str, int], ...]:
    return tuple((code, 0) for code in COVERED_SPECIALISMS)


# -- registrations -------------------------------------------------------------------------


@dataclass(frozen=True)
class Renewal:
    practitioner_id: int
    name: str
    team: str
    renewal_date: date
    on: date

    @property
    def lapsed(self) -> bool:
        return self.renewal_date < self.on

    @property
    def days_left(self) -> int:
        return (self.renewal_date - self.on).days


def registrations_to_renew(*, on: date, team_ids: Collection[int] | None = None) -> list[Renewal]:
    """Practitioners in post whose Social Work England registration renews within
    RENEWAL_DAYS of the day, or should already have: soonest first. One query."""
    rows = Practitioner.objects.filter(
        in_post_on(on), swe_renewal_date__lte=on + timedelta(days=RENEWAL_DAYS)
    )
    if team_ids is not None:
        rows = rows.filter(team_id__in=list(team_ids))
    return [
        Renewal(pk, f"{given} {family}", team, renewal, on)
        for pk, given, family, team, renewal in rows.order_by(
            "swe_renewal_date", "family_name", "given_name", "pk"
        ).values_list("pk", "given_name", "family_name", "team__name", "swe_renewal_date")
        if renewal is not None  # the filter keeps only dates; this tells the type checker
    ]


# -- ASYEs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AsyeStage:
    """Where an ASYE's programme stands: its assessor and its next review, if any."""

    programme_id: int
    assessor: str
    starts_on: date
    last_held: asye.ScheduledReview | None
    upcoming: asye.ScheduledReview | None


@dataclass(frozen=True)
class AsyeCapacity:
    practitioner_id: int
    name: str
    team_id: int
    team: str
    fte: Decimal
    development_percent: int
    protected_points: Decimal  # capacity points kept back from cases for development
    # None: no programme in progress, or not asked for (the viewer may not see it).
    stage: AsyeStage | None


def asyes(
    *, on: date, team_ids: Collection[int] | None = None, stages_for: Collection[int] = ()
) -> list[AsyeCapacity]:
    """The ASYEs in post, with their protected capacity (the complexity model's share for the
    role, as allocation applies it) and, for those in the teams of `stages_for`, their
    programme's assessor and stage. At most five queries."""
    rows = Practitioner.objects.filter(in_post_on(on), role=Role.ASYE)
    if team_ids is not None:
        rows = rows.filter(team_id__in=list(team_ids))
    found = list(
        rows.order_by("team__name", "family_name", "given_name", "pk").values_list(
            "pk", "given_name", "family_name", "team_id", "team__name", "fte"
        )
    )
    if not found:
        return []
    capacity = ModelVersion.current().model.capacity
    share = capacity.role_share.get(Role.ASYE.value, Decimal(1))
    development = 100 - round(share * 100)
    stages: dict[int, AsyeStage] = {}
    wanted = [pk for pk, _, _, team_id, _, _ in found if team_id in set(stages_for)]
    for programme in (
        Programme.objects.filter(practitioner_id__in=wanted, status=ProgrammeStatus.ACTIVE)
        .select_related("assessor")
        .prefetch_related("reviews")
    ):
        schedule = programme.schedule(on)
        held = [review for review in schedule if review.held_on is not None]
        stages[programme.practitioner_id] = AsyeStage(
            programme_id=programme.pk,
            assessor=programme.assessor.get_full_name() or programme.assessor.get_username(),
            starts_on=programme.starts_on,
            last_held=held[-1] if held else None,
            upcoming=asye.next_review(schedule),
        )
    return [
        AsyeCapacity(
            practitioner_id=pk,
            name=f"{given} {family}",
            team_id=team_id,
            team=team,
            fte=fte,
            development_percent=development,
            protected_points=capacity.protected_points(Role.ASYE.value, fte),
            stage=stages.get(pk),
        )
        for pk, given, family, team_id, team, fte in found
    ]


# -- absence -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamAbsence:
    team_id: int
    team: str
    headcount: int  # in post
    absent: int
    fte_absent: Decimal
    long_term: int


def absence_now(*, on: date, team_ids: Collection[int] | None = None) -> list[TeamAbsence]:
    """Per team, who in post is away on the day: how many, their FTE, and how many of them on
    a long-term absence (longer than LONG_TERM_DAYS, taken and planned). Someone with two
    absences covering the day counts once, as long-term if either is. Two queries."""
    teams = _teams(team_ids)
    ids = [pk for pk, _, _ in teams]
    people: dict[int, tuple[int, Decimal]] = {
        pk: (team_id, fte)
        for pk, team_id, fte in Practitioner.objects.filter(
            in_post_on(on), team_id__in=ids
        ).values_list("pk", "team_id", "fte")
    }
    away: dict[int, bool] = {}
    for practitioner_id, starts_on, ends_on in Absence.objects.filter(
        absences_covering(on), practitioner_id__in=list(people)
    ).values_list("practitioner_id", "starts_on", "ends_on"):
        last = max(on, ends_on) if ends_on is not None else on
        long_term = (last - starts_on).days + 1 > LONG_TERM_DAYS
        away[practitioner_id] = away.get(practitioner_id, False) or long_term
    headcount: dict[int, int] = defaultdict(int)
    for team_id, _ in people.values():
        headcount[team_id] += 1
    absent: dict[int, list[tuple[Decimal, bool]]] = defaultdict(list)
    for practitioner_id, long_term in away.items():
        team_id, fte = people[practitioner_id]
        absent[team_id].append((fte, long_term))
    return [
        TeamAbsence(
            team_id=pk,
            team=name,
            headcount=headcount[pk],
            absent=len(absent[pk]),
            fte_absent=sum((fte for fte, _ in absent[pk]), ZERO),
            long_term=sum(1 for _, long_term in absent[pk] if long_term),
        )
        for pk, name, _ in teams
    ]
