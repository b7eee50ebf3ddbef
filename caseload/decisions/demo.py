"""Decisions, sign-offs and escalations for the demo council, made through the actions (so
every rule, change event and notification is as in use), then dated back a few days so that
the approver's and the PSW's lists show realistic ages."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from caseload.accounts.models import User
from caseload.decisions import actions
from caseload.decisions.models import Decision, PracticeEscalation, SignOffRequest
from caseload.register.models import Case, CaseStatus

_BASE = {
    "options_considered": "Support at home; a short stay in residential care; no change",
    "legal_basis": "care_act_s24_25",
    "legal_basis_detail": "",
    "risks": "Falls at night; carer strain",
    "positive_risk_taking": False,
    "persons_view": "Wants to stay at home with her cat",
    "against_wishes": False,
    "weekly_amount": None,
}


def _details(kind: str, summary: str, rationale: str, **more: object) -> actions.DecisionDetails:
    values: dict[str, object] = {
        **_BASE,
        "kind": kind,
        "summary": summary,
        "rationale": rationale,
        **more,
    }
    return actions.DecisionDetails(**values)  # type: ignore[arg-type]


def _age(decision: Decision, days: int) -> None:
    """Date a decision and its requests `days` back (demo data only: the change log keeps the
    time they were loaded)."""
    shift = timedelta(days=days)
    Decision.objects.filter(pk=decision.pk).update(decided_at=decision.decided_at - shift)
    for request in SignOffRequest.objects.filter(decision=decision):
        request.requested_at -= shift
        if request.decided_at is not None:
            request.decided_at -= shift / 2
        request.save(update_fields=["requested_at", "decided_at"])


def load_demo_decisions() -> int:
    """Decisions on the demo practitioner's cases, with sign-offs in every state, and three
    escalations (one taken to the director). Returns how many decisions were recorded."""
    worker = User.objects.get(username="practitioner")
    manager = User.objects.get(username="manager")
    psw = User.objects.get(username="psw")
    director = User.objects.get(username="director")
    cases = list(
        Case.objects.filter(
            status=CaseStatus.ALLOCATED,
            allocations__practitioner__user=worker,
            allocations__ended_at__isnull=True,
        ).order_by("pk")[:6]
    )
    if len(cases) < 6:
        return 0
    plan = [
        _details(
            "care_and_support",
            "Four calls a day from the home care provider",
            "Meets her eligible needs at home, as she wishes",
            positive_risk_taking=True,
        ),
        _details(
            "other",
            "A short stay in residential care while her carer is in hospital",
            "No safe alternative for two weeks",
            against_wishes=True,
            legal_basis="care_act_s18",
        ),
        _details(
            "safeguarding",
            "A section 42 enquiry into financial abuse",
            "Reasonable cause to suspect abuse, and she cannot protect herself",
            legal_basis="care_act_s42",
        ),
        _details(
            "funding",
            "A personal budget for 24-hour support at home",
            "The least restrictive way to meet his needs",
            weekly_amount=Decimal("1850.00"),
            legal_basis="care_act_s26",
        ),
        _details(
            "funding",
            "A direct payment for a personal assistant",
            "He wants to choose who supports him",
            weekly_amount=Decimal("1250.00"),
            legal_basis="care_act_s26",
        ),
        _details(
            "other",
            "Move to supported living",
            "Her tenancy ends and she has capacity to decide, but her family object",
            against_wishes=True,
            legal_basis="mca_2005",
        ),
    ]
    decisions = [
        actions.record_decision(by=worker, case=case, details=details)
        for case, details in zip(cases, plan, strict=True)
    ]
    open_request = SignOffRequest.State.OPEN
    requests = {d.pk: d.sign_offs.filter(state=open_request).first() for d in decisions}
    # The short stay: signed off by the manager.
    second = requests[decisions[1].pk]
    if second is not None:
        actions.approve_sign_off(by=manager, request=second)
    # The 24-hour package: signed off by the director.
    fourth = requests[decisions[3].pk]
    if fourth is not None:
        actions.approve_sign_off(by=director, request=fourth, comments="Review in 3 months")
    # Supported living: returned with comments.
    sixth = requests[decisions[5].pk]
    if sixth is not None:
        actions.return_sign_off(
            by=manager,
            request=sixth,
            comments="Record the best interests discussion with her family",
        )
    for decision, days in zip(decisions, (20, 14, 3, 9, 5, 7), strict=True):
        _age(decision, days)

    waiting = actions.escalate_case(
        by=worker,
        case=cases[2],
        nature=PracticeEscalation.Nature.CONTROVERSIAL,
        question="The family dispute the enquiry: should we proceed without their consent?",
    )
    advised = actions.escalate_case(
        by=worker,
        case=cases[0],
        nature=PracticeEscalation.Nature.COMPLEX,
        question="Fluctuating capacity: how often should we reassess?",
    )
    actions.advise_on_escalation(
        by=psw, escalation=advised, advice="Reassess at each decision, and record each one"
    )
    to_director = actions.escalate_case(
        by=worker,
        case=cases[3],
        nature=PracticeEscalation.Nature.CONTROVERSIAL,
        question="The package costs more than a care home: is it defensible?",
    )
    actions.take_escalation_to_director(
        by=psw,
        escalation=to_director,
        note="I support it: the least restrictive option, and his wish. For your decision.",
    )
    actions.record_director_decision(
        by=director, escalation=to_director, decision="Agreed, with a review at three months"
    )
    for escalation, days in ((waiting, 2), (advised, 12), (to_director, 8)):
        shift = timedelta(days=days)
        escalation.raised_at -= shift
        escalation.save(update_fields=["raised_at"])
    return len(decisions)
