"""Learning records for tests, made through the actions (so the rules and the log hold)."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from caseload.accounts.models import User
from caseload.learning import actions
from caseload.learning.models import Feedback, Incident, LearningReview, Recommendation
from caseload.register.models import Case, Team


def incident(by: User, team: Team, *, case: Case | None = None, grade: int = 3) -> Incident:
    return actions.record_incident(
        by=by,
        details=actions.IncidentDetails(
            team=team,
            kind="incident",
            occurred_on=timezone.localdate() - timedelta(days=3),
            what_happened="Synthetic: a visit was missed",
            immediate_actions="Synthetic: visited the next morning",
            who_was_told="Synthetic: the team manager",
            grade=grade,
            case=case,
        ),
    )


def review(psw: User, happened: Incident, *, lead: User | None = None) -> LearningReview:
    return actions.commission_review(
        by=psw, incident=happened, lead=lead or psw, terms="Synthetic: how visits are planned"
    )


def recommendation(
    psw: User, of: LearningReview, owner: User, *, due_on: date | None = None
) -> Recommendation:
    return actions.add_recommendation(
        by=psw,
        review=of,
        text="Synthetic: plan visits with a second worker",
        owner=owner,
        due_on=due_on or timezone.localdate() + timedelta(days=30),
    )


def feedback(by: User, case: Case, *, anonymous: bool = False, **answers: object) -> Feedback:
    return actions.record_feedback(
        by=by,
        case=case,
        about="assessment",
        kind=str(answers.pop("kind", "feedback")),
        channel="paper",
        received_on=timezone.localdate() - timedelta(days=2),
        answers=actions.FeedbackAnswers(
            listened_to=True,
            outcomes_met="yes",
            comments=str(answers.pop("comments", "Synthetic: she listened to me")),
            anonymous=anonymous,
            may_quote=bool(answers.pop("may_quote", False)),
        ),
    )
