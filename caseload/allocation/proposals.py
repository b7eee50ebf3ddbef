"""Reading a recorded proposal: its cases with who may take each, and the team's loads for any
set of choices (as proposed, as the manager is choosing, or as decided)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from caseload.allocation.inputs import (
    case_from_record,
    meeting_cases,
    practitioner_from_record,
    practitioners_of,
    practitioners_of_teams,
    what_if_cases,
)
from caseload.allocation.models import AllocationProposal, Handover
from caseload.register.models import Case, Team
from caseload_engine import allocation


@dataclass(frozen=True)
class Load:
    """A practitioner's points against capacity."""

    points: Decimal
    capacity: Decimal

    @property
    def percent(self) -> int:
        return round(self.points * 100 / self.capacity) if self.capacity else 0

    @property
    def over(self) -> bool:
        return self.points > self.capacity

    @property
    def points_shown(self) -> str:
        return shown(self.points)

    @property
    def capacity_shown(self) -> str:
        return shown(self.capacity)


def shown(points: Decimal) -> str:
    """Points as people write them: 12.5, 10 (not 10.00 or 1E+1)."""
    return f"{points.normalize():f}"


@dataclass(frozen=True)
class ProposalRow:
    """One case of a proposal, with the practitioners the rules let take it."""

    case_id: int
    case: Case | None  # None if the case has since been deleted
    record: dict[str, Any]  # the case as the engine saw it
    item: dict[str, Any]  # the engine's proposal for it
    proposed: str | None  # the proposed practitioner's id
    eligible: tuple[str, ...]  # practitioner ids, in the team's order

    @property
    def points(self) -> Decimal:
        return Decimal(self.record["points"])

    @property
    def name(self) -> str:
        return self.case.person.full_name if self.case is not None else f"case {self.case_id}"


def staff_of(proposal: AllocationProposal) -> dict[str, dict[str, Any]]:
    """The team as the proposal saw it: practitioner id -> their record."""
    return {p["practitioner_id"]: p for p in proposal.inputs["practitioners"]}


def rows_of(proposal: AllocationProposal) -> list[ProposalRow]:
    staff = staff_of(proposal)
    engine_cases = {c["case_id"]: c for c in proposal.inputs["cases"]}
    cases = Case.objects.select_related("person").in_bulk(
        [int(case_id) for case_id in engine_cases]
    )
    rules = allocation.Rules(model=proposal.model_version.model)
    rows = []
    for item in proposal.result["proposals"]:
        record = engine_cases[item["case_id"]]
        engine_case = case_from_record(record)
        rows.append(
            ProposalRow(
                case_id=int(item["case_id"]),
                case=cases.get(int(item["case_id"])),
                record=record,
                item=item,
                proposed=item["practitioner_id"] or None,
                eligible=tuple(
                    pid
                    for pid, p in staff.items()
                    if allocation.eligibility(
                        engine_case, practitioner_from_record(p), rules
                    ).allowed
                ),
            )
        )
    return rows


def proposed_choices(proposal: AllocationProposal) -> dict[str, str | None]:
    """Case id -> practitioner id, as the engine proposed."""
    return {
        item["case_id"]: item["practitioner_id"] or None for item in proposal.result["proposals"]
    }


def decided_choices(proposal: AllocationProposal) -> dict[str, str | None]:
    """Case id -> practitioner id, as the manager decided (None: left unallocated)."""
    return {
        str(entry["case_id"]): (
            str(entry["chosen"]) if entry["accepted"] and entry["chosen"] else None
        )
        for entry in proposal.decision.decisions
    }


def loads(
    proposal: AllocationProposal, chosen: Mapping[str, str | None]
) -> dict[str, tuple[Load, Load]]:
    """Practitioner id -> (load before, load after) if each case goes to whoever is chosen."""
    points = {c["case_id"]: Decimal(c["points"]) for c in proposal.inputs["cases"]}
    added: dict[str, Decimal] = {}
    for case_id, practitioner_id in chosen.items():
        if practitioner_id is not None and case_id in points:
            added[practitioner_id] = added.get(practitioner_id, Decimal(0)) + points[case_id]
    result = {}
    for pid, p in staff_of(proposal).items():
        before = Load(Decimal(p["current_points"]), Decimal(p["capacity_points"]))
        result[pid] = (before, Load(before.points + added.get(pid, Decimal(0)), before.capacity))
    return result


@dataclass(frozen=True)
class Staleness:
    """What changed since a proposal was made: cases that joined or left what it is about, and
    practitioners whose caseload changed (name, points then, points now)."""

    joined: tuple[Case, ...]
    left: tuple[Case, ...]
    caseloads: tuple[tuple[str, str, str], ...]

    def __bool__(self) -> bool:
        return bool(self.joined or self.left or self.caseloads)


def staleness(proposal: AllocationProposal) -> Staleness:
    """Whether the proposal still describes the team: the same cases waiting (a meeting) or
    held by whoever is away (a what-if), and the same points held by each practitioner."""
    team, away = proposal.team, proposal.away_practitioner
    then = {int(c["case_id"]) for c in proposal.inputs["cases"]} | set(
        proposal.inputs["unscored_case_ids"]
    )
    now_cases = meeting_cases(team) if away is None else what_if_cases(away)
    now = set(now_cases.values_list("pk", flat=True))
    changed = Case.objects.select_related("person").in_bulk(now ^ then)
    held_then = {p["practitioner_id"]: p for p in proposal.inputs["practitioners"]}
    staff = practitioners_of(team, on=timezone.localdate(), away=away)
    caseloads = []
    for p in staff.practitioners:
        if p.practitioner_id not in held_then:
            continue
        then_points = Decimal(held_then[p.practitioner_id]["current_points"])
        if then_points != p.current_points:
            caseloads.append((p.name, shown(then_points), shown(p.current_points)))
    return Staleness(
        joined=tuple(case for pk, case in sorted(changed.items()) if pk in now),
        left=tuple(case for pk, case in sorted(changed.items()) if pk in then),
        caseloads=tuple(caseloads),
    )


def planned_handovers_of(proposal: AllocationProposal) -> list[Handover]:
    """Handovers already planned for a what-if's cases: deciding it would clash with them."""
    if proposal.kind != AllocationProposal.Kind.WHAT_IF:
        return []
    return list(
        Handover.objects.filter(
            case_id__in=[int(c["case_id"]) for c in proposal.inputs["cases"]],
            state=Handover.State.PLANNED,
        ).select_related("case__person", "from_practitioner", "to_practitioner")
    )


@dataclass(frozen=True)
class Elsewhere:
    """Where a case nobody in its team can take might go instead: the team of the practitioner
    the engine's cross-team mode would pick, and every other team with room for it."""

    row: ProposalRow
    suggested_team: str | None
    teams: tuple[tuple[str, int], ...]  # team name, how many there may take it and have room


def capacity_elsewhere(proposal: AllocationProposal, rows: list[ProposalRow]) -> list[Elsewhere]:
    """Other teams' room for the proposal's unallocated cases, as things stand today: a
    suggestion for the managers to agree, never an allocation."""
    waiting = [row for row in rows if row.proposed is None]
    if not waiting:
        return []
    today = timezone.localdate()
    staff = list(
        practitioners_of_teams(
            list(Team.objects.exclude(pk=proposal.team_id)), on=today
        ).practitioners
    )
    rules = allocation.Rules(model=proposal.model_version.model, cross_team=True)
    cases = [case_from_record(row.record) for row in waiting]
    # The quick greedy pass is enough for a suggestion, and answers within the request.
    picked = {
        p.case_id: p.practitioner_id
        for p in allocation.allocate_greedy(cases, staff, rules).proposals
        if p.practitioner_id
    }
    team_of = {p.practitioner_id: p.team for p in staff}
    found = []
    for row, case in zip(waiting, cases, strict=True):
        room = Counter(
            p.team
            for p in staff
            if allocation.eligibility(case, p, rules).allowed
            and p.current_points + case.points <= p.capacity_points
        )
        found.append(
            Elsewhere(
                row=row,
                suggested_team=team_of.get(picked.get(case.case_id, "")),
                teams=tuple(sorted(room.items())),
            )
        )
    return found
