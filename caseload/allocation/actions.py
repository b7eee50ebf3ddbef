"""Making and deciding allocation proposals. The manager decides; the engine proposes.

Accepting is all-or-nothing: every chosen allocation, every case's new status, the decision
record and the change events land in one transaction, or none do. Cases are locked in id order,
so two managers deciding at once queue rather than deadlock; the second finds the cases taken
and is told so.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
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
from caseload.allocation.notices import raise_with_seniors, tell_new_holders
from caseload.audit.changes import record_change
from caseload.audit.models import ChangeAction
from caseload.complexity.models import ModelVersion
from caseload.register.actions import require_open
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

logger = logging.getLogger(__name__)

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


# Percent done and what is happening now: a job's progress, or nowhere.
ReportProgress = Callable[[int, str], None]


def _unwatched(percent: int, message: str) -> None:
    """A proposal made with nobody watching its progress."""


@dataclass(frozen=True)
class _Ask:
    """What a proposal is for: the team's meeting, or a practitioner away from a day."""

    team: Team
    kind: str
    away: Practitioner | None = None
    away_from: date | None = None
    away_reason: str = ""
    away_until: date | None = None


def _propose(
    *,
    by: User,
    ask: _Ask,
    read: Callable[[], EngineInputs],
    progress: ReportProgress,
    again_if_moved: bool = True,
) -> AllocationProposal:
    """Read the inputs, solve with no transaction open and no row locked (it takes seconds),
    then write the proposal in one short transaction that first checks that the cases are still
    where they were read. If some moved meanwhile, once more from the start; if again, refused.
    """
    progress(5, "Reading the cases and the team")
    version = ModelVersion.current()
    inputs = read()
    progress(
        20,
        f"Working out who takes each of {len(inputs.cases)} cases (up to "
        f"{PROPOSAL_TIME_LIMIT_S:.0f} seconds)",
    )
    # A manager waits for this: a bounded solve; the proposal says if it is not proven.
    result = allocation.allocate(
        inputs.cases,
        inputs.practitioners,
        allocation.Rules(model=version.model),
        time_limit_s=PROPOSAL_TIME_LIMIT_S,
    )
    progress(90, "Saving the proposal")
    try:
        return _record_proposal(by=by, ask=ask, version=version, inputs=inputs, result=result)
    except _CasesMoved as moved:
        if not again_if_moved:
            raise ActionRefused(
                f"The team's cases kept changing while the proposal was worked out "
                f"({moved.names} changed meanwhile). Nothing was saved: ask for a new proposal"
            ) from None
        progress(5, f"Starting again: {moved.names} changed meanwhile")
        return _propose(by=by, ask=ask, read=read, progress=progress, again_if_moved=False)


class _CasesMoved(Exception):
    def __init__(self, cases: list[Case]) -> None:
        names = [case.person.full_name for case in cases[:3]]
        more = len(cases) - len(names)
        self.names = ", ".join(names) + (f" and {more} more" if more else "")
        super().__init__(self.names)


def _moved_since_read(ask: _Ask, inputs: EngineInputs) -> list[Case]:
    """The proposal's cases that are no longer where they were read (allocated or closed by
    someone else meanwhile, or moved to another team)."""
    ids = [int(case.case_id) for case in inputs.cases]
    cases = Case.objects.select_related("person").in_bulk(ids)
    holders = _current_holders(ids)
    away_id = ask.away.pk if ask.away is not None else None
    meeting = ask.kind == AllocationProposal.Kind.MEETING
    return [
        case
        for case in cases.values()
        if (meeting and case.team_id != ask.team.pk)
        or not _still_as_read(ask.kind, away_id, case, holders.get(case.pk))
    ]


@transaction.atomic
def _record_proposal(
    *,
    by: User,
    ask: _Ask,
    version: ModelVersion,
    inputs: EngineInputs,
    result: allocation.AllocationResult,
) -> AllocationProposal:
    moved = _moved_since_read(ask, inputs)
    if moved:
        raise _CasesMoved(moved)
    proposal = AllocationProposal.objects.create(
        team=ask.team,
        kind=ask.kind,
        created_by=by,
        away_practitioner=ask.away,
        away_from=ask.away_from,
        away_reason=ask.away_reason,
        away_until=ask.away_until,
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
    record_change(
        by=by,
        action=ChangeAction.ALLOCATION_PROPOSED,
        team_id=ask.team.pk,
        practitioner_id=ask.away.pk if ask.away is not None else None,
        detail={"proposal_id": proposal.pk, "kind": ask.kind},
    )
    return proposal


def propose_for_meeting(
    *, by: User, team: Team, progress: ReportProgress = _unwatched
) -> AllocationProposal:
    """The engine's proposal for the team's cases awaiting allocation. Changes no case. Run
    as a job (`caseload.allocation.jobs`): it holds no transaction while it solves."""
    _require_manager_of(by, team)
    return _propose(
        by=by,
        ask=_Ask(team=team, kind=AllocationProposal.Kind.MEETING),
        read=lambda: meeting_inputs(team, on=timezone.localdate()),
        progress=progress,
    )


def check_meeting(*, by: User, team: Team) -> None:
    """Refuse a proposal for the meeting of a team that is not the user's to run."""
    _require_manager_of(by, team)


def check_what_if(
    *,
    by: User,
    practitioner: Practitioner,
    reason: str,
    away_from: date,
    away_until: date | None,
) -> Team:
    """Refuse a what-if that cannot be asked; the practitioner's team if it can."""
    team = practitioner.team
    if team is None:
        raise ActionRefused("This practitioner is not in a team")
    _require_manager_of(by, team)
    if reason not in dict(reference.ABSENCE_REASON_CHOICES):
        raise ActionRefused("Choose why they will be away", field="reason")
    if reason == "leaving" and away_until is not None:
        raise ActionRefused("Leave the last day blank: they are leaving", field="away_until")
    if away_until is not None and away_until < away_from:
        raise ActionRefused(
            "The last day away must be the same as or after the first", field="away_until"
        )
    return team


def propose_what_if(
    *,
    by: User,
    practitioner: Practitioner,
    away_from: date,
    reason: str,
    away_until: date | None = None,
    progress: ReportProgress = _unwatched,
) -> AllocationProposal:
    """Where a practitioner's cases would go if they left or were off from a date, for a
    reason, until a last day away (None: not known). Changes nothing until a manager decides
    it; deciding it records the absence."""
    team = check_what_if(
        by=by, practitioner=practitioner, reason=reason, away_from=away_from, away_until=away_until
    )
    return _propose(
        by=by,
        ask=_Ask(
            team=team,
            kind=AllocationProposal.Kind.WHAT_IF,
            away=practitioner,
            away_from=away_from,
            away_reason=reason,
            away_until=away_until,
        ),
        read=lambda: what_if_inputs(team, practitioner, away_from=away_from),
        progress=progress,
    )


def _proposed(proposal: AllocationProposal) -> dict[int, int | None]:
    return {
        int(row["case_id"]): int(row["practitioner_id"]) if row["practitioner_id"] else None
        for row in proposal.result["proposals"]
    }


@transaction.atomic
def decide(
    *,
    by: User,
    proposal: AllocationProposal,
    choices: list[Choice],
    past_capacity: Sequence[int] = (),
) -> AllocationDecision:
    """Write what the manager accepted or changed. A change of practitioner needs a reason;
    `past_capacity` names whom the manager confirmed taking past their capacity, for the record."""
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
        for case in Case.objects.select_for_update(of=("self",))
        .filter(pk__in=[choice.case_id for choice in accepted], team=proposal.team)
        .select_related("person")
        .order_by("pk")
    }
    holders = _current_holders(cases)
    staff = {
        p.pk: p
        for p in Practitioner.objects.filter(
            pk__in={choice.practitioner_id for choice in accepted}, team=proposal.team
        ).select_related("user")
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
    allocated: list[tuple[Case, Practitioner]] = []
    for choice in accepted:
        case = cases.get(choice.case_id)
        if case is not None:
            require_open(case)
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
            allocated.append((case, practitioner))
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
    # Written whatever was accepted: declining every suggestion is a decision too.
    record_change(
        by=by,
        action=ChangeAction.ALLOCATION_DECIDED,
        team_id=proposal.team_id,
        practitioner_id=proposal.away_practitioner_id,
        detail={
            "proposal_id": proposal.pk,
            "decision_id": decision.pk,
            "accepted": len(accepted),
            "declined": len(choices) - len(accepted),
            "past_capacity_confirmed": sorted(past_capacity),
        },
    )
    if plan is not None:
        _plan_handovers(
            by=by, decision=decision, away=plan[0], due_on=plan[1], handovers=handed_over
        )
    if away is not None and away_from is not None:
        _record_absence(by=by, proposal=proposal, away=away, starts_on=away_from)
    tell_new_holders(given=allocated, how=f"Allocated to you by {by.get_full_name()}:")
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
    record_change(
        by=by,
        action=ChangeAction.ABSENCE_RECORDED,
        practitioner_id=away.pk,
        team_id=away.team_id,
        changes={
            "starts_on": (None, starts_on),
            "ends_on": (None, ends_on),
            "reason": (None, proposal.away_reason),
        },
        detail={"absence_id": absence.pk, "proposal_id": proposal.pk},
    )


def _as_proposed_on(proposal: AllocationProposal, case: Case, holder: int | None) -> bool:
    """Whether the case is still where the proposal found it."""
    return _still_as_read(proposal.kind, proposal.away_practitioner_id, case, holder)


def _still_as_read(kind: str, away_id: int | None, case: Case, holder: int | None) -> bool:
    """Whether the case is still waiting (a meeting), or still held by whoever is away."""
    if kind == AllocationProposal.Kind.WHAT_IF:
        return case.status == CaseStatus.ALLOCATED and holder == away_id
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
    previous_holder = _current_holders([case.pk]).get(case.pk)
    previous_status = case.status
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
    record_change(
        by=by,
        action=ChangeAction.CASE_ALLOCATED,
        person_id=case.person_id,
        case_id=case.pk,
        team_id=case.team_id,
        practitioner_id=practitioner.pk,
        from_practitioner_id=previous_holder,
        changes={
            "holder": (previous_holder, practitioner.pk),
            "status": (previous_status, case.status),
        },
        detail=detail,
    )


def _plan_handovers(
    *,
    by: User,
    decision: AllocationDecision,
    away: Practitioner,
    due_on: date,
    handovers: list[tuple[Case, Practitioner]],
) -> None:
    planned = list(
        Handover.objects.filter(
            case__in=[case for case, _ in handovers], state=Handover.State.PLANNED
        ).select_related("case__person")
    )
    if planned:
        names = ", ".join(sorted(handover.case.person.full_name for handover in planned))
        raise ActionRefused(
            f"A handover is already planned for the case of {names}. Nothing was saved: cancel "
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
        record_change(
            by=by,
            action=ChangeAction.HANDOVER_PLANNED,
            person_id=case.person_id,
            case_id=case.pk,
            team_id=case.team_id,
            practitioner_id=practitioner.pk,
            from_practitioner_id=away.pk,
            detail={"handover_id": handover.pk, "due_on": due_on},
        )


SETTLED = {
    Handover.State.CARRIED_OUT: ChangeAction.HANDOVER_CARRIED_OUT,
    Handover.State.CANCELLED: ChangeAction.HANDOVER_CANCELLED,
    Handover.State.LAPSED: ChangeAction.HANDOVER_LAPSED,
}


def _settle(handover: Handover, *, state: Handover.State, by: User | None, note: str = "") -> None:
    """Take the handover out of the plan. `by` None is the daily run, whose changes are logged
    under the manager who decided the handover."""
    previous_state = handover.state
    handover.state = state
    handover.settled_at = timezone.now()
    handover.settled_by = by
    handover.note = note
    handover.save(update_fields=["state", "settled_at", "settled_by", "note"])
    # The note may be a manager's free text: it stays on the handover, not in the log.
    record_change(
        by=by or handover.decision.decided_by,
        action=SETTLED[state],
        person_id=handover.case.person_id,
        case_id=handover.case_id,
        team_id=handover.case.team_id,
        practitioner_id=handover.to_practitioner_id,
        from_practitioner_id=handover.from_practitioner_id,
        changes={"state": (previous_state, state)},
        detail={"handover_id": handover.pk, "daily_run": by is None},
    )


def _carry_out(handover: Handover, *, by: User | None) -> Case | None:
    """Hand the locked, planned handover's case over, or let the handover lapse if the case is
    no longer with the practitioner who is away. The case, if it was handed over."""
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("person")
        .get(pk=handover.case_id)
    )
    holder = _current_holders([case.pk]).get(case.pk)
    if case.status != CaseStatus.ALLOCATED or holder != handover.from_practitioner_id:
        why = "the case was closed" if case.status == CaseStatus.CLOSED else "the case moved"
        _settle(handover, state=Handover.State.LAPSED, by=by, note=f"Not handed over: {why}")
        return None
    _allocate(
        by=by or handover.decision.decided_by,
        case=case,
        practitioner=handover.to_practitioner,
        detail={"handover_id": handover.pk, "proposal_id": handover.decision.proposal_id},
    )
    _settle(handover, state=Handover.State.CARRIED_OUT, by=by)
    return case


def _locked_handovers() -> QuerySet[Handover]:
    return Handover.objects.select_for_update(of=("self",)).select_related(
        "case", "decision__decided_by", "decision__proposal__team", "to_practitioner__user"
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
    case = _carry_out(locked, by=by)
    if case is not None:
        tell_new_holders(
            given=[(case, locked.to_practitioner)],
            how=f"Handed over to you by {by.get_full_name()}, ahead of the planned day:",
        )
    return case is not None


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
    # Handovers that failed, by id: rolled back to their savepoint, still planned, in the log.
    failed: tuple[int, ...] = ()


@transaction.atomic
def carry_out_due_handovers(*, on: date) -> HandoverRun:
    """Every planned handover due on or before the day (the daily run, by nobody in
    particular), each in its own savepoint: one that fails is logged and stays planned for the
    next run, and the day's others still happen."""
    given: list[tuple[Case, Practitioner]] = []
    lapsed = 0
    failed: list[int] = []
    # Locked in one statement: one settled meanwhile by a manager drops out here (PostgreSQL
    # checks the condition again once the lock is had).
    due = _locked_handovers().filter(state=Handover.State.PLANNED, due_on__lte=on).order_by("pk")
    for handover in due:
        try:
            with transaction.atomic():
                case = _carry_out(handover, by=None)
        except Exception:
            # Ids only: the case's details stay out of the log.
            logger.exception("Handover %s (case %s) failed", handover.pk, handover.case_id)
            failed.append(handover.pk)
            continue
        if case is not None:
            given.append((case, handover.to_practitioner))
        else:
            lapsed += 1
    tell_new_holders(given=given, how="Handed over to you, as planned:")
    return HandoverRun(carried_out=len(given), lapsed=lapsed, failed=tuple(failed))


@transaction.atomic
def raise_unallocated(*, by: User, proposal: AllocationProposal) -> int:
    """The manager raises the proposal's cases nobody in the team could take with the principal
    social workers (their manager's manager, for practice). How many were told."""
    _require_manager_of(by, proposal.team)
    why = {
        int(row["case_id"]): row["reason"]
        for row in proposal.result["proposals"]
        if not row["practitioner_id"]
    }
    cases = list(
        Case.objects.filter(pk__in=why, team=proposal.team).select_related("person").order_by("pk")
    )
    if not cases:
        raise ActionRefused("Every case in this proposal has someone to take it: nothing to raise")
    told = raise_with_seniors(
        by=by, proposal=proposal, cases=[(case, why[case.pk]) for case in cases]
    )
    if not told:
        raise ActionRefused(
            "These cases have been raised already, or there is no principal social worker to "
            "raise them with"
        )
    record_change(
        by=by,
        action=ChangeAction.ALLOCATION_ESCALATED,
        team_id=proposal.team_id,
        detail={"proposal_id": proposal.pk, "case_ids": sorted(why), "told": told},
    )
    return told
