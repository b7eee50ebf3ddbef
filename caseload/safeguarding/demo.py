"""Loads a demo council's year of safeguarding (caseload_engine.demo_safeguarding) in bulk."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time

from caseload.register.models import Person, Practitioner, Team
from caseload.safeguarding import timeliness
from caseload.safeguarding.models import (
    Concern,
    ConcernRiskType,
    Enquiry,
    EnquiryStatus,
    StrategyRecord,
    Targets,
)
from caseload_engine.demo import DemoCouncil
from caseload_engine.demo_safeguarding import DemoConcern, DemoEnquiry, generate_safeguarding

BATCH = 2000
SUMMARY = "Synthetic concern raised with the council"
# Records are written up at the end of the day.
WRITTEN_AT = time(17, 0)


def _at(day: date) -> datetime:
    return datetime.combine(day, WRITTEN_AT, tzinfo=UTC)


def _concern(
    c: DemoConcern,
    *,
    person: Person,
    team: Team,
    manager_id: int | None,
    targets: Targets,
) -> Concern:
    decided = c.decided_on is not None
    criteria = c.criteria if decided else (None, None, None)
    return Concern(
        person=person,
        team=team,
        received_at=c.received_at,
        source=c.source,
        route=c.route,
        summary=SUMMARY,
        location_of_risk=c.location_of_risk,
        source_of_risk=c.source_of_risk,
        recorded_by_id=manager_id,
        decision_due_on=timeliness.decision_due(c.received_at.date(), targets),
        criterion_care_and_support_needs=criteria[0],
        criterion_abuse_or_neglect=criteria[1],
        criterion_unable_to_protect=criteria[2],
        decision=c.decision,
        decided_at=max(_at(c.decided_on), c.received_at) if c.decided_on else None,
        decided_by_id=manager_id if decided else None,
        decision_reason=c.reason if decided else "",
    )


def _enquiry(
    e: DemoEnquiry,
    *,
    concern: Concern,
    lead: Practitioner | None,
    manager_id: int | None,
    targets: Targets,
) -> Enquiry:
    due = timeliness.enquiry_due(e.started_on, targets)
    signed = e.signed_off_on is not None and manager_id is not None
    status = EnquiryStatus.OPEN
    if e.concluded_on is not None:
        status = EnquiryStatus.CLOSED if signed else EnquiryStatus.AWAITING_SIGN_OFF
    return Enquiry(
        concern=concern,
        person_id=concern.person_id,
        team_id=concern.team_id,
        kind=e.kind,
        status=status,
        started_on=e.started_on,
        lead=lead,
        lead_role=lead.role if lead else "",
        strategy_due_on=due.strategy,
        outcomes_due_on=due.outcomes,
        plan_due_on=due.plan,
        conclusion_due_on=due.conclusion,
        msp_asked=e.msp_asked,
        desired_outcomes=e.desired_outcomes,
        outcomes_not_asked_reason=e.not_asked_reason,
        outcomes_recorded_at=_at(e.outcomes_on) if e.outcomes_on else None,
        lacked_capacity=e.lacked_capacity,
        support=e.support,
        plan="Synthetic safeguarding plan agreed with the person" if e.plan_agreed_on else "",
        plan_agreed_on=e.plan_agreed_on,
        concluded_on=e.concluded_on,
        action_and_result=e.action_and_result,
        risk_outcome=e.risk_outcome,
        msp_achieved=e.msp_achieved,
        conclusion="Synthetic conclusion" if e.concluded_on else "",
        concluded_by_id=lead.user_id if lead and e.concluded_on else None,
        sign_off_level="team_manager" if e.concluded_on else "",
        sign_off_due_on=timeliness.sign_off_due(e.concluded_on, targets)
        if e.concluded_on
        else None,
        signed_off_at=_at(e.signed_off_on) if signed and e.signed_off_on else None,
        signed_off_by_id=manager_id if signed else None,
    )


def load_demo_safeguarding(
    council: DemoCouncil,
    *,
    people: Sequence[Person],
    teams: Mapping[str, Team],
    practitioners: Mapping[str, Practitioner],
    seed: int,
) -> int:
    """Writes the concerns, their types of risk, the enquiries and their strategy records;
    returns the concerns."""
    demo = generate_safeguarding(council, seed=seed)
    targets = Targets.current()
    managers = {
        p.team_key: practitioners[p.key].user_id
        for p in council.practitioners
        if p.role == "team_manager" and p.team_key is not None
    }
    concerns = Concern.objects.bulk_create(
        (
            _concern(
                c,
                person=people[c.person_index],
                team=teams[c.team_key],
                manager_id=managers.get(c.team_key),
                targets=targets,
            )
            for c in demo
        ),
        batch_size=BATCH,
    )
    ConcernRiskType.objects.bulk_create(
        (
            ConcernRiskType(concern=concern, code=code)
            for c, concern in zip(demo, concerns, strict=True)
            for code in c.types_of_risk
        ),
        batch_size=BATCH,
    )
    pairs = [
        (c.enquiry, concern, managers.get(c.team_key))
        for c, concern in zip(demo, concerns, strict=True)
        if c.enquiry is not None
    ]
    enquiries = Enquiry.objects.bulk_create(
        (
            _enquiry(
                e,
                concern=concern,
                lead=practitioners[e.lead_key] if e.lead_key else None,
                manager_id=manager_id,
                targets=targets,
            )
            for e, concern, manager_id in pairs
        ),
        batch_size=BATCH,
    )
    StrategyRecord.objects.bulk_create(
        (
            StrategyRecord(
                enquiry=enquiry,
                # One in three Section 42 enquiries needs a meeting; the rest a discussion.
                kind="meeting" if e.kind == "section_42" and enquiry.pk % 3 == 0 else "discussion",
                held_on=e.strategy_on,
                attendees="Synthetic: social worker, police, health",
                summary="Synthetic: agreed who visits and when",
                recorded_by_id=recorder,
                recorded_at=_at(e.strategy_on),
            )
            for (e, _, manager_id), enquiry in zip(pairs, enquiries, strict=True)
            if e.strategy_on is not None
            and (recorder := enquiry.lead.user_id if enquiry.lead else manager_id) is not None
        ),
        batch_size=BATCH,
    )
    return len(concerns)
