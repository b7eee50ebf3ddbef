"""Decisions, sign-offs and escalations for tests, made through the actions."""

from __future__ import annotations

from decimal import Decimal

from caseload.accounts.models import User
from caseload.decisions.actions import DecisionDetails, record_decision
from caseload.decisions.models import Decision
from caseload.register.models import Case
from tests.conftest import World


def details(**changes: object) -> DecisionDetails:
    values: dict[str, object] = {
        "kind": "care_and_support",
        "summary": "Day service three days a week",
        "options_considered": "Day service; a personal assistant; no service",
        "rationale": "Meets the eligible needs at the least restriction",
        "legal_basis": "care_act_s24_25",
        "legal_basis_detail": "",
        "risks": "Falls on the journey",
        "positive_risk_taking": True,
        "persons_view": "Would rather stay at home",
        "against_wishes": False,
        "weekly_amount": None,
    }
    values.update(changes)
    return DecisionDetails(**values)  # type: ignore[arg-type]


def funding(amount: str) -> DecisionDetails:
    return details(kind="funding", weekly_amount=Decimal(amount))


def decision(by: User, case: Case, **changes: object) -> Decision:
    return record_decision(by=by, case=case, details=details(**changes))


def decision_needing_sign_off(w: World) -> Decision:
    """Priya decides against Harriet's expressed wishes: a team manager must sign it off."""
    return decision(w.priya, w.case_held_by_priya, against_wishes=True)
