"""Loads a synthetic council from the engine's generator into the database, in one transaction."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from caseload.accounts.models import AccessRole, User
from caseload.annualreport.demo import load_demo_report
from caseload.asye.demo import load_demo_programmes
from caseload.audits.demo import load_demo_audits
from caseload.complexity.models import Assessment, ModelVersion
from caseload.decisions.demo import load_demo_decisions
from caseload.healthcheck.demo import load_demo_survey
from caseload.learning.demo import load_demo_learning
from caseload.planning.demo import load_demo_plan
from caseload.register.actions import PERSON_ID_SEQUENCE
from caseload.register.models import (
    Absence,
    Allocation,
    Case,
    Contact,
    IdentifierSequence,
    Locality,
    Person,
    Practitioner,
    PractitionerRoleChange,
    Specialism,
    SupportRequest,
    Team,
)
from caseload.resource.demo import load_demo_establishment
from caseload.safeguarding.demo import load_demo_safeguarding
from caseload.supervision.demo import load_supervision_history
from caseload.workload.demo import load_demo_workload
from caseload_engine import complexity, demo
from caseload_engine.demo_complexity import DemoScore, score_council
from caseload_engine.demo_safeguarding import person_profiles
from caseload_engine.reference import SPECIALISM_CHOICES, Role

BATCH = 2000
# Allocation priority 1 / 2 / 3: most cases are routine, a few urgent.
PRIORITY_MIX = (15, 60, 25)
# Demo requests arrive by early evening the day before; two hours on is still in the past.
ASSESSED_AFTER = timedelta(hours=2)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    access_role: str
    description: str


@dataclass(frozen=True)
class LoadedCouncil:
    teams: int
    practitioners: int
    people: int
    cases: int
    logins: tuple[DemoLogin, ...]


def _access_role(role: str) -> AccessRole:
    if role == Role.TEAM_MANAGER:
        return AccessRole.TEAM_MANAGER
    if role == Role.PRINCIPAL_SOCIAL_WORKER:
        return AccessRole.PRINCIPAL_SOCIAL_WORKER
    return AccessRole.PRACTITIONER


def _persona_keys(council: demo.DemoCouncil) -> dict[str, str]:
    """The practitioners behind the demo logins: a social worker and the manager of the first
    team, and the principal social worker."""
    first_team = council.teams[0].key
    in_first_team = [p for p in council.practitioners if p.team_key == first_team]
    social_worker = next(p for p in in_first_team if p.role == Role.SOCIAL_WORKER)
    manager = next(p for p in in_first_team if p.role == Role.TEAM_MANAGER)
    psw = next(p for p in council.practitioners if p.role == Role.PRINCIPAL_SOCIAL_WORKER)
    return {social_worker.key: "practitioner", manager.key: "manager", psw.key: "psw"}


def _score_every_case(
    council: demo.DemoCouncil,
    cases: list[Case],
    practitioners: dict[str, Practitioner],
    *,
    seed: int,
) -> None:
    """One current assessment per case under the current model, scored by its holder (or the
    team manager for cases no one holds)."""
    version = ModelVersion.current()
    model = version.model
    managers = {
        p.team_key: practitioners[p.key].user
        for p in council.practitioners
        if p.role == Role.TEAM_MANAGER
    }
    Assessment.objects.bulk_create(
        (
            _assessment(case, demo_case, demo_score, version, model, practitioners, managers)
            for case, demo_case, demo_score in zip(
                cases, council.cases, score_council(council, model, seed=seed), strict=True
            )
        ),
        batch_size=BATCH,
    )


def _assessment(
    case: Case,
    demo_case: demo.DemoCase,
    demo_score: DemoScore,
    version: ModelVersion,
    model: complexity.ComplexityModel,
    practitioners: dict[str, Practitioner],
    managers: dict[str | None, User | None],
) -> Assessment:
    scored = complexity.score(model, demo_score.scores)
    holders = [a.practitioner_key for a in demo_case.allocations if a.ended_at is None]
    scorer = practitioners[holders[0]].user if holders else managers[demo_case.team_key]
    assessed_at = demo_case.received_at + ASSESSED_AFTER
    if demo_case.closed_at is not None:
        assessed_at = min(assessed_at, demo_case.closed_at)
    return Assessment(
        case=case,
        model_version=version,
        scores=dict(scored.scores),
        rationales={},
        reserved_functions=list(demo_score.reserved_functions),
        total=scored.total,
        tier=scored.tier,
        points=scored.points,
        assessed_by=scorer,
        assessed_at=assessed_at,
        is_current=True,
    )


@transaction.atomic
def load_demo_council(*, size: str, seed: int, as_of: date, password: str) -> LoadedCouncil:
    council = demo.generate(size, seed=seed, as_of=as_of)
    localities = {
        name: Locality.objects.create(name=name)
        for name in dict.fromkeys(team.locality for team in council.teams)
    }
    teams = {
        t.key: t_obj
        for t, t_obj in zip(
            council.teams,
            Team.objects.bulk_create(
                Team(
                    name=t.name,
                    service_area=t.service_area,
                    locality=localities[t.locality],
                    review_interval_months=demo.REVIEW_INTERVAL_MONTHS,
                )
                for t in council.teams
            ),
            strict=True,
        )
    }
    specialisms = {
        code: Specialism.objects.get_or_create(code=code)[0] for code, _ in SPECIALISM_CHOICES
    }

    personas = _persona_keys(council)
    hashed = make_password(password)
    unusable = make_password(None)
    users = User.objects.bulk_create(
        User(
            username=personas.get(p.key, p.key),
            first_name=p.given_name,
            last_name=p.family_name,
            access_role=_access_role(p.role),
            password=hashed if p.key in personas else unusable,
        )
        for p in council.practitioners
    )
    practitioners = {
        p.key: obj
        for p, obj in zip(
            council.practitioners,
            Practitioner.objects.bulk_create(
                Practitioner(
                    user=user,
                    given_name=p.given_name,
                    family_name=p.family_name,
                    role=p.role,
                    pcf_level=p.pcf_level,
                    fte=p.fte,
                    team=teams[p.team_key] if p.team_key else None,
                    swe_registration_number=p.swe_registration_number,
                    swe_renewal_date=p.swe_renewal_date,
                    employment=p.employment,
                    start_date=p.start_date,
                )
                for p, user in zip(council.practitioners, users, strict=True)
            ),
            strict=True,
        )
    }
    # Each practitioner's history of roles starts with their role from their start in post.
    PractitionerRoleChange.objects.bulk_create(
        PractitionerRoleChange(
            practitioner=practitioner,
            effective_from=practitioner.start_date,
            role=practitioner.role,
            changed_at=timezone.now(),
        )
        for practitioner in practitioners.values()
    )
    Through = Practitioner.specialisms.through
    Through.objects.bulk_create(
        Through(practitioner_id=practitioners[p.key].pk, specialism_id=specialisms[code].pk)
        for p in council.practitioners
        for code in p.specialisms
    )
    Absence.objects.bulk_create(
        Absence(
            practitioner=practitioners[p.key],
            starts_on=a.starts_on,
            ends_on=a.ends_on,
            reason=a.reason,
        )
        for p in council.practitioners
        for a in p.absences
    )
    director = User.objects.create(
        username="director",
        first_name="Dana",
        last_name="Director",
        access_role=AccessRole.DIRECTOR,
        password=hashed,
    )
    admin = User.objects.create(
        username="admin",
        first_name="Ash",
        last_name="Administrator",
        access_role=AccessRole.ADMINISTRATOR,
        is_staff=True,
        is_superuser=True,
        password=hashed,
    )
    safeguarding_lead = User.objects.create(
        username="safeguarding",
        first_name="Sam",
        last_name="Safeguarding",
        access_role=AccessRole.SAFEGUARDING_LEAD,
        password=hashed,
    )

    profiles = person_profiles(len(council.people), seed=seed)
    people = Person.objects.bulk_create(
        (
            Person(
                council_person_id=p.council_person_id,
                nhs_number=p.nhs_number,
                given_name=p.given_name,
                family_name=p.family_name,
                date_of_birth=p.date_of_birth,
                postcode=p.postcode,
                primary_support_reason=p.primary_support_reason,
                has_unpaid_carer=p.has_unpaid_carer,
                date_of_death=p.date_of_death,
                sex=sex,
                ethnicity=ethnicity,
            )
            for p, (sex, ethnicity) in zip(council.people, profiles, strict=True)
        ),
        batch_size=BATCH,
    )
    requests = SupportRequest.objects.bulk_create(
        (
            SupportRequest(
                person=people[c.person_index],
                route_of_access=c.route_of_access,
                source=c.source,
                received_at=c.received_at,
            )
            for c in council.cases
        ),
        batch_size=BATCH,
    )
    priorities = random.Random(seed).choices(  # noqa: S311 - synthetic data
        (1, 2, 3), weights=PRIORITY_MIX, k=len(council.cases)
    )
    cases = Case.objects.bulk_create(
        (
            Case(
                person=people[c.person_index],
                request=request,
                team=teams[c.team_key],
                status=c.status,
                opened_at=c.received_at,
                closed_at=c.closed_at,
                outcome=c.outcome,
                priority=priority,
                next_review_on=c.next_review_on,
                last_reviewed_on=c.last_reviewed_on,
            )
            for c, request, priority in zip(council.cases, requests, priorities, strict=True)
        ),
        batch_size=BATCH,
    )
    # Ids rather than instances: assigning related objects is most of the cost of these rows.
    user_ids = {p.key: user.pk for p, user in zip(council.practitioners, users, strict=True)}
    Allocation.objects.bulk_create(
        (
            Allocation(
                case_id=case.pk,
                practitioner_id=practitioners[a.practitioner_key].pk,
                started_at=a.started_at,
                ended_at=a.ended_at,
                allocated_by_id=user_ids[a.allocated_by_key],
            )
            for c, case in zip(council.cases, cases, strict=True)
            for a in c.allocations
        ),
        batch_size=BATCH,
    )
    Contact.objects.bulk_create(
        (
            Contact(
                case_id=case.pk,
                occurred_on=contact.occurred_on,
                kind=contact.kind,
                recorded_by_id=user_ids[contact.practitioner_key],
                practitioner_id=practitioners[contact.practitioner_key].pk,
                note=contact.note,
            )
            for c, case in zip(council.cases, cases, strict=True)
            for contact in c.contacts
        ),
        batch_size=BATCH,
    )
    _score_every_case(council, cases, practitioners, seed=seed)
    load_demo_programmes(as_of=as_of, created_by=admin)
    load_demo_decisions()
    load_demo_establishment(as_of=as_of, recorded_by=director, seed=seed)
    load_supervision_history(council, practitioners=practitioners, cases=cases, seed=seed)
    load_demo_workload(as_of=as_of, seed=seed)
    load_demo_survey(as_of=as_of, seed=seed)
    load_demo_plan(as_of=as_of, by=director)
    load_demo_audits(as_of=as_of, seed=seed)
    load_demo_safeguarding(
        council, people=people, teams=teams, practitioners=practitioners, seed=seed
    )
    load_demo_learning(as_of=as_of, seed=seed)
    load_demo_report(as_of=as_of)
    highest_id = max((int(p.council_person_id[1:]) for p in council.people), default=0)
    IdentifierSequence.objects.update_or_create(
        name=PERSON_ID_SEQUENCE, defaults={"next_value": highest_id + 1}
    )

    by_username = {u.username: u for u in (*users, director, admin, safeguarding_lead)}
    descriptions = {
        "practitioner": "social worker",
        "manager": "team manager",
        "psw": "principal social worker",
        "director": "director of adult social services",
        "admin": "administrator",
        "safeguarding": "safeguarding lead",
    }
    logins = tuple(
        DemoLogin(
            username=name,
            access_role=by_username[name].access_role,
            description=f"{descriptions[name]}: {by_username[name].get_full_name()}",
        )
        for name in descriptions
    )
    return LoadedCouncil(
        teams=len(teams),
        practitioners=len(practitioners),
        people=len(people),
        cases=len(cases),
        logins=logins,
    )
