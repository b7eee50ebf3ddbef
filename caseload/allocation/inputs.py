"""The engine's inputs, read from the register: a team's waiting cases and its practitioners."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Min, OuterRef, QuerySet, Subquery
from django.utils import dateformat, timezone

from caseload.allocation.models import Handover
from caseload.complexity.load import held_points
from caseload.complexity.models import Assessment, ModelVersion, capacity_points
from caseload.register.models import (
    CASE_HOLDING_ROLE_CODES,
    Absence,
    Allocation,
    Case,
    CaseStatus,
    Practitioner,
    Team,
    absences_covering,
)
from caseload_engine import allocation

# A reserved function that also needs a specialism: the practitioner must hold it.
SKILL_FOR_RESERVED_FUNCTION = {"best_interests_assessment": "bia", "amhp": "amhp"}


@dataclass(frozen=True)
class EngineInputs:
    cases: tuple[allocation.CaseToAllocate, ...]
    practitioners: tuple[allocation.PractitionerCapacity, ...]
    unscored: tuple[Case, ...]  # waiting, but without a tier: to be scored first
    # Practitioner id -> why they take no cases, in words.
    unavailable: Mapping[str, str]


def with_allocation_facts(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Cases with their current tier, points and reserved functions, and who held them last."""
    current = Assessment.objects.filter(case=OuterRef("pk"), is_current=True)
    last_holder = Allocation.objects.filter(case=OuterRef("pk")).order_by("-started_at", "-pk")
    return cases.annotate(
        current_tier=Subquery(current.values("effective_tier")[:1]),
        current_points=Subquery(current.values("points")[:1]),
        current_reserved=Subquery(current.values("reserved_functions")[:1]),
        previous_practitioner_id=Subquery(last_holder.values("practitioner_id")[:1]),
    )


def meeting_cases(team: Team) -> QuerySet[Case]:
    """The team's cases awaiting allocation, in the order the meeting takes them."""
    return with_allocation_facts(
        team.cases.filter(status=CaseStatus.AWAITING_ALLOCATION).select_related("person")
    ).order_by("priority", "opened_at", "pk")


def _engine_case(case: Case, team: Team, *, previous: str | None) -> allocation.CaseToAllocate:
    reserved = case.current_reserved or []  # type: ignore[attr-defined]
    return allocation.CaseToAllocate(
        case_id=str(case.pk),
        team=team.name,
        tier=case.current_tier,  # type: ignore[attr-defined]
        points=Decimal(case.current_points),  # type: ignore[attr-defined]
        required_skills=frozenset(
            SKILL_FOR_RESERVED_FUNCTION[key]
            for key in reserved
            if key in SKILL_FOR_RESERVED_FUNCTION
        ),
        reserved=bool(reserved),
        previous_practitioner=previous,
        waiting_since=timezone.localdate(case.opened_at),
        priority=case.priority,
    )


@dataclass(frozen=True)
class Staff:
    practitioners: tuple[allocation.PractitionerCapacity, ...]
    unavailable: Mapping[str, str]


def _why_unavailable(
    teams: Sequence[Team], *, on: date, away: Practitioner | None
) -> dict[int, str]:
    """Who in the teams takes no cases on the day, and why: the practitioner a what-if is
    about; anyone absent that day; anyone whose cases are already planned to pass to others,
    since new cases given to them would miss that plan."""
    why: dict[int, str] = {}
    for practitioner_id, due_on in (
        Handover.objects.filter(
            from_practitioner__team__in=teams,
            state=Handover.State.PLANNED,
            case__status=CaseStatus.ALLOCATED,
        )
        .values_list("from_practitioner")
        .annotate(first_due=Min("due_on"))
    ):
        why[practitioner_id] = "handing over their cases from " + dateformat.format(due_on, "j M Y")
    for absence in Absence.objects.filter(practitioner__team__in=teams).filter(
        absences_covering(on)
    ):
        why[absence.practitioner_id] = f"away: {absence.get_reason_display().lower()}"
    if away is not None:
        why[away.pk] = "away from " + dateformat.format(on, "j M Y")
    return why


def practitioners_of(team: Team, *, on: date, away: Practitioner | None = None) -> Staff:
    """The team's case holders: capacity, points held now, skills, and whether available."""
    return practitioners_of_teams([team], on=on, away=away)


def practitioners_of_teams(
    teams: Sequence[Team], *, on: date, away: Practitioner | None = None
) -> Staff:
    """`practitioners_of` for several teams at once, in the same few queries however many."""
    model = ModelVersion.current().model
    why = _why_unavailable(teams, on=on, away=away)
    staff = (
        Practitioner.objects.filter(
            team__in=teams, left_on__isnull=True, role__in=CASE_HOLDING_ROLE_CODES
        )
        .select_related("team")
        .annotate(held=held_points())
        .prefetch_related("specialisms")
        .order_by("team__name", "pk")
    )
    practitioners = tuple(
        allocation.PractitionerCapacity(
            practitioner_id=str(p.pk),
            team=p.team.name if p.team else "",
            role=p.role,
            fte=p.fte,
            capacity_points=capacity_points(
                role=p.role, fte=p.fte, personal=p.capacity_points, model=model
            ),
            current_points=Decimal(p.held or 0),
            skills=frozenset(s.code for s in p.specialisms.all()),
            available=p.pk not in why,
            name=p.full_name,
        )
        for p in staff
    )
    return Staff(
        practitioners=practitioners,
        unavailable={
            p.practitioner_id: why[int(p.practitioner_id)] for p in practitioners if not p.available
        },
    )


def meeting_inputs(team: Team, *, on: date) -> EngineInputs:
    cases = list(meeting_cases(team))
    scored = [case for case in cases if case.current_tier is not None]  # type: ignore[attr-defined]
    staff = practitioners_of(team, on=on)
    return EngineInputs(
        cases=tuple(
            _engine_case(
                case,
                team,
                previous=str(case.previous_practitioner_id)  # type: ignore[attr-defined]
                if case.previous_practitioner_id  # type: ignore[attr-defined]
                else None,
            )
            for case in scored
        ),
        practitioners=staff.practitioners,
        unscored=tuple(case for case in cases if case.current_tier is None),  # type: ignore[attr-defined]
        unavailable=staff.unavailable,
    )


def what_if_cases(away: Practitioner) -> QuerySet[Case]:
    """The cases a practitioner holds now, which someone else would take on."""
    return with_allocation_facts(
        Case.objects.filter(
            status=CaseStatus.ALLOCATED,
            allocations__practitioner=away,
            allocations__ended_at__isnull=True,
        ).select_related("person")
    ).order_by("priority", "opened_at", "pk")


def what_if_inputs(team: Team, away: Practitioner, *, away_from: date) -> EngineInputs:
    """The away practitioner's cases, to go to the rest of the team; going back to them is
    not continuity they can offer, so no previous practitioner is passed."""
    cases = list(what_if_cases(away))
    scored = [case for case in cases if case.current_tier is not None]  # type: ignore[attr-defined]
    staff = practitioners_of(team, on=away_from, away=away)
    return EngineInputs(
        cases=tuple(_engine_case(case, team, previous=None) for case in scored),
        practitioners=staff.practitioners,
        unscored=tuple(case for case in cases if case.current_tier is None),  # type: ignore[attr-defined]
        unavailable=staff.unavailable,
    )


def case_from_record(record: dict[str, Any]) -> allocation.CaseToAllocate:
    """A case as a proposal recorded it (JSON), back as the engine's input."""
    return allocation.CaseToAllocate(
        case_id=record["case_id"],
        team=record["team"],
        tier=int(record["tier"]),
        points=Decimal(record["points"]),
        required_skills=frozenset(record["required_skills"]),
        reserved=bool(record["reserved"]),
        previous_practitioner=record["previous_practitioner"],
        priority=int(record["priority"]),
    )


def practitioner_from_record(record: dict[str, Any]) -> allocation.PractitionerCapacity:
    """A practitioner as a proposal recorded them (JSON), back as the engine's input."""
    return allocation.PractitionerCapacity(
        practitioner_id=record["practitioner_id"],
        team=record["team"],
        role=record["role"],
        fte=Decimal(record["fte"]),
        capacity_points=Decimal(record["capacity_points"]),
        current_points=Decimal(record["current_points"]),
        skills=frozenset(record["skills"]),
        available=bool(record["available"]),
        name=record["name"],
    )
