"""Making and deciding allocation proposals. The manager decides; the engine proposes.

Accepting is all-or-nothing: every chosen allocation, every case's new status, the decision
record and the change events land in one transaction, or none do. Cases are locked in id order,
so two managers deciding at once queue rather than deadlock; the second finds the cases taken
and is told so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from caseload.accounts.models import User
from caseload.accounts.permissions import Permission, has_permission
from caseload.allocation.inputs import (
    EngineInputs,
    case_from_record,
    meeting_inputs,
    practitioner_from_record,
    what_if_inputs,
)
from caseload.allocation.models import AllocationDecision, AllocationProposal, Handover
from caseload.audit.models import ChangeEvent
from caseload.complexity.models import ModelVersion
from caseload.register.models import (
    Absence,
    Allocation,
    Case,
    CaseStatus,
    Practitioner,
    Team,
    absences_covering,
)
from caseload.web.errors import ActionRefused
from caseload_engine import allocation, reference

PROPOSAL_TIME_LIMIT_S = 10.0


@dataclass(frozen=True)
class Choice:
    """The manager's decision on one proposed case."""

    case_id: int
    accept: bool
    practitioner_id: int | None  # the practitioner chosen, proposed or not
    reason: str = ""


def _require_manager_of(by: User, team: Team) -> None:
    if not has_permission(by, Permission.MANAGE_TEAM_ALLOCATION, team=team):
        raise ActionRefused("Only the team's manager can run its allocation meeting")


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, frozenset | set | tuple | list):
        items = [_jsonable(item) for item in value]
        return sorted(items) if isinstance(value, frozenset | set) else items
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, date):
        return value.isoformat()
    return value


def _record_proposal(
    *,
    by: User,
    team: Team,
    kind: str,
    inputs: EngineInputs,
    away: Practitioner | None = None,
    away_from: date | None = None,
    away_reason: str = "",
    away_until: date | None = None,
) -> AllocationProposal:
    version = ModelVersion.current()
    rules = allocation.Rules(model=version.model)
    # A manager waits for this page: a bounded solve; the proposal says if it is not proven.
    result = allocation.allocate(
        inputs.cases, inputs.practitioners, rules, time_limit_s=PROPOSAL_TIME_LIMIT_S
    )
    proposal = AllocationProposal.objects.create(
        team=team,
        kind=kind,
        created_by=by,
        away_practitioner=away,
        away_from=away_from,
        away_reason=away_reason,
        away_until=away_until,
        model_version=version,
        inputs={
            "cases": [_jsonable(asdict(case)) for case in inputs.cases],
            "practitioners": [_jsonable(asdict(p)) for p in inputs.practitioners],
            "unscored_case_ids": [case.pk for case in inputs.unscored],
            "unavailable": dict(inputs.unavailable),
        },
        result={
            "proposals": [_jsonable(asdict(p)) for p in result.proposals],
            "utilisation": [
                {**_jsonable(asdict(u)), "before": u.before, "after": u.after}
                for u in result.utilisation
            ],
            "optimal": result.optimal,
            "stage_gaps": result.stage_gaps,
            "allocated": result.allocated,
            "not_allocated": result.not_allocated,
            "continuity_kept": result.continuity_kept,
            "highest_utilisation": result.highest_utilisation,
        },
    )
    ChangeEvent.objects.create(
        user=by,
        action="allocation_proposed",
        detail={"proposal_id": proposal.pk, "team_id": team.pk, "kind": kind},
    )
    return proposal


@transaction.atomic
def propose_for_meeting(*, by: User, team: Team) -> AllocationProposal:
    """The engine's proposal for the team's cases awaiting allocation. Changes no case."""
    _require_manager_of(by, team)
    return _record_proposal(
        by=by,
        team=team,
        kind=AllocationProposal.Kind.MEETING,
        inputs=meeting_inputs(team, on=timezone.localdate()),
    )


@transaction.atomic
def propose_what_if(
    *,
    by: User,
    practitioner: Practitioner,
    away_from: date,
    reason: str,
    away_until: date | None = None,
) -> AllocationProposal:
    """Where a practitioner's cases would go if they left or were off from a date, for a
    reason, until a last day away (None: not known). Changes nothing until a manager decides
    it; deciding it records the absence."""
    team = practitioner.team
    if team is None:
        raise ActionRefused("This practitioner is not in a team")
    _require_manager_of(by, team)
    if reason not in dict(reference.ABSENCE_REASON_CHOICES):
        raise ActionRefused("Choose why they will be away", field="reason")
    if away_until is not None and away_until < away_from:
        raise ActionRefused(
            "The last day away must be the same as or after the first", field="away_until"
        )
    return _record_proposal(
        by=by,
        team=team,
        kind=AllocationProposal.Kind.WHAT_IF,
        inputs=what_if_inputs(team, practitioner, away_from=away_from),
        away=practitioner,
        away_from=away_from,
        away_reason=reason,
        away_until=away_until,
    )


def _proposed(proposal: AllocationProposal) -> dict[int, int | None]:
    return {
        int(row["case_id"]): int(row["practitioner_id"]) if row["practitioner_id"] else None
        for row in proposal.result["proposals"]
    }


@transaction.atomic
def decide(*, by: User, proposal: AllocationProposal, choices: list[Choice]) -> AllocationDecision:
    """Write what the manager accepted or changed. A change of practitioner needs a reason."""
    _require_manager_of(by, proposal.team)
    if AllocationDecision.objects.filter(proposal=proposal).exists():
        raise ActionRefused("This proposal has already been decided: ask for a new one")
    proposed = _proposed(proposal)
    unknown = {choice.case_id for choice in choices} - set(proposed)
    if unknown:
        raise ActionRefused("A decision names a case that is not in this proposal")
    accepted = [choice for choice in choices if choice.accept and choice.practitioner_id]
    for choice in accepted:
        if choice.practitioner_id != proposed[choice.case_id] and not choice.reason.strip():
            raise ActionRefused(
                "Give a reason wherever you choose someone other than the proposal",
                field=f"reason_{choice.case_id}",
            )
    cases = {
        case.pk: case
        for case in Case.objects.select_for_update()
        .filter(pk__in=[choice.case_id for choice in accepted], team=proposal.team)
        .select_related("person")
        .order_by("pk")
    }
    holders = _current_holders(cases)
    staff = {
        p.pk: p
        for p in Practitioner.objects.filter(
            pk__in={choice.practitioner_id for choice in accepted}, team=proposal.team
        )
    }
    # Eligibility is judged on the team as the proposal saw it (roles, skills, absences);
    # capacity is the manager's call, made with the reason they give.
    snapshot = {int(p["practitioner_id"]): p for p in proposal.inputs["practitioners"]}
    model = proposal.model_version.model
    rules = allocation.Rules(model=model)
    engine_cases = {int(c["case_id"]): c for c in proposal.inputs["cases"]}
    # A what-if for a later day plans the handovers for that day; the cases stay where they are.
    away, away_from = proposal.away_practitioner, proposal.away_from
    plan = (
        (away, away_from)
        if away is not None and away_from is not None and away_from > timezone.localdate()
        else None
    )
    handed_over: list[tuple[Case, Practitioner]] = []
    for choice in accepted:
        case = cases.get(choice.case_id)
        if case is None or not _as_proposed_on(proposal, case, holders.get(case.pk)):
            raise ActionRefused(
                f"The case for {case.person.full_name if case else 'a person'} has changed since "
                "the proposal (someone else may have allocated it). Nothing was saved: ask for "
                "a new proposal"
            )
        practitioner = staff.get(choice.practitioner_id or 0)
        record = snapshot.get(choice.practitioner_id or 0)
        if practitioner is None or record is None:
            raise ActionRefused(
                "Choose a practitioner from the team", field=f"practitioner_{choice.case_id}"
            )
        check = allocation.eligibility(
            case_from_record(engine_cases[choice.case_id]),
            practitioner_from_record(record),
            rules,
        )
        if not check.allowed:
            raise ActionRefused(
                f"{practitioner.full_name} cannot take the case for {case.person.full_name}: "
                f"{check.reason}",
                field=f"practitioner_{choice.case_id}",
            )
        if plan is None:
            _allocate(
                by=by,
                case=case,
                practitioner=practitioner,
                detail={
                    "proposal_id": proposal.pk,
                    "as_proposed": choice.practitioner_id == proposed[choice.case_id],
                },
            )
        else:
            handed_over.append((case, practitioner))
    try:
        with transaction.atomic():
            decision = AllocationDecision.objects.create(
                proposal=proposal,
                decided_by=by,
                decisions=[
                    {
                        "case_id": choice.case_id,
                        "proposed": proposed[choice.case_id],
                        "chosen": choice.practitioner_id if choice.accept else None,
                        "accepted": choice.accept,
                        "reason": choice.reason.strip(),
                    }
                    for choice in choices
                ],
            )
    except IntegrityError:
        raise ActionRefused("This proposal has already been decided: ask for a new one") from None
    if plan is not None:
        _plan_handovers(
            by=by, decision=decision, away=plan[0], due_on=plan[1], handovers=handed_over
        )
    if away is not None and away_from is not None:
        _record_absence(by=by, proposal=proposal, away=away, starts_on=away_from)
    return decision


def _record_absence(
    *, by: User, proposal: AllocationProposal, away: Practitioner, starts_on: date
) -> None:
    """The absence a decided what-if was about, unless one already recorded covers it; from
    then on the practitioner is offered no cases while away."""
    ends_on = proposal.away_until
    # An absence covering both ends covers the days between; an open-ended one, every day on.
    if (
        away.absences.filter(absences_covering(starts_on))
        .filter(absences_covering(ends_on or date.max))
        .exists()
    ):
        return
    absence = Absence.objects.create(
        practitioner=away, starts_on=starts_on, ends_on=ends_on, reason=proposal.away_reason
    )
    ChangeEvent.objects.create(
        user=by,
        action="absence_recorded",
        detail={
            "absence_id": absence.pk,
            "practitioner_id": away.pk,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat() if ends_on else None,
            "reason": proposal.away_reason,
            "proposal_id": proposal.pk,
        },
    )


def _as_proposed_on(proposal: AllocationProposal, case: Case, holder: int | None) -> bool:
    """Whether the case is still where the proposal found it."""
    if proposal.kind == AllocationProposal.Kind.WHAT_IF:
        return case.status == CaseStatus.ALLOCATED and holder == proposal.away_practitioner_id
    return case.status == CaseStatus.AWAITING_ALLOCATION


def _current_holders(case_ids: Iterable[int]) -> dict[int, int]:
    """Case id -> the practitioner holding it now."""
    return dict(
        Allocation.objects.filter(case_id__in=case_ids, ended_at__isnull=True).values_list(
            "case_id", "practitioner_id"
        )
    )


def _allocate(*, by: User, case: Case, practitioner: Practitioner, detail: dict[str, Any]) -> None:
    """Give a locked case to the practitioner from now, ending whoever held it."""
    now = timezone.now()
    Allocation.objects.filter(case=case, ended_at__isnull=True).update(ended_at=now)
    try:
        with transaction.atomic():
            Allocation.objects.create(
                case=case, practitioner=practitioner, started_at=now, allocated_by=by
            )
    except IntegrityError:
        raise ActionRefused(
            f"The case for {case.person.full_name} was allocated by someone else meanwhile. "
            "Nothing was saved: ask for a new proposal"
        ) from None
    if case.status != CaseStatus.ALLOCATED:
        case.status = CaseStatus.ALLOCATED
        case.save(update_fields=["status"])
    ChangeEvent.objects.create(
        user=by,
        action="case_allocated",
        person_id=case.person_id,
        case=case,
        detail={"practitioner_id": practitioner.pk, **detail},
    )


def _plan_handovers(
    *,
    by: User,
    decision: AllocationDecision,
    away: Practitioner,
    due_on: date,
    handovers: list[tuple[Case, Practitioner]],
) -> None:
    if Handover.objects.filter(
        case__in=[case for case, _ in handovers], state=Handover.State.PLANNED
    ).exists():
        raise ActionRefused(
            "A handover is already planned for one of these cases. Nothing was saved: cancel "
            "it on the practitioner's page first"
        )
    for case, practitioner in handovers:
        handover = Handover.objects.create(
            decision=decision,
            case=case,
            from_practitioner=away,
            to_practitioner=practitioner,
            due_on=due_on,
        )
        ChangeEvent.objects.create(
            user=by,
            action="handover_planned",
            person_id=case.person_id,
            case=case,
            detail={
                "handover_id": handover.pk,
                "from_practitioner_id": away.pk,
                "to_practitioner_id": practitioner.pk,
                "due_on": due_on.isoformat(),
            },
        )


def _settle(handover: Handover, *, state: str, by: User | None, note: str = "") -> None:
    """Take the handover out of the plan. `by` None is the daily run, whose changes are logged
    under the manager who decided the handover."""
    handover.state = state
    handover.settled_at = timezone.now()
    handover.settled_by = by
    handover.note = note
    handover.save(update_fields=["state", "settled_at", "settled_by", "note"])
    ChangeEvent.objects.create(
        user=by or handover.decision.decided_by,
        action=f"handover_{state}",
        person_id=handover.case.person_id,
        case=handover.case,
        detail={"handover_id": handover.pk, "note": note, "daily_run": by is None},
    )


def _carry_out(handover: Handover, *, by: User | None) -> bool:
    """Hand the locked, planned handover's case over, or let the handover lapse if the case is
    no longer with the practitioner who is away. Whether it was handed over."""
    case = Case.objects.select_for_update().select_related("person").get(pk=handover.case_id)
    holder = _current_holders([case.pk]).get(case.pk)
    if case.status != CaseStatus.ALLOCATED or holder != handover.from_practitioner_id:
        why = "the case was closed" if case.status == CaseStatus.CLOSED else "the case moved"
        _settle(handover, state=Handover.State.LAPSED, by=by, note=f"Not handed over: {why}")
        return False
    _allocate(
        by=by or handover.decision.decided_by,
        case=case,
        practitioner=handover.to_practitioner,
        detail={"handover_id": handover.pk, "proposal_id": handover.decision.proposal_id},
    )
    _settle(handover, state=Handover.State.CARRIED_OUT, by=by)
    return True


def _locked_handovers() -> QuerySet[Handover]:
    return Handover.objects.select_for_update(of=("self",)).select_related(
        "case", "decision__decided_by", "decision__proposal__team", "to_practitioner"
    )


def _planned(handover_id: int) -> Handover:
    """The handover locked, if still planned."""
    handover = _locked_handovers().filter(pk=handover_id).first()
    if handover is None or handover.state != Handover.State.PLANNED:
        raise ActionRefused("This handover is no longer planned: someone has settled it already")
    return handover


@transaction.atomic
def hand_over_now(*, by: User, handover: Handover) -> bool:
    """The manager carries a planned handover out before its day. Whether the case moved (it
    lapses instead if the case has left the practitioner meanwhile)."""
    locked = _planned(handover.pk)
    _require_manager_of(by, locked.decision.proposal.team)
    return _carry_out(locked, by=by)


@transaction.atomic
def cancel_handover(*, by: User, handover: Handover, reason: str) -> None:
    """The manager calls a planned handover off: the case stays where it is."""
    locked = _planned(handover.pk)
    _require_manager_of(by, locked.decision.proposal.team)
    if not reason.strip():
        raise ActionRefused("Say why the handover is cancelled", field="reason")
    _settle(locked, state=Handover.State.CANCELLED, by=by, note=reason.strip())


@dataclass(frozen=True)
class HandoverRun:
    carried_out: int
    lapsed: int


@transaction.atomic
def carry_out_due_handovers(*, on: date) -> HandoverRun:
    """Every planned handover due on or before the day, in one transaction (the daily run, by
    nobody in particular)."""
    carried_out = lapsed = 0
    # Locked in one statement: one settled meanwhile by a manager drops out here (PostgreSQL
    # checks the condition again once the lock is had).
    due = _locked_handovers().filter(state=Handover.State.PLANNED, due_on__lte=on).order_by("pk")
    for handover in due:
        if _carry_out(handover, by=None):
            carried_out += 1
        else:
            lapsed += 1
    return HandoverRun(carried_out=carried_out, lapsed=lapsed)
