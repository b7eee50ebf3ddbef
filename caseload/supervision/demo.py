"""Loads a demo council's supervision history (caseload_engine.demo_supervision) in bulk."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time
from typing import cast

from caseload.register.models import Case, Practitioner
from caseload.supervision.models import Action, Agreement, CaseDiscussion, Session
from caseload_engine.demo import DemoCouncil
from caseload_engine.demo_supervision import AGENDA, generate_supervision

BATCH = 2000
# Sessions are written up at the end of the day they were held.
WRITTEN_AT = time(17, 0)


def _at(day: date) -> datetime:
    return datetime.combine(day, WRITTEN_AT, tzinfo=UTC)


def load_supervision_history(
    council: DemoCouncil,
    *,
    practitioners: Mapping[str, Practitioner],
    cases: Sequence[Case],
    seed: int,
) -> int:
    """Writes the agreements, sessions, case discussions and actions; returns the sessions."""
    history = generate_supervision(council, seed=seed)

    def user(key: str) -> int:
        # Every demo practitioner has a login (demo_loader creates one each).
        return cast("int", practitioners[key].user_id)

    Agreement.objects.bulk_create(
        (
            Agreement(
                practitioner=practitioners[a.practitioner_key],
                supervisor_id=user(a.supervisor_key),
                frequency=a.frequency,
                place=a.place,
                if_missed=a.if_missed,
                starts_on=a.starts_on,
                supervisor_signed_at=None if a.signed_on is None else _at(a.signed_on),
                supervisee_signed_at=None if a.signed_on is None else _at(a.signed_on),
                created_at=_at(a.starts_on),
                created_by_id=user(a.supervisor_key),
            )
            for a in history.agreements
        ),
        batch_size=BATCH,
    )
    sessions = Session.objects.bulk_create(
        (
            Session(
                supervisee=practitioners[s.supervisee_key],
                supervisor_id=user(s.supervisor_key),
                held_on=s.held_on,
                minutes=s.minutes,
                kind=s.kind,
                agenda=AGENDA,
                supervisor_signed_at=None if s.signed_on is None else _at(s.signed_on),
                supervisee_signed_at=None if s.signed_on is None else _at(s.signed_on),
                created_at=_at(s.held_on),
                created_by_id=user(s.supervisor_key),
            )
            for s in history.sessions
        ),
        batch_size=BATCH,
    )
    pairs = [
        (session, d)
        for session, demo_session in zip(sessions, history.sessions, strict=True)
        for d in demo_session.discussions
    ]
    discussions = CaseDiscussion.objects.bulk_create(
        (
            CaseDiscussion(
                session=session,
                case=cases[d.case_index],
                discussion=d.discussion,
                decision=d.decision,
            )
            for session, d in pairs
        ),
        batch_size=BATCH,
    )
    Action.objects.bulk_create(
        (
            Action(
                session=session,
                discussion=discussion,
                description=a.description,
                owner_id=user(a.owner_key),
                due_on=a.due_on,
                done_at=None if a.done_on is None else _at(a.done_on),
                done_by_id=None if a.done_on is None else user(a.owner_key),
            )
            for (session, d), discussion in zip(pairs, discussions, strict=True)
            for a in d.actions
        ),
        batch_size=BATCH,
    )
    return len(sessions)
